"""Stage order, time in stage and stage conversion from a hand-built history with a
regression (a deal moving back), a loss, and a deal that never leaves its first stage."""

from __future__ import annotations

import datetime as dt

import pytest

from salesmetrics.pipeline.funnel import stage_order
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

T = dt.datetime
PATHS = {
    "f1": [
        (T(2024, 4, 2), "Discovery"),
        (T(2024, 4, 12), "Proposal"),
        (T(2024, 4, 20), "Discovery"),  # moves back
        (T(2024, 4, 22), "Discovery"),  # a change that keeps the stage
        (T(2024, 4, 25), "Proposal"),
        (T(2024, 5, 5), "Negotiation"),
        (T(2024, 5, 9), "Closed Won"),
    ],
    "f2": [
        (T(2024, 4, 3), "Discovery"),
        (T(2024, 4, 10), "Proposal"),
        (T(2024, 5, 1), "Closed Lost"),
    ],
    "f3": [(T(2024, 4, 4), "Discovery")],
}


def build(ws: Workspace) -> None:
    insert(
        ws,
        "opportunities",
        [
            {"opportunity_id": o, "stage": p[-1][1], "created_at": p[0][0], "amount": 1}
            for o, p in PATHS.items()
        ],
    )
    insert(
        ws,
        "opportunity_history",
        [
            {"opportunity_id": o, "changed_at": at, "stage": stage}
            for o, p in PATHS.items()
            for at, stage in p
        ],
    )


def by_stage(ws: Workspace, metric: str) -> dict[str, dict[str, object]]:
    result = ws.metrics([metric], period="2024-Q2")
    return {r["group"]["stage"]: r for r in result.rows()}


def test_stage_order_from_the_order_deals_move_through(workspace: Workspace) -> None:
    build(workspace)
    assert stage_order(workspace) == ["Discovery", "Proposal", "Negotiation", "Closed Won"]


def test_stage_order_from_the_configuration(workspace: Workspace) -> None:
    build(workspace)
    workspace.config.stage_order = ["Proposal", "Discovery", "Negotiation", "Closed Won"]
    assert stage_order(workspace) == ["Proposal", "Discovery", "Negotiation", "Closed Won"]


def test_stage_order_from_probabilities(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [{"opportunity_id": "x", "stage": "B"}])
    insert(
        workspace,
        "opportunity_history",
        [
            {"opportunity_id": "x", "changed_at": T(2024, 1, 1), "stage": "B", "probability": 0.6},
            {"opportunity_id": "x", "changed_at": T(2024, 1, 2), "stage": "A", "probability": 0.2},
        ],
    )
    assert stage_order(workspace) == ["A", "B"]


def test_time_in_stage_counts_each_visit(workspace: Workspace) -> None:
    build(workspace)
    rows = by_stage(workspace, "time_in_stage")
    assert rows["Discovery"]["value"] == pytest.approx((10 + 5 + 7) / 3, abs=1e-4)
    assert rows["Discovery"]["components"]["visits"] == 3
    assert rows["Proposal"]["value"] == pytest.approx((8 + 10 + 21) / 3, abs=1e-4)
    assert rows["Negotiation"]["value"] == pytest.approx(4, abs=1e-4)


def test_stage_conversion_counts_regressions_once(workspace: Workspace) -> None:
    build(workspace)
    rows = by_stage(workspace, "stage_conversion")
    assert rows["Discovery"]["value"] == pytest.approx(2 / 3)
    assert rows["Discovery"]["components"]["next_stage"] == "Proposal"
    assert rows["Proposal"]["value"] == pytest.approx(1 / 2)
    assert rows["Negotiation"]["value"] == pytest.approx(1.0)
