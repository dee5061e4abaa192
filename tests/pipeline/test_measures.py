"""Coverage, weighted pipeline, slippage and flow on the hand-built Q2 history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from salesmetrics.pipeline.measures import aggregate, deal_rows
from salesmetrics.workspace import Workspace
from tests.pipeline import scenario

Q2 = pd.DataFrame(
    {"period": ["2024-Q2"], "start": [dt.date(2024, 4, 1)], "end": [dt.date(2024, 7, 1)]}
)

#: Each flow bucket's sign in the identity start + inflows − outflows = end.
FLOW_SIGN = {
    "created": 1,
    "pulled_in": 1,
    "increased": 1,
    "decreased": -1,
    "pushed_out": -1,
    "lost": -1,
    "won": -1,
}


def flow_identity_gap(frame: pd.DataFrame) -> pd.Series[float]:
    """start + inflows − outflows − end per row of an aggregated frame (0 when exact)."""
    total = frame["flow_start"] - frame["flow_end"]
    for bucket, sign in FLOW_SIGN.items():
        total = total + sign * frame[f"flow_{bucket}"]
    return total


def components(ws: Workspace, dims: tuple[str, ...] = ()) -> pd.DataFrame:
    expr = aggregate(deal_rows(ws, Q2, dims), dims)
    frame: pd.DataFrame = ws.backend.to_pyarrow(expr).to_pandas()
    return frame


def test_flow_buckets_and_identity(workspace: Workspace) -> None:
    scenario.build(workspace)
    row = components(workspace).iloc[0]
    expected = {
        "flow_start": 750, "flow_start_count": 5,
        "flow_created": 110, "flow_created_count": 2,
        "flow_pulled_in": 400, "flow_pulled_in_count": 1,
        "flow_increased": 70, "flow_increased_count": 2,
        "flow_decreased": 50, "flow_decreased_count": 1,
        "flow_pushed_out": 200, "flow_pushed_out_count": 1,
        "flow_lost": 70, "flow_lost_count": 1,
        "flow_won": 370, "flow_won_count": 2,
        "flow_end": 640, "flow_end_count": 4,
    }  # fmt: skip
    assert {k: row[k] for k in expected} == pytest.approx(expected)
    assert flow_identity_gap(components(workspace)).abs().max() == 0


def test_expected_weighted_slipped(workspace: Workspace) -> None:
    scenario.build(workspace)
    row = components(workspace).iloc[0]
    assert row["expected"] == 5 and row["pipeline_amount"] == 750
    assert row["weighted_amount"] == pytest.approx(50 + 40 + 180 + 7)
    assert row["weighted_no_probability"] == 1
    # d2 slipped out of Q2; d9 is still open with a later close date (inside Q2)
    assert row["slipped"] == 2 and row["slipped_amount"] == 280
    assert row["open_at_start"] == 6


def test_by_team_sums_to_total(workspace: Workspace) -> None:
    scenario.build(workspace)
    by_team = components(workspace, ("team",)).set_index("team")
    assert by_team.loc["East", "flow_start"] == 100 + 300 + 70 + 80  # d1, d3, d7, d9
    assert flow_identity_gap(by_team).abs().max() == 0
    total = components(workspace).iloc[0]
    assert by_team["flow_end"].sum() == total["flow_end"]
