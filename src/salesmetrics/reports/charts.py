"""The chart layer: Vega-Lite specifications of the product's charts, and static SVG of them.

Reports (and the web app to come) draw every chart from the specifications built here, as plain
dicts (JSON), from values the engine computed: nothing here computes a metric; a waterfall's
bar positions are the running sum of the movements the engine gave, which is layout.

Every chart reads without colour: lines carry point shapes and direct value labels, targets
are dashed rules labelled "target", decreases are hatched with a dashed outline and signed
labels, heat maps print their value in every cell. :func:`to_svg` renders a specification to
SVG with vl-convert (its own Vega engine, no browser, no network).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from salesmetrics.reports.locale import Formats

#: The Vega-Lite version the specifications are written for.
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

#: One ink colour for data and a second for contrast (both dark enough for greyscale print).
INK = "#1f4e79"
CONTRAST = "#b45309"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

#: d3-format locales for axis labels (``id``: 1.234,5; currency Rp).
D3_LOCALES: dict[str, dict[str, Any]] = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
    "id": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]},
}


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "grid": True, "gridDash": [2, 2]},
        "title": {"fontSize": 12, "anchor": "start"},
    }


def _axis_format(unit: str | None) -> str:
    """The d3 format of a value axis in ``unit`` (percentages for ratios, SI for money)."""
    if unit == "ratio":
        return ".0%"
    if unit in ("money", "money_per_day"):
        return "~s"
    return ",.2~f"


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def trend(
    title: str,
    points: Sequence[tuple[str, Any]],
    unit: str | None,
    fmt: Formats,
    *,
    target: Any = None,
) -> dict[str, Any]:
    """A line of ``points`` (period label, value) with a square point and the value printed at
    each; a dashed rule labelled for ``target``."""
    known = [i for i, (_, v) in enumerate(points) if _clean(v) is not None]
    labelled = {known[0], known[-1]} if known else set()
    values = [
        {
            "period": p,
            "value": _clean(v),
            "label": fmt.value(v, unit) if i in labelled else "",
        }
        for i, (p, v) in enumerate(points)
    ]
    x = {
        "field": "period",
        "type": "ordinal",
        "sort": None,
        "title": None,
        "axis": {"labelAngle": -40, "labelFontSize": 8},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": None,
        "axis": {"format": _axis_format(unit), "tickCount": 4},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {
                "type": "line",
                "color": INK,
                "point": {"shape": "square", "filled": True, "size": 40, "color": INK},
            },
            "encoding": {"x": x, "y": y},
        },
        {
            "mark": {"type": "text", "dy": -9, "fontSize": 8, "color": "#222"},
            "encoding": {"x": x, "y": y, "text": {"field": "label"}},
        },
    ]
    t = _clean(target)
    if t is not None:
        layers.append(
            {
                "data": {"values": [{"target": t, "label": fmt.word("target").lower()}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "strokeDash": [6, 3], "color": CONTRAST},
                        "encoding": {"y": {"field": "target", "type": "quantitative"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "align": "right",
                            "dy": -5,
                            "x": "width",
                            "fontSize": 8,
                            "color": CONTRAST,
                        },
                        "encoding": {
                            "y": {"field": "target", "type": "quantitative"},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 240,
        "height": 100,
        "data": {"values": values},
        "layer": layers,
        "config": _config(),
    }


def waterfall(
    title: str,
    start: tuple[str, Any],
    steps: Sequence[tuple[str, Any]],
    end: tuple[str, Any],
    fmt: Formats,
) -> dict[str, Any]:
    """The MRR waterfall as floating bars: start, each movement (signed: increases solid,
    decreases hatched with a dashed outline and a − label), end."""
    bars: list[dict[str, Any]] = []
    running = _clean(start[1]) or 0.0
    bars.append(
        {"step": start[0], "lo": 0.0, "hi": running, "kind": "total", "label": fmt.money(running)}
    )
    for name, amount in steps:
        a = _clean(amount) or 0.0
        lo, hi = sorted((running, running + a))
        sign = "+" if a >= 0 else "−"
        kind = "increase" if a >= 0 else "decrease"
        bars.append(
            {"step": name, "lo": lo, "hi": hi, "kind": kind, "label": sign + fmt.money(abs(a))}
        )
        running += a
    final = _clean(end[1])
    bars.append(
        {
            "step": end[0],
            "lo": 0.0,
            "hi": final if final is not None else running,
            "kind": "total",
            "label": fmt.money(final if final is not None else running),
        }
    )
    x = {
        "field": "step",
        "type": "ordinal",
        "sort": None,
        "title": None,
        "axis": {"labelAngle": 0, "labelLimit": 90},
    }
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 520,
        "height": 170,
        "data": {"values": bars},
        "layer": [
            {
                "mark": {"type": "bar", "stroke": "#222", "strokeWidth": 1},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "lo",
                        "type": "quantitative",
                        "title": None,
                        "axis": {"format": "~s"},
                        # near the totals, not from zero: the movements are what to see
                        "scale": {"domain": _zoomed(bars), "clamp": True, "nice": False},
                    },
                    "y2": {"field": "hi"},
                    "fill": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": {
                            "domain": ["total", "increase", "decrease"],
                            "range": [INK, "#6b9bc8", "#f3d9b1"],
                        },
                        "legend": None,
                    },
                    "strokeDash": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": {
                            "domain": ["total", "increase", "decrease"],
                            "range": [[1, 0], [1, 0], [4, 2]],
                        },
                        "legend": None,
                    },
                },
            },
            {
                "mark": {"type": "text", "dy": -6, "fontSize": 8, "color": "#222"},
                "encoding": {
                    "x": x,
                    "y": {"field": "hi", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ],
        "config": _config(),
    }


def _zoomed(bars: Sequence[dict[str, Any]]) -> list[float]:
    """A value range holding every bar's top and every movement, with a margin (the totals'
    bars are cut at its bottom)."""
    ends = [b["hi"] for b in bars] + [b["lo"] for b in bars if b["kind"] != "total"]
    low, high = min(ends), max(ends)
    margin = (high - low) * 0.25 or abs(high) * 0.05 or 1.0
    return [low - margin, high + margin * 0.5]


def funnel(title: str, stages: Sequence[tuple[str, Any, Any]], fmt: Formats) -> dict[str, Any]:
    """Horizontal bars of deals reaching each stage (in funnel order), labelled with the count
    and the conversion to the next stage."""
    values = [
        {
            "stage": stage,
            "reached": _clean(reached) or 0.0,
            "label": f"{fmt.fixed(reached, 0)}  →  {fmt.percent(rate)}"
            if _clean(rate) is not None
            else fmt.fixed(reached, 0),
        }
        for stage, reached, rate in stages
    ]
    y = {"field": "stage", "type": "ordinal", "sort": None, "title": None}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 380,
        "height": {"step": 20},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "color": INK},
                "encoding": {
                    "y": y,
                    "x": {"field": "reached", "type": "quantitative", "title": None},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 9, "color": "#222"},
                "encoding": {
                    "y": y,
                    "x": {"field": "reached", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ],
        "config": _config(),
    }


def _no_grid() -> dict[str, Any]:
    config = _config()
    config["axis"] = {**config["axis"], "grid": False, "domain": False, "ticks": False}
    return config


def heatmap(title: str, cells: Sequence[tuple[str, str, Any]], fmt: Formats) -> dict[str, Any]:
    """A triangle of (row label, column label, ratio) as shaded cells, each printing its
    percentage (so it reads without colour)."""
    values = [
        {"row": r, "col": c, "value": _clean(v), "label": fmt.percent(v, 0)} for r, c, v in cells
    ]
    x = {
        "field": "col",
        "type": "ordinal",
        "sort": None,
        "title": None,
        "axis": {"labelAngle": 0, "orient": "top"},
    }
    y = {"field": "row", "type": "ordinal", "sort": None, "title": None}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": {"step": 34},
        "height": {"step": 16},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "white"},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "value",
                        "type": "quantitative",
                        "scale": {"scheme": "blues", "domain": [0, 1]},
                        "legend": None,
                    },
                },
            },
            {
                "mark": {"type": "text", "fontSize": 8},
                "encoding": {
                    "x": x,
                    "y": y,
                    "text": {"field": "label"},
                    "color": {
                        "condition": {"test": "datum.value > 0.6", "value": "white"},
                        "value": "#111",
                    },
                },
            },
        ],
        "config": _no_grid(),
    }


def to_svg(spec: dict[str, Any], lang: str = "en") -> str:
    """``spec`` rendered to standalone SVG text (no browser, no network)."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(
        spec, format_locale=D3_LOCALES.get(lang, D3_LOCALES["en"])
    )
    return svg
