"""Forecast accuracy of stored forecasts, the product's forecasts, saving, and the backtest."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from salesmetrics.metrics import forecasting as forecast
from salesmetrics.periods import parse_period
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert
from tests.pipeline import scenario

D = dt.date
T = dt.datetime
Q2 = parse_period("2024-Q2")


def won(i: int, close: dt.date, amount: float, owner: str = "r1") -> dict[str, object]:
    return {
        "opportunity_id": f"w{i}",
        "stage": "Closed Won",
        "status": "won",
        "close_date": close,
        "amount": amount,
        "owner_id": owner,
        "created_at": T(2023, 1, 2),
    }


def test_seed_example_accuracy_and_bias(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [won(i, D(2024, 5, 1), 100_000) for i in range(10)])
    insert(
        workspace,
        "forecasts",
        [
            {
                "forecast_id": "f-old",
                "scope": "company",
                "period": "2024-Q2",
                "amount": 500_000,
                "submitted_at": T(2024, 3, 1),
            },
            {
                "forecast_id": "f1",
                "scope": "company",
                "period": "2024-Q2",
                "amount": 900_000,
                "submitted_at": T(2024, 3, 28),
                "method": "manager",
            },
            {  # after s: ignored while one before s exists
                "forecast_id": "f-late",
                "scope": "company",
                "period": "2024-Q2",
                "amount": 1_000_000,
                "submitted_at": T(2024, 4, 15),
            },
        ],
    )
    (row,) = forecast.accuracy(workspace, [Q2], None).to_dict("records")
    assert row["forecast"] == 900_000 and row["actual"] == 1_000_000
    assert row["accuracy"] == pytest.approx(0.9) and row["bias"] == pytest.approx(-0.1)
    assert not row["late"]


def test_late_forecast_used_when_none_before_start(workspace: Workspace) -> None:
    insert(workspace, "reps", [{"rep_id": "r1", "team": "East"}])
    insert(workspace, "opportunities", [won(1, D(2024, 5, 1), 1_000)])
    insert(
        workspace,
        "forecasts",
        [
            {
                "forecast_id": "t1",
                "scope": "team",
                "scope_id": "East",
                "period": "2024-Q2",
                "amount": 1_200,
                "submitted_at": T(2024, 4, 15),
                "category": "commit",
            }
        ],
    )
    (row,) = forecast.accuracy(workspace, [Q2], "team").to_dict("records")
    assert row["group"] == "East" and row["category"] == "commit" and row["late"]
    assert row["accuracy"] == pytest.approx(0.8) and row["bias"] == pytest.approx(0.2)


def test_holt_trend_and_interval() -> None:
    point, low, high = forecast.holt(np.array([100.0, 200, 300, 400, 500]))
    assert point == pytest.approx(600.0)
    assert low is not None and high is not None and low <= point <= high
    assert forecast.holt(np.array([10.0, 20]))[0] == 15.0


def test_weighted_forecast_and_save(workspace: Workspace) -> None:
    scenario.build(workspace)
    made = forecast.make(workspace, [Q2], ["weighted_pipeline"], None)
    assert made["amount"].tolist() == [pytest.approx(277)]
    assert forecast.save(workspace, made, T(2024, 3, 31)) == 1
    assert forecast.save(workspace, made, T(2024, 3, 31)) == 1  # same key: replaced
    assert workspace.count("forecasts") == 1
    (row,) = forecast.accuracy(workspace, [Q2], None).to_dict("records")
    assert row["method"] == "weighted_pipeline" and row["actual"] == 370


def test_backtest_uses_nothing_after_each_period_start(workspace: Workspace) -> None:
    scenario.build(workspace)
    quarters = [(D(2023, m, 10), 1000.0 * m) for m in (1, 4, 7, 10)]
    insert(workspace, "opportunities", [won(i, d, a) for i, (d, a) in enumerate(quarters)])
    before, summary = forecast.backtest(workspace, "2024-Q2", "2024-Q2")
    assert set(summary["method"]) == {"weighted_pipeline", "statistical"}
    # later data: a deal won in Q2, a change after s to a deal open at s
    insert(workspace, "opportunities", [won(99, D(2024, 4, 2), 5_000_000)])
    insert(
        workspace,
        "opportunity_history",
        [
            {
                "opportunity_id": "d1",
                "changed_at": T(2024, 4, 1, 0, 0, 1),
                "stage": "Proposal",
                "status": "open",
                "amount": 999_999,
                "close_date": D(2024, 6, 30),
                "probability": 1.0,
            }
        ],
    )
    after, _ = forecast.backtest(workspace, "2024-Q2", "2024-Q2")
    assert after["amount"].tolist() == before["amount"].tolist()
    assert after["actual"].iloc[0] > before["actual"].iloc[0]
