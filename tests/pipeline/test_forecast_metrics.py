"""sales_forecast_accuracy and forecast_bias as metrics of the engine: the forecast used (latest
before the period's start, else before its end), the scopes (company, team, rep), the basis
(forecast method), undefined values with notes, and the drill-down to the forecast rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from salesmetrics.errors import UserError
from salesmetrics.metrics.drill import drill
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert, own_note

D = dt.date
T = dt.datetime
Q2 = "2024-Q2"
METRICS = ["sales_forecast_accuracy", "forecast_bias"]
#: The note of every row with the default configuration: the category and method judged.
CHOSEN = "most_likely forecasts of method manager"


def won(
    i: int | str, amount: float, owner: str | None = None, close: dt.date = D(2024, 5, 1)
) -> dict[str, Any]:
    return {
        "opportunity_id": f"w{i}",
        "stage": "Closed Won",
        "status": "won",
        "close_date": close,
        "amount": amount,
        "owner_id": owner,
        "created_at": T(2024, 1, 2),
    }


def fc(
    fid: str,
    amount: float,
    submitted: dt.datetime,
    scope: str = "company",
    scope_id: str | None = None,
    period: str = Q2,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "forecast_id": fid,
        "scope": scope,
        "scope_id": scope_id,
        "period": period,
        "amount": amount,
        "submitted_at": submitted,
        **extra,
    }


def rows(ws: Workspace, period: str = Q2, **options: Any) -> dict[tuple[str, ...], Any]:
    """Result rows by (metric, period, group values...)."""
    result = ws.metrics(METRICS, period=period, **options)
    return {
        (r["metric"], r["period"], *(str(v) for v in r["group"].values())): r for r in result.rows()
    }


def test_seed_example(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(i, 100_000) for i in range(10)])
    insert(workspace, "forecasts", [fc("f1", 900_000, T(2024, 3, 25, 9))])
    got = rows(workspace)
    acc, bias = got["sales_forecast_accuracy", Q2], got["forecast_bias", Q2]
    assert acc["value"] == pytest.approx(0.9) and own_note(acc["note"]) == CHOSEN
    assert bias["value"] == pytest.approx(-0.1) and own_note(bias["note"]) == CHOSEN
    c = acc["components"]
    assert (c["forecast"], c["actual"]) == (900_000, 1_000_000)
    assert (c["method"], c["category"], c["forecast_id"], c["late"]) == (
        "manager",
        "most_likely",
        "f1",
        False,
    )
    assert acc["target"] is None and acc["status"] is None
    used = drill(workspace, acc).to_pandas()
    assert used["forecast_id"].tolist() == ["f1"]
    assert used["amount"].tolist() == [900_000]


def test_latest_before_start_and_resubmissions_after_it(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(i, 100_000) for i in range(10)])
    insert(
        workspace,
        "forecasts",
        [
            fc("old", 700_000, T(2024, 3, 1)),
            fc("last", 900_000, T(2024, 3, 30)),
            fc("resubmitted", 1_000_000, T(2024, 4, 20)),  # after s: ignored
            fc("commit", 800_000, T(2024, 3, 30), category="commit"),
            fc("stat", 1_100_000, T(2024, 3, 30), method="statistical"),
        ],
    )
    got = rows(workspace)
    acc = got["sales_forecast_accuracy", Q2]
    assert acc["value"] == pytest.approx(0.9)
    assert acc["components"]["forecast_id"] == "last"
    assert acc["components"]["forecast_commit"] == 800_000
    stat = rows(workspace, basis={"forecast_bias": "statistical"})["forecast_bias", Q2]
    assert stat["value"] == pytest.approx(0.1)
    assert stat["components"]["method"] == "statistical"
    with pytest.raises(UserError, match="unknown basis"):
        workspace.metrics(["forecast_bias"], period=Q2, basis={"forecast_bias": "guess"})


def test_configured_category_and_method_are_judged_and_named(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(i, 100_000) for i in range(10)])
    before = T(2024, 3, 30)
    insert(
        workspace,
        "forecasts",
        [
            fc("likely", 900_000, before),
            fc("commit", 800_000, before, category="commit"),
            fc("best", 1_200_000, before, category="best_case"),
            fc("stat-commit", 750_000, before, method="statistical", category="commit"),
            fc("stat-best", 1_300_000, before, method="statistical", category="best_case"),
        ],
    )
    workspace.config.forecast_category = "commit"
    got = rows(workspace)
    acc, bias = got["sales_forecast_accuracy", Q2], got["forecast_bias", Q2]
    # 1 − |1,000,000 − 800,000| / 1,000,000 and (800,000 − 1,000,000) / 1,000,000
    assert acc["value"] == pytest.approx(0.8) and bias["value"] == pytest.approx(-0.2)
    assert own_note(acc["note"]) == own_note(bias["note"]) == "commit forecasts of method manager"
    c = acc["components"]
    assert (c["category"], c["method"], c["forecast_id"], c["forecast"]) == (
        "commit",
        "manager",
        "commit",
        800_000,
    )
    assert (c["forecast_most_likely"], c["forecast_best_case"]) == (900_000, 1_200_000)
    workspace.config.forecast_method = "statistical"
    acc = rows(workspace)["sales_forecast_accuracy", Q2]
    assert acc["value"] == pytest.approx(0.75)
    assert own_note(acc["note"]) == "commit forecasts of method statistical"
    assert acc["components"]["forecast_id"] == "stat-commit"
    # a basis asked for overrides the configured method, not the category
    asked = rows(workspace, basis={"sales_forecast_accuracy": "manager"})
    assert (
        own_note(asked["sales_forecast_accuracy", Q2]["note"])
        == "commit forecasts of method manager"
    )
    workspace.config.forecast_category = "best_case"
    missing = rows(workspace, basis={"sales_forecast_accuracy": "weighted_pipeline"})
    assert missing["sales_forecast_accuracy", Q2]["value"] is None
    assert own_note(missing["sales_forecast_accuracy", Q2]["note"]) == (
        "best_case forecasts of method weighted_pipeline; none for the company in 2024-Q2"
    )


def test_none_before_start_uses_the_latest_before_the_end_noted(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(i, 100_000) for i in range(10)])
    insert(
        workspace,
        "forecasts",
        [
            fc("mid", 950_000, T(2024, 5, 10, 8)),
            fc("earlier", 800_000, T(2024, 4, 10)),
            fc("after", 1_000_000, T(2024, 7, 2)),  # after e: never used
        ],
    )
    acc = rows(workspace)["sales_forecast_accuracy", Q2]
    assert acc["value"] == pytest.approx(0.95)
    assert acc["components"]["forecast_id"] == "mid"
    assert acc["components"]["late"] is True
    assert "no forecast submitted before 2024-Q2 started" in own_note(acc["note"])
    assert "2024-05-10 08:00" in own_note(acc["note"])


def test_by_team_and_by_rep(workspace: Workspace) -> None:
    insert(
        workspace,
        "reps",
        [
            {"rep_id": "r1", "team": "East", "region": "EU"},
            {"rep_id": "r2", "team": "East", "region": "EU"},
            {"rep_id": "r3", "team": "West", "region": "US"},
        ],
    )
    insert(
        workspace,
        "opportunities",
        [won(1, 300_000, "r1"), won(2, 200_000, "r2"), won(3, 400_000, "r3")],
    )
    before = T(2024, 3, 28)
    insert(
        workspace,
        "forecasts",
        [
            fc("c", 1_000_000, before),
            fc("east", 450_000, before, "team", "East"),
            fc("r1", 330_000, before, "rep", "r1"),
            fc("r3", 200_000, before, "rep", "r3"),
        ],
    )
    company = rows(workspace)
    assert company["forecast_bias", Q2]["value"] == pytest.approx(100_000 / 900_000)
    team = rows(workspace, by="team")
    assert team["sales_forecast_accuracy", Q2, "East"]["value"] == pytest.approx(0.9)
    assert team["forecast_bias", Q2, "East"]["value"] == pytest.approx(-0.1)
    west = team["sales_forecast_accuracy", Q2, "West"]
    assert west["value"] is None
    assert own_note(west["note"]) == f"{CHOSEN}; none for team West in 2024-Q2"
    assert west["components"]["actual"] == 400_000
    rep = rows(workspace, by="rep")
    assert rep["forecast_bias", Q2, "r1"]["value"] == pytest.approx(0.1)
    assert rep["sales_forecast_accuracy", Q2, "r3"]["value"] == pytest.approx(0.5)
    r2 = rep["sales_forecast_accuracy", Q2, "r2"]
    assert own_note(r2["note"]) == f"{CHOSEN}; none for rep r2 in 2024-Q2"
    east = drill(workspace, team["sales_forecast_accuracy", Q2, "East"]).to_pandas()
    assert east["forecast_id"].tolist() == ["east"]
    region = workspace.metrics(METRICS, period=Q2, by="region").rows()
    assert {own_note(r["note"]) for r in region} == {
        "not available by region: forecasts data carry no region"
    }


def test_period_without_forecasts_and_without_revenue(workspace: Workspace) -> None:
    insert(
        workspace,
        "opportunities",
        [won(1, 500_000, close=D(2024, 2, 1)), won(2, 500_000, close=D(2024, 8, 1))],
    )
    insert(workspace, "forecasts", [fc("q2", 600_000, T(2024, 3, 1))])
    got = rows(workspace, period="2024", grain="quarter")
    q1 = got["sales_forecast_accuracy", "2024-Q1"]
    assert q1["value"] is None
    assert own_note(q1["note"]) == f"{CHOSEN}; none for the company in 2024-Q1"
    q2 = got["forecast_bias", "2024-Q2"]
    assert q2["value"] is None
    assert own_note(q2["note"]) == f"{CHOSEN}; no revenue won in 2024-Q2: bias undefined"
    assert q2["components"]["forecast"] == 600_000
    assert own_note(got["sales_forecast_accuracy", "2024-Q2"]["note"]) == (
        f"{CHOSEN}; no revenue won in 2024-Q2: accuracy undefined"
    )


def test_over_forecast_beyond_twice_the_actual(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(1, 1_000_000)])
    insert(workspace, "forecasts", [fc("big", 2_500_000, T(2024, 3, 1))])
    got = rows(workspace)
    assert got["sales_forecast_accuracy", Q2]["value"] == 0
    assert got["forecast_bias", Q2]["value"] == pytest.approx(1.5)


def test_period_labels_are_matched_by_span(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(i, 100_000, close=D(2024, 5, 1)) for i in range(10)])
    insert(
        workspace,
        "forecasts",
        [
            fc("month", 300_000, T(2024, 4, 20), period="2024-05"),
            fc("year", 4_000_000, T(2023, 12, 20), period="FY2024"),
            fc("junk", 1, T(2024, 4, 20), period="next quarter"),
        ],
    )
    month = rows(workspace, period="2024-05")["sales_forecast_accuracy", "2024-05"]
    assert month["components"]["forecast_id"] == "month"
    year = rows(workspace, period="2024")["forecast_bias", "2024"]
    assert year["components"]["forecast_id"] == "year"
    assert year["value"] == pytest.approx(3.0)
    quarter = rows(workspace)["forecast_bias", Q2]
    assert quarter["value"] is None


def test_forecasts_of_week_calendar_periods(workspace: Workspace) -> None:
    # NRF 4-5-4: FY2025-M01 is 2024-02-04..2024-03-02; a forecast stored for that label matches it.
    workspace.config.fiscal_calendar = "4-5-4"
    workspace.config.fiscal_year_start_month = 2
    deals = [won(i, 100_000, close=D(2024, 2, 10)) for i in range(9)]
    deals += [won("in", 100_000, close=D(2024, 3, 2)), won("out", 500_000, close=D(2024, 3, 3))]
    insert(workspace, "opportunities", deals)
    insert(workspace, "forecasts", [fc("f1", 900_000, T(2024, 2, 1), period="fy2025-m01")])
    acc = rows(workspace, period="FY2025-M01")["sales_forecast_accuracy", "FY2025-M01"]
    assert acc["value"] == pytest.approx(0.9)
    assert (acc["components"]["forecast_id"], acc["components"]["actual"]) == ("f1", 1_000_000)
