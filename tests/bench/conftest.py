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
