"""The forecast roll-up: each level's latest submission per category and the sum of the level
below's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from salesmetrics import Workspace
from salesmetrics.metrics.submissions import Member, rollup

T0 = dt.datetime(2026, 1, 5, 9)


def forecast(
    fid: str,
    scope: str,
    scope_id: str | None,
    category: str,
    amount: str,
    day: int,
    method: str = "manager",
) -> dict[str, str | None]:
    return {
        "forecast_id": fid,
        "scope": scope,
        "scope_id": scope_id,
        "period": "2026-Q1",
        "amount": amount,
        "submitted_at": (T0 + dt.timedelta(days=day)).isoformat(sep=" "),
        "category": category,
        "method": method,
    }


def test_the_latest_submission_of_each_level_rolls_up(workspace: Workspace) -> None:
    ws = workspace
    ws.enter_rows(
        "reps",
        [
            {"rep_id": "R1", "team": "East"},
            {"rep_id": "R2", "team": "East"},
            {"rep_id": "R3", "team": "West"},
        ],
        source="reps",
    )
    ws.enter_rows(
        "forecasts",
        [
            forecast("a", "rep", "R1", "most_likely", "100", 0),
            forecast("b", "rep", "R1", "most_likely", "120", 1),  # later: replaces a
            forecast("c", "rep", "R2", "most_likely", "50", 0),
            forecast("d", "rep", "R2", "commit", "40", 0),
            forecast("e", "team", "East", "commit", "150", 2),
            forecast("f", "company", None, "commit", "400", 3),
            forecast(
                "g", "team", "West", "commit", "999", 1, method="statistical"
            ),  # not a person's
            {**forecast("h", "rep", "R3", "most_likely", "70", 0), "period": "2026-Q2"},
        ],
        source="forecasts",
    )
    label, found = ws.submitted_forecasts("2026-Q1")
    assert label == "2026-Q1"
    company = rollup(found, ws.roster())
    assert company.submitted["commit"].amount == Decimal("400")
    assert company.below == {"commit": Decimal("150")}
    east, west = company.children
    assert (east.scope_id, west.scope_id) == ("East", "West")
    assert east.below == {"most_likely": Decimal("170"), "commit": Decimal("40")}
    assert west.submitted == {} and west.below == {}
    r1 = east.children[0]
    assert r1.submitted["most_likely"].amount == Decimal("120")
    only_west = rollup(found, ws.roster(), ["West"])
    assert [t.scope_id for t in only_west.children] == ["West"]


def test_roster_lists_every_rep_by_team(workspace: Workspace) -> None:
    workspace.enter_rows(
        "reps",
        [{"rep_id": "R2", "team": "B", "name": "Bo"}, {"rep_id": "R1", "team": "A"}],
        source="reps",
    )
    assert workspace.roster() == [Member("R1", None, "A"), Member("R2", "Bo", "B")]
