"""Bar P7: an incremental import and the next full review, against the scan floor (≤ 5 ×).

On a copy of the medium demo (the import writes), a first session runs P1's review untimed,
recorded (it starts with no kept intermediates, as P1's first session, and keeps them), so the
workspace is as a user leaves it and the columns the review reads are known. Then, timed in a
new session: 1 % more opportunities (with their history) and 1 % more activities imported
through the product's importer from CSV files (:mod:`bench.increment`), and the next full
review (P1's plan, engine and result frames). The figure is that sum over the scan floor
(:func:`bench.p1_review.scan_floor` of the review's columns), measured after, on the grown data.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import cache, columns, increment, p1_review, review
from bench.results import Figure
from salesmetrics.workspace import open_workspace

BAR = "P7"
TARGET = 5.0


@dataclass(frozen=True)
class IncrementalRun:
    """Seconds of each import, of the next review (engine and frames), of the scan floor; the
    rows imported per table and the number of columns the floor reads."""

    import_seconds: dict[str, float]
    review_seconds: float
    floor_seconds: float
    rows: dict[str, int]
    columns_read: int
    #: Rows the importer accepted per table (the bar fails unless all ``rows`` were).
    loaded: dict[str, int]

    @property
    def seconds(self) -> float:
        """The bar's time: every import and the review."""
        return sum(self.import_seconds.values()) + self.review_seconds


def run(root: Path, plan: Sequence[review.Request], work: Path) -> IncrementalRun:
    """Warm ``root`` with the review, write the new rows to ``work``, then time the imports and
    the next review in a new session; the scan floor after."""
    ws = open_workspace(root)
    try:
        ws.derived.reset()
        evaluations = review.run(ws, plan, record=True)
        cols = columns.read_columns(ws, [x for e in evaluations for x in e.expressions])
        evaluations.clear()
        new = increment.generate(ws.duckdb, work)
    finally:
        ws.close()
    ws = open_workspace(root)
    try:
        ws.backend  # noqa: B018 - open the database before timing
        # the warm computes the recent requests (the warming review's) for the new data
        imports, loaded = increment.import_and_warm(ws, new)
        after = review.run(ws, plan, verbose=True)
        floor = p1_review.scan_floor(ws, cols, 3)
    finally:
        ws.close()
    n_cols = sum(len(c) for c in cols.values())
    review_seconds = sum(e.total_seconds for e in after)
    return IncrementalRun(imports, review_seconds, floor, new.rows, n_cols, loaded)


def measure(demo: Path, year: str) -> Figure:
    """P7 on a temporary copy of the workspace ``demo`` (removed after)."""
    with tempfile.TemporaryDirectory(prefix="p7-") as folder:
        root = cache.copy_workspace(demo, Path(folder))
        return figure(run(root, review.requests(year), Path(folder) / "new"))


def figure(result: IncrementalRun) -> Figure:
    """P7 as a figure: (imports + next review) seconds / scan-floor seconds."""
    imported = sum(result.import_seconds.values())
    rows = ", ".join(f"{n:,} {t}" for t, n in result.rows.items())
    return Figure(
        BAR,
        "import 1 % + review",
        (
            f"import {imported:.2f} s ({rows}) + next review {result.review_seconds:.2f} s"
            f" = {result.seconds:.2f} s, scan floor {result.floor_seconds:.2f} s over"
            f" {result.columns_read} columns"
        ),
        result.seconds / result.floor_seconds,
        TARGET,
        "<=",
        details={
            "seconds": result.seconds,
            "import_seconds": result.import_seconds,
            "review_seconds": result.review_seconds,
            "scan_floor_seconds": result.floor_seconds,
            "rows_imported": result.rows,
            "columns_read_count": result.columns_read,
            "rows_loaded": result.loaded,
        },
        note="" if result.loaded == result.rows else f"rows loaded {result.loaded}: not all",
        check_failed=result.loaded != result.rows,
    )
