"""Compact chart SVG: the same drawing (pixel for pixel) in fewer nodes, every text kept."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from salesmetrics.reports import charts
from salesmetrics.reports.locale import Formats
from salesmetrics.reports.svgtidy import tidy

EN = Formats("en", "USD")

SPECS: dict[str, dict[str, Any]] = {
    "trend": charts.trend(
        "Win rate", [("Q1", 0.2), ("Q2", None), ("Q3", 0.3), ("Q4", 0.25)], "ratio", EN, target=0.3
    ),
    "waterfall": charts.waterfall(
        "MRR", ("start", 100.0), [("new", 30.0), ("churn", -20.0)], ("end", 110.0), EN
    ),
    "funnel": charts.funnel("Funnel", [("Lead", 10, 0.5), ("Won", 5, None)], EN),
    "heatmap": charts.heatmap(
        "Cohorts", [("Jan", "0", 1.0), ("Jan", "1", 0.8), ("Feb", "0", 1.0)], EN
    ),
}


def pixels(svg: str) -> Any:
    import vl_convert
    from PIL import Image

    return Image.open(io.BytesIO(vl_convert.svg_to_png(svg, scale=2))).convert("RGB")


def texts(svg: str) -> list[str]:
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.strip()]


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_a_tidied_chart_draws_the_same_pixels_with_fewer_nodes(kind: str) -> None:
    from PIL import ImageChops

    drawn = charts.to_svg(SPECS[kind])
    tidied = tidy(drawn)
    assert tidied.startswith("<svg")
    assert ImageChops.difference(pixels(drawn), pixels(tidied)).getbbox() is None
    assert texts(tidied) == texts(drawn)
    assert tidied.count("<") < 0.8 * drawn.count("<")
    assert "aria-" not in tidied and 'class="background"' not in tidied


def test_lines_drawn_alike_become_one_path_and_invisible_shapes_go() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g fill="none">'
        '<line transform="translate(1,2)" x2="5" y2="0" stroke="#888"/>'
        '<line transform="translate(1,4)" x2="5" y2="0" stroke="#888"/>'
        '<line x1="1" y1="6" x2="6" y2="6" stroke="red"/>'
        '<path d="M0,0h10v10h-10Z"/><path d="" stroke="red"/></g></svg>'
    )
    out = tidy(svg)
    assert out.count("<line") == 1 and 'x1="1"' in out
    assert 'd="M1,2l5,0M1,4l5,0"' in out
    assert "h10v10" not in out and 'd=""' not in out


def test_clip_paths_and_styled_svg_are_left_alone() -> None:
    clipped = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        '<clipPath id="c"><path d="M0,0h5v5h-5Z"/></clipPath></defs>'
        '<g fill="none"><g clip-path="url(#c)"><rect width="9" height="9" fill="red"/></g></g>'
        "</svg>"
    )
    out = tidy(clipped)
    assert 'd="M0,0h5v5h-5Z"' in out and 'clip-path="url(#c)"' in out
    styled = (
        '<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:red}</style><g class="a"/></svg>'
    )
    assert tidy(styled) == styled
