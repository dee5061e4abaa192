"""What the printed pack (the PDF) shows of a long table; the HTML and the XLSX show every row.

A breakdown by team of the medium demo holds 19 metrics × 55 teams (1,050 rows, about 35 A4
pages) and the rep leaderboard 394 reps: laying such tables out was most of the PDF's time, and
nobody reads them on paper. Printed, a breakdown keeps each metric's highest and lowest groups
and the leaderboard its first reps, with a note saying what was left out and where it is.
Choosing rows is ordering the engine's values, never computing one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from salesmetrics.reports.locale import Formats
from salesmetrics.reports.model import Excerpt

#: A breakdown of at most this many rows is printed whole.
PRINTED_ROWS = 60
#: How many of the highest and of the lowest groups of each metric a printed breakdown shows.
EACH_END = 3
#: How many reps a printed leaderboard shows (a longer one is cut after them).
LEADERS = 25


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def extremes(rows: Sequence[dict[str, Any]], each: int = EACH_END) -> list[dict[str, Any]]:
    """For each ``metric`` of ``rows`` (in order of first appearance), its rows highest
    ``value`` first: the ``each`` highest and the ``each`` lowest, or all of them when the
    metric has at most ``2 × each`` (rows without a finite value last)."""
    by_metric: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_metric.setdefault(row.get("metric"), []).append(row)
    shown: list[dict[str, Any]] = []
    for mine in by_metric.values():
        valued = sorted(
            (r for r in mine if _number(r.get("value")) is not None),
            key=lambda r: -(_number(r.get("value")) or 0.0),
        )
        if len(mine) <= 2 * each:
            shown += valued + [r for r in mine if _number(r.get("value")) is None]
        elif len(valued) <= 2 * each:
            shown += valued
        else:
            shown += valued[:each] + valued[-each:]
    return shown


def breakdown(rows: Sequence[dict[str, Any]], dim: str, fmt: Formats) -> Excerpt | None:
    """What a printed breakdown by ``dim`` shows: each metric's extremes when ``rows`` are
    more than :data:`PRINTED_ROWS` (None: every row)."""
    if len(rows) <= PRINTED_ROWS:
        return None
    shown = extremes(rows)
    if len(shown) == len(rows):
        return None
    note = fmt.word(
        "printed_extremes",
        each=EACH_END,
        dim=fmt.dim(dim),
        shown=fmt.fixed(len(shown), 0),
        total=fmt.fixed(len(rows), 0),
    )
    return Excerpt(shown, note)


def leaders(rows: Sequence[dict[str, Any]], fmt: Formats) -> Excerpt | None:
    """What a printed leaderboard of ranked ``rows`` shows: the first :data:`LEADERS` (None:
    every row, when there are no more)."""
    if len(rows) <= LEADERS:
        return None
    note = fmt.word("printed_leaders", shown=fmt.fixed(LEADERS, 0), total=fmt.fixed(len(rows), 0))
    return Excerpt(list(rows[:LEADERS]), note)
