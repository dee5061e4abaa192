"""``make bench``: the benchmark harness.

The measured bars (quality.md P1-P6) come with the scale issue; for now the harness times the
small demo build against DuckDB writing the same number of rows, as a ratio in the same run.
"""

from __future__ import annotations

print("bench: no performance bars are measured yet (the scale issue adds P1-P6)")
