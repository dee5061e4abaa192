"""Worked-example builders of the pipeline metrics, picked up by tests/metrics/test_examples.py
(which looks a builder up by metric id among its globals)."""

from __future__ import annotations

import datetime as dt

from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

D = dt.date
T = dt.datetime
Q2 = "2024-Q2"
BEFORE = T(2024, 3, 1, 9)


def _open(i: int, amount: float, close: dt.date, **extra: object) -> dict[str, object]:
    return {
        "opportunity_id": f"p{i}",
        "stage": "Proposal",
        "status": "open",
        "amount": amount,
        "close_date": close,
        "created_at": BEFORE,
        "owner_id": "r1",
        **extra,
    }


def pipeline_coverage(ws: Workspace) -> str:
    insert(ws, "reps", [{"rep_id": "r1", "team": "East"}])
    quota = {"rep_id": "r1", "period_start": D(2024, 4, 1), "period_end": D(2024, 6, 30)}
    insert(ws, "quotas", [{**quota, "amount": 1_000_000}])
    deals = [_open(i, 300_000, D(2024, 5, 1 + i)) for i in range(10)]
    deals.append(_open(99, 500_000, D(2024, 8, 1)))  # expected in Q3: not counted
    insert(ws, "opportunities", deals)
    return Q2


def weighted_pipeline(ws: Workspace) -> str:
    insert(
        ws,
        "opportunities",
        [
            _open(1, 100_000, D(2024, 5, 1), probability=0.6),
            _open(2, 50_000, D(2024, 6, 1), probability=0.2),
        ],
    )
    return Q2


def deal_slippage_rate(ws: Workspace) -> str:
    deals = [_open(i, 1_000, D(2024, 5, 15)) for i in range(60)]
    for d in deals[:12]:
        d["close_date"] = D(2024, 8, 15)
    insert(ws, "opportunities", deals)
    history = [
        {
            "opportunity_id": f"p{i}",
            "changed_at": BEFORE,
            "stage": "Proposal",
            "status": "open",
            "amount": 1_000,
            "close_date": D(2024, 5, 15),
        }
        for i in range(12)
    ] + [
        {
            "opportunity_id": f"p{i}",
            "changed_at": T(2024, 6, 20, 9),
            "stage": "Proposal",
            "status": "open",
            "amount": 1_000,
            "close_date": D(2024, 8, 15),
        }
        for i in range(12)
    ]
    insert(ws, "opportunity_history", history)
    return Q2


def pipeline_flow(ws: Workspace) -> str:
    start = [_open(i, 100_000, D(2024, 6, 1)) for i in range(10)]
    for d in start[:3]:
        d.update(status="won", stage="Closed Won", close_date=D(2024, 5, 10))
    created = [_open(10 + i, 100_000, D(2024, 6, 1), created_at=T(2024, 4, 20)) for i in range(2)]
    insert(ws, "opportunities", start + created)
    history = [
        {
            "opportunity_id": f"p{i}",
            "changed_at": BEFORE,
            "stage": "Proposal",
            "status": "open",
            "amount": 100_000,
            "close_date": D(2024, 6, 1),
        }
        for i in range(3)
    ] + [
        {
            "opportunity_id": f"p{i}",
            "changed_at": T(2024, 5, 10, 9),
            "stage": "Closed Won",
            "status": "won",
            "amount": 100_000,
            "close_date": D(2024, 5, 10),
        }
        for i in range(3)
    ]
    insert(ws, "opportunity_history", history)
    return Q2


def _hist(i: int, at: dt.datetime, stage: str, **extra: object) -> dict[str, object]:
    return {"opportunity_id": f"p{i}", "changed_at": at, "stage": stage, "status": "open", **extra}


def time_in_stage(ws: Workspace) -> str:
    insert(ws, "opportunities", [_open(i, 1_000, D(2024, 9, 1)) for i in range(3)])
    history = []
    for i, days in enumerate((10, 20, 30)):
        entered = T(2024, 4, 5, 9)
        history.append(_hist(i, entered, "Discovery"))
        history.append(_hist(i, entered + dt.timedelta(days=days), "Proposal"))
    insert(ws, "opportunity_history", history)
    return Q2


def stage_conversion(ws: Workspace) -> str:
    created = T(2024, 4, 2, 9)
    deals = [_open(i, 1_000, D(2024, 9, 1), created_at=created) for i in range(120)]
    insert(ws, "opportunities", deals)
    history = [_hist(i, created, "Proposal", probability=0.3) for i in range(120)]
    history += [
        _hist(i, created + dt.timedelta(days=5), "Negotiation", probability=0.6) for i in range(30)
    ]
    insert(ws, "opportunity_history", history)
    return Q2


def _forecast_example(ws: Workspace) -> str:
    """Forecast $900,000 submitted before Q2, $1,000,000 won in Q2."""
    won = [
        {
            "opportunity_id": f"w{i}",
            "stage": "Closed Won",
            "status": "won",
            "amount": 100_000,
            "close_date": D(2024, 5, 1),
            "created_at": BEFORE,
        }
        for i in range(10)
    ]
    insert(ws, "opportunities", won)
    forecast = {
        "forecast_id": "f1",
        "scope": "company",
        "period": Q2,
        "amount": 900_000,
        "submitted_at": T(2024, 3, 25, 9),
        "category": "most_likely",
        "method": "manager",
    }
    insert(ws, "forecasts", [forecast])
    return Q2


def sales_forecast_accuracy(ws: Workspace) -> str:
    return _forecast_example(ws)


def forecast_bias(ws: Workspace) -> str:
    return _forecast_example(ws)
