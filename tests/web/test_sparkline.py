"""Sparklines: gaps break the line, nothing known draws nothing, titles are escaped."""

from __future__ import annotations

from salesmetrics.web.sparkline import sparkline


def test_a_gap_breaks_the_line() -> None:
    svg = sparkline([1.0, 2.0, None, 3.0, 4.0], "Win rate")
    assert svg.count("<polyline") == 2
    assert "<title>Win rate</title>" in svg


def test_no_known_value_draws_nothing() -> None:
    assert sparkline([None, None], "x") == ""
    assert sparkline([], "x") == ""


def test_a_flat_line_and_one_point_draw() -> None:
    assert "<polyline" in sparkline([2.0, 2.0, 2.0], "flat")
    assert "<rect" in sparkline([5.0], "one")


def test_the_title_is_escaped() -> None:
    svg = sparkline([1.0, 2.0], '<script>"x"</script>')
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
