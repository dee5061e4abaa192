"""Quality bar P2: the same review by a plain pandas implementation (``bench.pandas_review``),
results checked equal, the engine ≥ 10 × faster.

The pandas side is timed without loading its tables (``load`` reads them from the database file
apart); the engine's time is P1's review, which does read from the database, with its results'
frames (the pandas side's result is a frame too).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bench.results import Figure
from bench.review import Evaluation
from salesmetrics.config import Config

TARGET = 10.0


def engine_frame(evaluations: Sequence[Evaluation]) -> pd.DataFrame:
    """The engine's review as one frame tagged with its grouping (the pandas side's keys)."""
    from bench import pandas_review

    parts = []
    for e in evaluations:
        if e.frame is None:
            raise ValueError(f"{e.request.label}: the engine's result was not kept")
        parts.append(pandas_review.tag(e.frame, e.request.by))
    return pd.concat(parts, ignore_index=True)


def measure(
    db_path: Path,
    year: str,
    config: Config,
    evaluations: Sequence[Evaluation],
    first_session_s: float,
    later_s: float,
) -> Figure:
    """Time the pandas review of ``year`` and compare its results with the engine's, whose
    review took ``first_session_s`` in the first session on freshly imported data (the bar:
    "first session included") and ``later_s`` in a later one."""
    from bench import pandas_review

    started = time.perf_counter()
    tables = pandas_review.load(db_path)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    frame = pandas_review.review(tables, int(year), config)
    pandas_s = time.perf_counter() - started
    del tables
    problems = pandas_review.compare(engine_frame(evaluations), frame)
    figure = Figure(
        bar="P2",
        title="against pandas",
        measured=f"pandas {pandas_s:.1f} s (+{load_s:.1f} s load), engine {first_session_s:.2f} s"
        f" with its results' frames in the first session on freshly imported data. Beside it,"
        f" not the bar: a later session {later_s:.2f} s ({pandas_s / later_s:.1f} x)",
        ratio=pandas_s / first_session_s,
        target=TARGET,
        op=">=",
        details={
            "pandas_seconds": pandas_s,
            "pandas_load_seconds": load_s,
            "engine_first_session_seconds": first_session_s,
            "engine_later_seconds": later_s,
            "later_session_ratio": pandas_s / later_s,
            "differences": len(problems),
            "first_differences": problems[:20],
        },
    )
    if problems:
        figure.check_failed = True
        figure.note = f"results differ in {len(problems)} rows, e.g. {problems[0]}"
    return figure
