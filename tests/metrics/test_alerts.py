"""Alerts on hand-made data: a status turning off track, a move beyond the threshold, the
rules of [alerts], the deals behind each; and which period is complete (due)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesmetrics.errors import ConfigError
from salesmetrics.metrics.alerts import last_complete
from salesmetrics.workspace import Workspace, open_workspace
from tests.metrics.builder import insert
from tests.metrics.test_examples import deal

D = dt.date


def _company(ws: Workspace, extra_toml: str = "") -> Workspace:
    """April: team East wins 3 of 4 deals (30k); May: 1 of 4 (50k, one big deal). West: the
    same 2 of 4 won, 20k, both months."""
    rows = []
    for month, outcomes in (
        (4, ["won", "won", "won", "lost"]),
        (5, ["won", "lost", "lost", "lost"]),
    ):
        for i, status in enumerate(outcomes):
            amount = 50_000 if (month, i) == (5, 0) else 10_000
            rows.append(deal(f"e{month}{i}", status, D(2025, month, 10 + i), amount, owner_id="r1"))
        for i, status in enumerate(["won", "won", "lost", "lost"]):
            rows.append(deal(f"w{month}{i}", status, D(2025, month, 10 + i), 10_000, owner_id="r2"))
    insert(ws, "reps", [{"rep_id": "r1", "team": "East"}, {"rep_id": "r2", "team": "West"}])
    insert(ws, "opportunities", rows)
    (ws.root / "salesmetrics.toml").write_text(
        "[targets.win_rate]\ndefault = 0.5\n" + extra_toml, encoding="utf-8"
    )
    ws.close()
    return open_workspace(ws.root)


def _by(alerts, metric: str, team: str | None):  # type: ignore[no-untyped-def]
    found = [a for a in alerts if a.metric == metric and a.group.get("team") == team]
    return found[0] if found else None


def test_a_status_turning_off_track_alerts_with_its_deals(workspace: Workspace) -> None:
    ws = _company(workspace, '[alerts]\nmetrics = ["win_rate"]\nchange_points = 0\n')
    found = ws.alerts("2025-05")
    assert found.compare_period == "2025-04"
    # East: 75 % (on track, target 50 %) -> 25 %: off track. West: 50 % both months. Company:
    # 5/8 = 62.5 % -> 3/8 = 37.5 % (off track: below 45 %).
    east = _by(found, "win_rate", "East")
    assert east is not None and east.triggers == ("off_track",)
    assert (east.value, east.previous, east.target) == (0.25, 0.75, 0.5)
    assert east.previous_status == "on_track" and east.status == "off_track"
    assert east.deal_count == 4 and east.deal_count_before == 4
    assert east.deals[0]["opportunity_id"] == "oe50"  # the largest first
    assert _by(found, "win_rate", "West") is None
    company = _by(found, "win_rate", None)
    assert company is not None and company.value == 0.375
    assert "off track: 37.5% against target 50.0% (was on track)" in company.reasons


def test_a_move_beyond_the_threshold_alerts_and_small_ones_do_not(workspace: Workspace) -> None:
    ws = _company(workspace, '[alerts]\nmetrics = ["total_revenue"]\nchange = 0.5\nby = []\n')
    found = ws.alerts("2025-05")
    # company revenue: April 30k + 20k = 50k; May 50k + 20k = 70k: +40 %, under 50 %
    assert len(found) == 0
    ws.close()
    ws = _company(
        open_workspace(ws.root), '[alerts]\nmetrics = ["total_revenue"]\nchange = 0.3\nby = []\n'
    )
    (alert,) = ws.alerts("2025-05").alerts
    assert alert.triggers == ("change",) and alert.group == {}
    assert (alert.value, alert.previous) == (70_000, 50_000)
    assert alert.change_rate == pytest.approx(0.4)
    # the deals behind it: May's three won deals, the 50k one first
    assert alert.deal_count == 3 and alert.deal_count_before == 5
    assert alert.deals[0]["opportunity_id"] == "oe50"


def test_rules_up_down_and_levels(workspace: Workspace) -> None:
    rules = (
        '[alerts]\nmetrics = []\nchange = 0\nchange_points = 0\nby = ["team"]\n'
        'rules = ["total_revenue down", "total_revenue up 50%", "win_rate below 0.4",'
        ' "win_rate above 0.45"]\n'
    )
    ws = _company(workspace, rules)
    found = ws.alerts("2025-05", metrics=["total_revenue", "win_rate"])
    got = {(a.metric, a.group.get("team")): a.triggers for a in found}
    # revenue: East 30k -> 50k (+67 %: up 50 % holds), West 20k -> 20k, company +40 %
    # win rate: East 25 % (below 0.4), West 50 % (above 0.45), company 37.5 % (below 0.4)
    assert got == {
        ("total_revenue", "East"): ("total_revenue up 50%",),
        # (the status turning off track always alerts: the target is 50 %)
        ("win_rate", "East"): ("off_track", "win_rate below 0.4"),
        ("win_rate", "West"): ("win_rate above 0.45",),
        ("win_rate", None): ("off_track", "win_rate below 0.4"),
    }


def test_an_alert_row_drills_through_the_facade(workspace: Workspace) -> None:
    ws = _company(workspace, '[alerts]\nmetrics = ["win_rate"]\nby = ["team"]\n')
    east = _by(ws.alerts("2025-05"), "win_rate", "East")
    assert east is not None
    ids = sorted(ws.drill(east.row).execute()["opportunity_id"])
    assert ids == ["oe50", "oe51", "oe52", "oe53"]


def test_bad_rules_are_one_line_config_errors(tmp_path: Path, workspace: Workspace) -> None:
    path = workspace.root / "salesmetrics.toml"
    for rule, words in (
        ("churn up", "unknown metric 'churn'"),
        ("win_rate sideways", "unknown rule 'sideways'"),
        ("pipeline_coverage below", "'below' needs a level"),
        ("mrr moves", "'moves' needs an amount"),
    ):
        path.write_text(f'[alerts]\nrules = ["{rule}"]\n', encoding="utf-8")
        with pytest.raises(ConfigError, match=words) as caught:
            open_workspace(workspace.root)
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("grain", "data_today", "today", "expected"),
    [
        # the data reach the month's last day and the calendar has passed it
        ("month", D(2025, 12, 31), D(2026, 1, 2), "2025-12"),
        # the calendar has not: December is still running
        ("month", D(2025, 12, 31), D(2025, 12, 31), "2025-11"),
        # the data stop before the month's last day
        ("month", D(2025, 12, 30), D(2026, 3, 1), "2025-11"),
        ("quarter", D(2025, 12, 31), D(2026, 1, 1), "2025-Q4"),
        ("quarter", D(2025, 11, 15), D(2026, 1, 1), "2025-Q3"),
        ("year", D(2025, 12, 31), D(2026, 1, 1), "2025"),
        ("year", D(2025, 6, 1), D(2026, 1, 1), "2024"),
    ],
)
def test_the_last_complete_period(
    grain: str, data_today: dt.date, today: dt.date, expected: str
) -> None:
    assert last_complete(grain, data_today, today, 1).label == expected


def test_a_fiscal_year_completes_at_its_own_end() -> None:
    assert last_complete("year", D(2025, 3, 31), D(2025, 4, 2), 4).label == "FY2025"
    assert last_complete("year", D(2025, 3, 30), D(2025, 4, 2), 4).label == "FY2024"


def test_the_strongest_alerts_first_and_the_rest_counted(workspace: Workspace) -> None:
    rules = '[alerts]\nmetrics = ["win_rate", "total_revenue"]\nchange = 0.1\nchange_points = 0.1\n'
    ws = _company(workspace, rules + "limit = 2\n")
    every = ws.alerts("2025-05", limit=0)
    found = ws.alerts("2025-05")
    assert len(every) > 2 and found.left_out == len(every) - 2 and every.left_out == 0
    # off track first (East's and the company's win rate), then the largest moves
    assert [a.triggers[0] for a in found] == ["off_track", "off_track"]
    assert all(a.triggers[0] != "off_track" for a in every.alerts[2:])
    moves = [abs(a.change_rate or 0) for a in every.alerts[2:] if a.unit != "ratio"]
    assert moves == sorted(moves, reverse=True)
    assert found.to_dict()["left_out"] == found.left_out
