"""The result object (pandas, Arrow, dict, HTML views) and drill-down from Python."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest

from salesmetrics.errors import UserError
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert
from tests.metrics.test_examples import deal

D = dt.date


@pytest.fixture
def teams(workspace: Workspace) -> Workspace:
    insert(
        workspace,
        "reps",
        [
            {"rep_id": "e1", "name": "Eve", "team": "East"},
            {"rep_id": "w1", "name": "Wes", "team": "West"},
        ],
    )
    insert(
        workspace,
        "quotas",
        [
            {
                "rep_id": r,
                "period_start": D(2024, 4, 1),
                "period_end": D(2024, 6, 30),
                "amount": 100,
            }
            for r in ("e1", "w1")
        ],
    )
    insert(workspace, "accounts", [{"account_id": "a1", "name": "Acme", "owner_id": "e1"}])
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 5, 1), 150, owner_id="e1", account_id="a1"),
            deal(2, "lost", D(2024, 5, 2), 100, owner_id="e1"),
            deal(3, "lost", D(2024, 5, 3), 100, owner_id="w1"),
            deal(4, "won", D(2024, 8, 3), 100, owner_id="w1"),
        ],
    )
    insert(
        workspace,
        "survey_responses",
        [
            {
                "response_id": f"s{i}",
                "survey_id": "s",
                "submitted_at": dt.datetime(2024, 5, 1),
                "question_id": "enps",
                "score": 9,
                "respondent_id": f"p{i}",
                "team": "East",
            }
            for i in range(3)
        ],
    )
    return workspace


def test_the_frame_is_built_on_first_use_once(teams: Workspace) -> None:
    result = teams.metrics(["win_rate", "total_revenue"], period="2024-Q2", by=["team"])
    assert len(result) == 4 and "frame" not in result.__dict__  # len() does not build it
    frame = result.frame
    assert len(frame) == 4 and result.frame is frame
    east = frame[(frame.metric == "win_rate") & (frame.period == "2024-Q2")].iloc[0]
    assert east["group"] == {"team": "East"} and east["components"] == {"won": 1, "lost": 1}


def test_views(teams: Workspace) -> None:
    result = teams.metrics(["win_rate", "total_revenue"], period="2024-Q2", by=["team"])
    frame = result.to_pandas()
    assert list(frame.columns[:5]) == ["metric", "period", "start", "end", "team"]
    assert frame.loc[(frame.metric == "win_rate") & (frame.team == "East"), "value"].item() == 0.5
    arrow = result.to_arrow()
    assert isinstance(arrow, pa.Table) and arrow.num_rows == len(frame)
    assert json.loads(arrow.column("components")[0].as_py()) == {"won": 1, "lost": 1}
    data = result.to_dict()
    assert data["base_currency"] == "USD" and len(data["results"]) == 4
    assert "<table>" in result._repr_html_() and "50.0%" in result._repr_html_()
    assert "4 rows" in repr(result)
    try:
        import polars  # noqa: F401
    except ImportError:
        with pytest.raises(UserError, match="pip install polars"):
            result.to_polars()


def test_drill_returns_the_rows_counted(teams: Workspace) -> None:
    rows = teams.metrics(["win_rate"], period="2024-Q2", by=["team"]).rows()
    east = next(r for r in rows if r["group"] == {"team": "East"})
    deals = teams.drill(east).to_pandas()
    assert sorted(deals["opportunity_id"]) == ["o1", "o2"]
    assert set(deals["team"]) == {"East"} and set(deals["period"]) == {"2024-Q2"}
    # A row of to_pandas() works as well.
    frame = teams.metrics(["win_rate"], period="2024-Q2", by=["team"]).to_pandas()
    west = teams.drill(frame[frame.team == "West"].iloc[0].to_dict()).to_pandas()
    assert list(west["opportunity_id"]) == ["o3"]


def test_drill_kinds(teams: Workspace) -> None:
    rows = teams.metrics(
        ["quota_attainment_rate", "new_customers", "customer_churn_rate"], period="2024-Q2"
    ).rows()
    sellers = teams.drill(rows[0]).to_pandas().sort_values("rep_id")
    assert list(sellers["rep_id"]) == ["e1", "w1"]
    assert list(sellers["reached"]) == [True, False]
    acquired = teams.drill(rows[1]).to_pandas()
    assert list(acquired["account_id"]) == ["a1"] and acquired["name"].item() == "Acme"
    states = teams.drill(rows[2]).to_pandas()
    assert list(states["at_end"]) == [1]


def test_survey_results_are_never_drilled_nor_shown_below_the_minimum(teams: Workspace) -> None:
    row = teams.metrics(["enps"], period="2024-Q2", by=["team"]).rows()[0]
    assert row["value"] is None and row["components"] == {"min_survey_group": 5}
    assert "fewer than 5" in row["note"]
    with pytest.raises(UserError, match="anonymous"):
        teams.drill(row)


def test_drill_checks_its_input(teams: Workspace) -> None:
    with pytest.raises(UserError, match="not a date"):
        teams.drill({"metric": "win_rate", "start": "x", "end": "2024-07-01"})
    with pytest.raises(UserError, match="unknown group dimension"):
        teams.drill(
            {
                "metric": "win_rate",
                "start": "2024-04-01",
                "end": "2024-07-01",
                "group": {"colour": "red"},
            }
        )
    assert isinstance(
        teams.drill({"metric": "win_rate", "start": "2024-04-01", "end": "2024-07-01"}).to_pandas(),
        pd.DataFrame,
    )
