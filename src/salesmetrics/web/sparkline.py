"""Sparklines: a small inline SVG line of values the engine computed (layout only).

The dashboard shows one per metric, so each must cost microseconds, not the tenth of a second
the chart layer's Vega renderer takes for a full chart (:func:`salesmetrics.reports.charts.to_svg`,
used for the metric page's trend). A gap (an undefined value) breaks the line; the last point
is marked with a square so the line reads without colour, and the SVG has a text title for
screen readers; its numbers are in the table view of the metric page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

WIDTH = 120
HEIGHT = 28
PAD = 3


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def sparkline(values: Sequence[float | None], title: str) -> str:
    """An inline SVG of ``values`` (None for a gap) with ``title`` as its accessible name; an
    empty string when no value is known."""
    known = [v for v in values if v is not None and _finite(v)]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        x = PAD + i * step
        y = HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD)
        return round(x, 1), round(y, 1)

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None or not _finite(v):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(point(i, v))
    lines = "".join(
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in run)}" />' for run in runs if run
    )
    last_x, last_y = next(p for run in reversed(runs) for p in reversed(run))
    return (
        f'<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<g fill="none" stroke="currentColor" stroke-width="1.5">{lines}</g>'
        f'<rect x="{last_x - 2}" y="{last_y - 2}" width="4" height="4" fill="currentColor" />'
        "</svg>"
    )
