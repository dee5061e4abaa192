"""Figures, the results file and the summary; the review's plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bench.results import Figure, not_measured, summary, write

from bench import machine, review


def _figures() -> list[Figure]:
    return [
        Figure("P1", "full review", "review 10 s, floor 4 s", 2.5, 5.0, "<="),
        Figure("P3", "CSV import", "x", 0.4, 0.5, ">="),
        Figure("P2", "against pandas", "y", 20.0, 10.0, ">=", check_failed=True),
        not_measured("P9", "later", 1.0, "<=", "not built yet"),
    ]


def test_holds_compares_ratio_and_target() -> None:
    assert [f.holds for f in _figures()] == [True, False, False, None]


def test_results_file_has_machine_figures_and_verdicts(tmp_path: Path) -> None:
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    path = write(_figures(), machine.describe(), {"scale": "medium"}, tmp_path, now)
    assert path.name == "20260102T030405Z.json"
    data = json.loads(path.read_text())
    assert {"cpu", "cores", "ram_gib", "os", "python", "duckdb", "ibis"} <= set(data["machine"])
    assert [f["holds"] for f in data["figures"]] == [True, False, False, None]
    assert data["figures"][0]["ratio"] == 2.5


def test_summary_has_a_line_per_bar_then_what_was_measured_and_the_note() -> None:
    long = "review 10 s (first session 400 s), scan floor 4 s; " * 4
    figures = _figures()
    figures[0].measured = long.strip()
    lines = summary(figures, width=60).splitlines()
    bars = [line.split()[0] for line in lines[2:] if not line.startswith(" ")]
    assert bars == ["P1", "P3", "P2", "P9"]
    p3 = next(i for i, line in enumerate(lines) if line.startswith("P3"))
    assert lines[p3].split()[-1] == "NO" and lines[p3 + 1].strip() == "x"
    measured = lines[3 : next(i for i, line in enumerate(lines) if line.startswith("P3"))]
    assert all(len(line) <= 60 and line.startswith("     ") for line in measured)
    assert " ".join(line.strip() for line in measured) == long.strip()  # in full, wrapped
    assert lines[-2].endswith("not measured") and lines[-1].strip() == "not built yet"


def test_review_plan_is_the_last_full_year_by_two_grains_and_three_groupings() -> None:
    assert review.last_full_year(dt.date(2025, 12, 31)) == "2025"
    assert review.last_full_year(dt.date(2026, 3, 1)) == "2025"
    plan = review.requests("2025")
    assert [(r.grain, r.by) for r in plan] == [
        ("quarter", ()),
        ("quarter", ("team",)),
        ("quarter", ("rep",)),
        ("month", ()),
        ("month", ("team",)),
        ("month", ("rep",)),
    ]


def test_memory_figure_in_gib() -> None:
    from bench import p5_memory

    assert p5_memory.peak_rss_bytes() > 0
    child = {"peak_rss_bytes": 2 * 2**30, "seconds": 12.0, "rows": 5}
    fig = p5_memory.figure(child)
    assert fig.ratio == 2.0 and fig.holds is True
    large = p5_memory.figure(child | {"peak_rss_bytes": 25 * 2**30}, bar="P5L", target=24.0)
    assert large.holds is False
    # with a first session's child too: the larger peak decides
    heavier = child | {"peak_rss_bytes": 4 * 2**30}
    both = p5_memory.figure(child, first=heavier)
    assert both.ratio == 4.0 and both.holds is False and "first session 4.00 GiB" in both.measured
    assert p5_memory.figure(heavier, first=child).ratio == 4.0
