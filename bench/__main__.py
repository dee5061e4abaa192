"""``make bench``: the benchmark harness.

Every figure is a ratio against a baseline measured in the same run (these machines are noisy).
For now it measures quality bar P3 (CSV import against DuckDB's own ``read_csv``); the scale
issue adds P1, P2, P5 and P6.
"""

from __future__ import annotations

import os

from bench import import_csv

import_csv.main(["--rows", os.environ.get("BENCH_ROWS", "2000000"), "--repeat", "2"])
