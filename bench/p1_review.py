"""Quality bar P1: the full review against the scan floor, on the same database, in the two
sessions the specification names (quality.md): a *first session* on freshly imported data
(≤ 10 ×) and a *later session* (≤ 3 ×, reported as P1L).

*Freshly imported* is measured as an import leaves a workspace: every kept intermediate is
dropped (:meth:`Derived.reset`, as if nothing had been computed for the data), then the work
the import does after its batch lands runs, :meth:`Workspace.warm` with nothing remembered (the
reviews of the data's latest year, by quarter and by month, company-wide: what ``salesmetrics
demo`` and ``salesmetrics import`` do). It is timed and reported beside the bar as the import's
work (P3 and P7 count it). The *first session* is then a new connection running the review:
its expressions and DuckDB's statements are recorded (P6 reads them), and the columns read by
the plans of the warm and of the first session give the scan floor query, timed best of three
after one warm-up run. The *later session* (another new connection, as the next CLI command or
web app start) runs the review again, ``repeat`` times; its best time is P1L's figure.

The time is the review as the Python API returns it: the engine's work (every value, component,
target and status computed, as columns: :class:`MetricResult`) and the result's pandas frame,
with a dict per row for the group and the components, which is built on first use of
``result.frame``. The review builds it right after each request and times it apart, so the
figure shows both parts; the bar counts their sum.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import columns, review
from bench.results import Figure
from salesmetrics.workspace import Workspace, open_workspace

#: The first session on freshly imported data, × the scan floor.
TARGET = 10.0
#: A later session, × the scan floor (bar P1L).
LATER_TARGET = 3.0


@dataclass
class ReviewRun:
    """The recorded review (the first session), the best time of a later session, the first
    session's time, the columns read, the floor's best time, the time the best later run took
    to build its results' frames after (on first use, outside the engine's time) and the
    seconds of the import's warm before the first session."""

    evaluations: list[review.Evaluation]
    seconds: float
    first_seconds: float
    columns: dict[str, list[str]]
    floor_seconds: float
    frame_seconds: float = 0.0
    warm_seconds: float = 0.0

    @property
    def total_seconds(self) -> float:
        """The later session's engine and result-frame seconds: P1's figure."""
        return self.seconds + self.frame_seconds


def scan_floor(ws: Workspace, cols: dict[str, list[str]], repeat: int) -> float:
    """Best time of the scan-floor query over ``cols`` (after one untimed warm-up run)."""
    sql = columns.scan_floor_sql(cols)
    ws.duckdb.execute(sql).fetchall()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        ws.duckdb.execute(sql).fetchall()
        best = min(best, time.perf_counter() - started)
    return best


def run(
    root: Path, plan: Sequence[review.Request], *, repeat: int = 1, keep: bool = False
) -> ReviewRun:
    """Leave ``root`` as freshly imported (nothing kept, then the import's warm), run the
    review in a first session (recorded), then ``repeat`` times in a later one, and the scan
    floor."""
    ws = open_workspace(root)
    try:
        ws.derived.reset()
        with review.Recorder().attached(ws) as recorder:
            started = time.perf_counter()
            ws.warm()
            warm_seconds = time.perf_counter() - started
        cols = columns.read_columns(ws, recorder.expressions)
    finally:
        ws.close()
    print(f"  the import's warm: {warm_seconds:.1f} s; the first session:", flush=True)
    ws = open_workspace(root)
    try:
        evaluations = review.run(ws, plan, record=True, keep=keep, verbose=True)
        first = sum(e.total_seconds for e in evaluations)
        read = columns.read_columns(ws, [x for e in evaluations for x in e.expressions])
        cols = columns.merged(cols, read)
        for e in evaluations:
            e.expressions.clear()  # the memtables they hold can go now
        floor = scan_floor(ws, cols, max(repeat, 3))
    finally:
        ws.close()
    print("  a later session:", flush=True)
    ws = open_workspace(root)
    try:
        runs = [review.run(ws, plan, verbose=True) for _ in range(repeat)]
    finally:
        ws.close()
    best = min(runs, key=lambda run: sum(e.total_seconds for e in run))
    seconds = sum(e.seconds for e in best)
    frame_seconds = sum(e.frame_seconds for e in best)
    return ReviewRun(evaluations, seconds, first, cols, floor, frame_seconds, warm_seconds)


def figures(result: ReviewRun) -> list[Figure]:
    """P1 (the first session on freshly imported data) and P1L (a later session), each
    (engine + result frames) seconds / scan-floor seconds."""
    n_cols = sum(len(c) for c in result.columns.values())
    floor = result.floor_seconds
    later = result.total_seconds
    shared = {
        "scan_floor_seconds": floor,
        "columns_read": result.columns,
        "columns_read_count": n_cols,
    }
    first = Figure(
        bar="P1",
        title="full review, first session",
        measured=(
            f"review {result.first_seconds:.2f} s in the first session on freshly imported"
            f" data (after the import's warm, {result.warm_seconds:.1f} s, counted by P3 and"
            f" P7), scan floor {floor:.2f} s over {n_cols} columns"
        ),
        ratio=result.first_seconds / floor,
        target=TARGET,
        op="<=",
        details={
            **shared,
            "first_session_seconds": result.first_seconds,
            "warm_seconds": result.warm_seconds,
            "evaluations": [
                {
                    "request": e.request.label,
                    "seconds": round(e.seconds, 3),
                    "frame_seconds": round(e.frame_seconds, 3),
                    "rows": e.rows,
                    "engine_queries": len(e.queries),
                }
                for e in result.evaluations
            ],
        },
    )
    later_figure = Figure(
        bar="P1L",
        title="full review, later session",
        measured=(
            f"review {later:.2f} s in a later session (engine {result.seconds:.2f} s"
            f" = {result.seconds / floor:.1f} x, results' frames"
            f" {result.frame_seconds:.2f} s), scan floor {floor:.2f} s"
        ),
        ratio=later / floor,
        target=LATER_TARGET,
        op="<=",
        details={
            **shared,
            "review_seconds": later,
            "engine_seconds": result.seconds,
            "frame_seconds": result.frame_seconds,
            "engine_ratio": result.seconds / floor,
        },
    )
    return [first, later_figure]
