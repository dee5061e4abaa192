"""The printed pack's excerpts of long tables: each metric's highest and lowest groups, the
first reps of the leaderboard, and a note saying where every row is."""

from __future__ import annotations

from typing import Any

from salesmetrics.reports import excerpts
from salesmetrics.reports.locale import Formats

EN = Formats("en", "USD")
ID = Formats("id", "IDR")


def rows(metric: str, values: list[Any]) -> list[dict[str, Any]]:
    """Rows of ``metric`` by team, one per value."""
    return [
        {"metric": metric, "group": {"team": f"t{i}"}, "value": v} for i, v in enumerate(values)
    ]


def test_each_metric_keeps_its_highest_and_lowest_values_highest_first() -> None:
    table = rows("win_rate", [0.5, 0.1, 0.9, None, 0.3, 0.7, 0.2, 0.8]) + rows("mrr", [1.0, 2.0])
    shown = excerpts.extremes(table, each=2)
    assert [(r["metric"], r["value"]) for r in shown] == [
        ("win_rate", 0.9),
        ("win_rate", 0.8),
        ("win_rate", 0.2),
        ("win_rate", 0.1),
        ("mrr", 2.0),
        ("mrr", 1.0),
    ]


def test_a_metric_with_few_groups_keeps_them_all_unvalued_last() -> None:
    shown = excerpts.extremes(rows("mrr", [None, 1.0, float("nan"), 3.0]), each=2)
    assert [r["group"]["team"] for r in shown] == ["t3", "t1", "t0", "t2"]


def test_a_short_breakdown_is_printed_whole() -> None:
    assert excerpts.breakdown(rows("mrr", list(range(excerpts.PRINTED_ROWS))), "team", EN) is None
    # long, but every metric has few groups: nothing to leave out
    few = [r for m in range(30) for r in rows(f"m{m}", [1.0, 2.0, 3.0])]
    assert excerpts.breakdown(few, "team", EN) is None


def test_a_long_breakdown_prints_the_extremes_and_says_so_by_locale() -> None:
    table = [r for m in range(20) for r in rows(f"m{m}", [float(v) for v in range(55)])]
    printed = excerpts.breakdown(table, "team", ID)
    assert printed is not None
    assert len(printed.rows) == 20 * 2 * excerpts.EACH_END
    assert "120 dari 1.100 baris" in printed.note and "menurut tim" in printed.note


def test_a_long_leaderboard_prints_its_first_reps() -> None:
    ranked = [{"rank": i, "rep": f"r{i}"} for i in range(1, 41)]
    printed = excerpts.leaders(ranked, EN)
    assert printed is not None
    assert [r["rank"] for r in printed.rows] == list(range(1, excerpts.LEADERS + 1))
    assert f"first {excerpts.LEADERS} of 40 reps" in printed.note
    assert excerpts.leaders(ranked[: excerpts.LEADERS], EN) is None
