"""The chart layer: Vega-Lite specifications readable without colour, drawn to SVG offline."""

from __future__ import annotations

import re

from salesmetrics.reports import charts
from salesmetrics.reports.locale import Formats

EN = Formats("en", "USD")


def test_a_trend_has_point_shapes_end_labels_and_a_dashed_labelled_target() -> None:
    spec = charts.trend(
        "Win rate", [("Q1", 0.2), ("Q2", None), ("Q3", 0.3)], "ratio", EN, target=0.25
    )
    line = spec["layer"][0]["mark"]
    assert line["point"]["shape"] == "square"
    labels = [v["label"] for v in spec["data"]["values"]]
    assert labels == ["20.0%", "", "30.0%"]
    rule = spec["layer"][2]["layer"][0]["mark"]
    assert rule["type"] == "rule" and rule["strokeDash"]
    assert spec["layer"][2]["data"]["values"][0]["label"] == "target"


def test_a_waterfall_runs_from_start_to_end_with_signed_labels() -> None:
    spec = charts.waterfall(
        "MRR", ("start", 100.0), [("new", 30.0), ("churn", -20.0)], ("end", 110.0), EN
    )
    bars = spec["data"]["values"]
    assert [(b["lo"], b["hi"]) for b in bars] == [(0, 100), (100, 130), (110, 130), (0, 110)]
    assert [b["label"] for b in bars[1:3]] == ["+$30.00", "−$20.00"]
    assert spec["layer"][0]["encoding"]["strokeDash"]["scale"]["range"][2] != [1, 0]


def test_charts_draw_to_svg_without_any_url() -> None:
    for spec in (
        charts.trend("Revenue", [("Q1", 10.0), ("Q2", 12.0)], "money", EN),
        charts.funnel("Funnel", [("Lead", 10, 0.5), ("Won", 5, None)], EN),
        charts.heatmap("Cohorts", [("Jan", "0", 1.0), ("Jan", "1", 0.8)], EN),
    ):
        svg = charts.to_svg(spec)
        assert svg.lstrip().startswith("<svg")
        assert not re.search(r"(?:href|src)=\"(?:https?:)?//", svg)


def test_indonesian_axes_use_indonesian_separators() -> None:
    spec = charts.trend("Nilai", [("a", 1000.0), ("b", 3000.0)], "number", Formats("id", "USD"))
    svg = charts.to_svg(spec, "id")
    assert "2.000" in svg and "2,000" not in svg
    assert "1.000,00" in svg  # the first point's label
