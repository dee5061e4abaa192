"""Bar P8S: the small demo in-process, where fixed costs (building and compiling Ibis
expressions) dominate, against fixed limits.

On a copy of the small demo as right after ``salesmetrics demo`` built it (its kept
intermediates dropped and the ``workspace.duckdb.cache`` folder removed, then the build's own
last step, :meth:`Workspace.warm` with nothing remembered, timed and reported beside the bar),
in this process: opening the workspace and the first review of every metric, 2025 by quarter,
by team (≤ 1.5 s), then on the same session a request shape not asked before, 2025 by month, by
rep (≤ 1 s). Each time counts the engine and
the result's frame (as P1). The ratio is the worse of time / limit, so the bar holds at ≤ 1.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import cache, review
from bench.results import Figure
from salesmetrics.workspace import open_workspace

BAR = "P8S"
FIRST_LIMIT = 1.5
NEW_SHAPE_LIMIT = 1.0


@dataclass(frozen=True)
class SmallRun:
    """Seconds of the first review (opening included), of the new request shape, and of the
    build's warm before them."""

    first_seconds: float
    new_shape_seconds: float
    warm_seconds: float = 0.0


def as_built(root: Path) -> float:
    """Leave the workspace ``root`` as right after ``salesmetrics demo`` built it: nothing kept
    but what the build's warm computed; the warm's seconds."""
    ws = open_workspace(root)
    try:
        ws.derived.reset()
        shutil.rmtree(root / "workspace.duckdb.cache", ignore_errors=True)
        started = time.perf_counter()
        ws.warm()
        return time.perf_counter() - started
    finally:
        ws.close()


def run(root: Path, year: str) -> SmallRun:
    """Time the first review of ``root`` (made as built first) and then the new shape."""
    warm_seconds = as_built(root)
    started = time.perf_counter()
    ws = open_workspace(root)
    try:
        review.run(ws, [review.Request(year, "quarter", ("team",))])
        first_seconds = time.perf_counter() - started  # its frame built inside review.run
        (new,) = review.run(ws, [review.Request(year, "month", ("rep",))])
    finally:
        ws.close()
    return SmallRun(first_seconds, new.total_seconds, warm_seconds)


def measure(demo: Path, year: str) -> Figure:
    """P8S on a temporary copy of the small demo ``demo``."""
    with tempfile.TemporaryDirectory(prefix="p9-") as folder:
        return figure(run(cache.copy_workspace(demo, Path(folder)), year), year)


def figure(result: SmallRun, year: str) -> Figure:
    """P8S as a figure: the worse of first / 1.5 s and new shape / 1 s."""
    ratios = {
        "first_review": result.first_seconds / FIRST_LIMIT,
        "new_shape": result.new_shape_seconds / NEW_SHAPE_LIMIT,
    }
    return Figure(
        BAR,
        "small demo in-process",
        (
            f"first review ({year} by quarter, by team, as built) {result.first_seconds:.2f} s"
            f" (≤ {FIRST_LIMIT:g}), then {year} by month, by rep {result.new_shape_seconds:.2f} s"
            f" (≤ {NEW_SHAPE_LIMIT:g}); the build's warm before them {result.warm_seconds:.2f} s"
        ),
        max(ratios.values()),
        1.0,
        "<=",
        details={
            "first_review_seconds": result.first_seconds,
            "new_shape_seconds": result.new_shape_seconds,
            "warm_seconds": result.warm_seconds,
            "limit_seconds": {"first_review": FIRST_LIMIT, "new_shape": NEW_SHAPE_LIMIT},
            "ratios": ratios,
            "year": year,
        },
    )
