"""A tiny workspace for the harness tests: a few reps and deals in 2025."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salesmetrics import Workspace
from tests.metrics.builder import load


@pytest.fixture
def tiny(workspace: Workspace) -> Iterator[Workspace]:
    """Two reps in two teams, four closed deals in 2025 (USD)."""
    load(
        workspace,
        {
            "reps": [
                {"rep_id": "r1", "name": "Ann", "team": "East"},
                {"rep_id": "r2", "name": "Bob", "team": "West"},
            ],
            "opportunities": [
                {
                    "opportunity_id": f"o{i}",
                    "owner_id": f"r{i % 2 + 1}",
                    "created_at": f"2025-0{i}-01",
                    "close_date": f"2025-0{i + 2}-15",
                    "status": "won" if i % 2 else "lost",
                    "stage": "Closed Won" if i % 2 else "Closed Lost",
                    "amount": 1000 * i,
                    "currency": "USD",
                }
                for i in range(1, 5)
            ],
        },
    )
    yield workspace


@pytest.fixture
def crm(tiny: Workspace) -> Workspace:
    """``tiny`` with each deal's history (opened, then closed) and ten activities in 2025."""
    deals = tiny.duckdb.execute(
        "SELECT opportunity_id, created_at, close_date, stage, status, amount FROM opportunities"
    ).fetchall()
    history = []
    for opp, created, closed, stage, status, amount in deals:
        history.append(
            {"opportunity_id": opp, "changed_at": created, "stage": "Prospecting", "status": "open"}
        )
        history.append(
            {
                "opportunity_id": opp,
                "changed_at": f"{closed} 12:00:00",
                "stage": stage,
                "status": status,
                "amount": amount,
            }
        )
    activities = [
        {
            "activity_id": f"a{i}",
            "rep_id": f"r{i % 2 + 1}",
            "started_at": f"2025-{i + 1:02d}-10 09:00:00",
            "duration_minutes": 30,
            "type": "call",
            "opportunity_id": "o1",
        }
        for i in range(10)
    ]
    load(tiny, {"opportunity_history": history, "activities": activities})
    return tiny
