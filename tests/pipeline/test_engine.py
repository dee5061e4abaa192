"""The pipeline metrics through the engine: groups, quota pro-rating, bases, drill-down."""

from __future__ import annotations

from typing import Any

import pytest

from salesmetrics.workspace import Workspace
from tests.pipeline import scenario


def rows(ws: Workspace, metric: str, **options: Any) -> list[dict[str, Any]]:
    return [r for r in ws.metrics([metric], **options).rows() if r["metric"] == metric]


def test_coverage_by_team_with_prorated_quota(workspace: Workspace) -> None:
    scenario.build(workspace)
    got = {
        r["group"]["team"]: r
        for r in rows(workspace, "pipeline_coverage", period="2024-Q2", by="team")
    }
    # East (r1): d1 100 + d3 300 + d7 70 + d9 80 = 550 against 500
    assert got["East"]["value"] == pytest.approx(550 / 500)
    # West (r2): d2 200 against a yearly quota of 1000 pro-rated to Q2 (91 of 366 days)
    assert got["West"]["value"] == pytest.approx(200 / (1000 * 91 / 366))
    assert got["East"]["components"]["open_pipeline"] == 550
    assert got["East"]["target"] == 3.0 and got["East"]["status"] == "off_track"


def test_slippage_weighted_and_flow_values(workspace: Workspace) -> None:
    scenario.build(workspace)
    (slip,) = rows(workspace, "deal_slippage_rate", period="2024-Q2")
    assert slip["value"] == pytest.approx(2 / 5)
    (weighted,) = rows(workspace, "weighted_pipeline", period="2024-Q2")
    assert weighted["value"] == pytest.approx(277)
    (flow,) = rows(workspace, "pipeline_flow", period="2024-Q2")
    assert flow["value"] == pytest.approx(640 - 750)
    c = flow["components"]
    assert c["start"] + c["created"] + c["pulled_in"] + c["increased"] - c["decreased"] - c[
        "pushed_out"
    ] - c["lost"] - c["won"] == pytest.approx(c["end"], abs=0)


def test_velocity_open_opportunities_basis(workspace: Workspace) -> None:
    scenario.build(workspace)
    (row,) = rows(
        workspace,
        "pipeline_velocity",
        period="2024-Q2",
        basis={"pipeline_velocity": "open_opportunities"},
    )
    assert row["components"]["basis"] == "open_opportunities"
    assert row["components"]["open_opportunities"] == 6
    won, lost = 2, 1  # d3, d5 won; d7 lost in Q2
    size = (320 + 50) / 2
    assert row["value"] == pytest.approx(
        6 * (won / (won + lost)) * size / row["components"]["sales_cycle_length"], abs=0.005
    )


def test_drill_expected_deals(workspace: Workspace) -> None:
    scenario.build(workspace)
    (row,) = rows(workspace, "pipeline_coverage", period="2024-Q2")
    deals = workspace.drill(row).to_pandas()
    assert sorted(deals["opportunity_id"]) == ["d1", "d2", "d3", "d7", "d9"]
