"""The pipeline metrics on the small demo company against an independent pandas computation
from the history table: coverage (open pipeline), weighted pipeline, slippage, flow identity,
stage conversion and forecast accuracy, every quarter of a year, by team."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from salesmetrics.metrics import forecasting as forecast
from salesmetrics.periods import parse_period
from salesmetrics.pipeline.asof import instant
from salesmetrics.pipeline.funnel import stage_order
from salesmetrics.workspace import Workspace
from tests.demos import DemoBuild
from tests.metrics import reference

#: The whole demo company: the slow tier (make test); make check has the fixed examples of
#: test_engine.py and test_forecast.py.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(shared_demo: Workspace, demo_build: DemoBuild) -> tuple[Workspace, int, Any]:
    """The small demo (only read here), its last full year, and its tables in pandas."""
    data = reference.Data(shared_demo)
    for name in ("opportunity_history", "forecasts"):
        data.t[name] = shared_demo.duckdb.execute(f'SELECT * FROM "{name}"').df()
    return shared_demo, demo_build.year, data


def states_pd(data: Any, when: dt.datetime) -> pd.DataFrame:
    """Every opportunity's state at ``when`` (pandas, from the raw tables)."""
    opps = data.t["opportunities"].copy()
    hist = data.t["opportunity_history"].copy().sort_values(["opportunity_id", "changed_at"])
    first = hist.groupby("opportunity_id").head(1).set_index("opportunity_id")
    upto = hist[hist["changed_at"] <= when].groupby("opportunity_id").tail(1)
    upto = upto.set_index("opportunity_id")
    state = opps.set_index("opportunity_id")
    exists = state["created_at"].isna() & ~state.index.isin(first.index)
    exists |= state["created_at"] <= when
    exists |= state.index.map(lambda i: i in first.index and first.at[i, "changed_at"] <= when)
    state = state[exists].copy()
    for col in ("stage", "status", "amount", "close_date", "probability"):
        src = upto[col].reindex(state.index)
        src = src.where(state.index.isin(upto.index), first[col].reindex(state.index))
        if col == "status":
            stage = (
                upto["stage"]
                .reindex(state.index)
                .where(state.index.isin(upto.index), first["stage"].reindex(state.index))
            )
            low = stage.str.lower()
            derived = np.where(
                low.str.contains("won", na=False),
                "won",
                np.where(low.str.contains("lost", na=False), "lost", "open"),
            )
            derived = pd.Series(derived, index=state.index).where(stage.notna())
            src = src.fillna(derived)
        state[col] = src.fillna(state[col])
    state["close_date"] = pd.to_datetime(state["close_date"])
    state = state.reset_index()
    dated = state["close_date"].notna()
    state["amount_base"] = np.nan
    state.loc[dated, "amount_base"] = data.to_base(state[dated], "amount", "currency", "close_date")
    state["team"] = data.team_of(state["owner_id"]).fillna("(none)")
    return state.set_index("opportunity_id")


def engine_rows(ws: Workspace, metric: str, year: int) -> dict[tuple[str, str], dict[str, Any]]:
    result = ws.metrics([metric], period=str(year), grain="quarter", by="team")
    return {(r["period"], r["group"]["team"] or "(none)"): r for r in result.rows()}


def test_open_pipeline_weighted_slippage_flow(demo: tuple[Workspace, int, Any]) -> None:
    ws, year, data = demo
    coverage = engine_rows(ws, "pipeline_coverage", year)
    weighted = engine_rows(ws, "weighted_pipeline", year)
    slippage = engine_rows(ws, "deal_slippage_rate", year)
    flow = engine_rows(ws, "pipeline_flow", year)
    tz = ws.config.timezone
    checked = 0
    for q in range(1, 5):
        p = parse_period(f"{year}-Q{q}")
        at_s = states_pd(data, instant(p.start, tz))
        at_e = states_pd(data, instant(p.end, tz))
        s, e = pd.Timestamp(p.start), pd.Timestamp(p.end)
        exp = at_s[
            (at_s["status"] == "open") & (at_s["close_date"] >= s) & (at_s["close_date"] < e)
        ]
        later = at_e.reindex(exp.index)
        slipped = (later["status"] == "open") & (later["close_date"] > exp["close_date"])
        exp = exp.assign(slipped=slipped.to_numpy())
        for team, rows in exp.groupby("team"):
            key = (p.label, team)
            c = coverage[key]["components"]
            cents = 0.005 * len(rows) + 0.01  # the engine rounds each deal to cents
            assert c["open_pipeline"] == pytest.approx(rows["amount_base"].sum(), abs=cents)
            assert c["expected"] == len(rows)
            w = (rows["amount_base"].fillna(0) * rows["probability"].fillna(0)).sum()
            assert weighted[key]["value"] == pytest.approx(w, abs=cents)
            assert slippage[key]["components"]["slipped"] == int(rows["slipped"].sum())
            f = flow[key]["components"]
            total = f["start"] + f["created"] + f["pulled_in"] + f["increased"]
            total -= f["decreased"] + f["pushed_out"] + f["lost"] + f["won"]
            assert total == pytest.approx(f["end"], abs=1e-6)  # exact to the cent
            assert (
                f["start_count"]
                + f["created_count"]
                + f["pulled_in_count"]
                - f["pushed_out_count"]
                - f["lost_count"]
                - f["won_count"]
                == f["end_count"]
            )
            checked += 1
    assert checked >= 8


def test_stage_conversion_reached_counts(demo: tuple[Workspace, int, Any]) -> None:
    ws, year, data = demo
    order = stage_order(ws)
    idx = {s: i for i, s in enumerate(order)}
    hist = data.t["opportunity_history"]
    opps = data.t["opportunities"].copy()
    bare = opps[~opps["opportunity_id"].isin(hist["opportunity_id"])]
    stages = pd.concat(
        [hist[["opportunity_id", "stage"]], bare[["opportunity_id", "stage"]]], ignore_index=True
    )
    stages["idx"] = stages["stage"].map(idx)
    top = stages.dropna(subset=["idx"]).groupby("opportunity_id")["idx"].max()
    opps = opps.set_index("opportunity_id")
    opps["top"] = top
    opps["created_day"] = data.local(opps["created_at"])
    opps["team"] = data.team_of(opps["owner_id"]).fillna("(none)")
    engine = ws.metrics(["stage_conversion"], period=str(year), grain="quarter", by="team")
    got = {
        (r["period"], r["group"]["team"] or "(none)", r["group"]["stage"]): r["components"]
        for r in engine.rows()
    }
    checked = 0
    for q in range(1, 5):
        p = parse_period(f"{year}-Q{q}")
        cohort = opps[
            (opps["created_day"] >= pd.Timestamp(p.start))
            & (opps["created_day"] < pd.Timestamp(p.end))
            & opps["top"].notna()
        ]
        for team, rows in cohort.groupby("team"):
            for stage, i in list(idx.items())[:-1]:
                reached = int((rows["top"] >= i).sum())
                if reached == 0:
                    continue
                c = got[(p.label, team, stage)]
                assert c["reached"] == reached
                assert c["reached_next"] == int((rows["top"] > i).sum())
                checked += 1
    assert checked > 10


def test_forecast_accuracy_by_team(demo: tuple[Workspace, int, Any]) -> None:
    ws, year, data = demo
    periods = [parse_period(f"{year}-Q{q}") for q in range(1, 5)]
    got = forecast.accuracy(ws, periods, "team")
    fc = data.t["forecasts"]
    fc = fc[fc["scope"] == "team"].copy()
    won = data.opps[data.opps["status"] == "won"]
    tz = ws.config.timezone
    checked = 0
    for p in periods:
        s, e = instant(p.start, tz), instant(p.end, tz)
        mine = fc[(fc["period"] == p.label) & (fc["submitted_at"] < e)].copy()
        mine["late"] = mine["submitted_at"] >= s
        mine["method"] = mine["method"].fillna("manager")
        mine["category"] = mine["category"].fillna("most_likely")
        for (team, method, cat), rows in mine.groupby(["scope_id", "method", "category"]):
            rows = rows.sort_values(["late", "submitted_at"], ascending=[False, True])
            f = float(rows["amount"].iloc[-1])
            in_p = won[
                (won["team"] == team)
                & (won["close_date"] >= pd.Timestamp(p.start))
                & (won["close_date"] < pd.Timestamp(p.end))
            ]
            actual = float(in_p["amount_base"].sum())
            row = got[
                (got["period"] == p.label)
                & (got["group"] == team)
                & (got["method"] == method)
                & (got["category"] == cat)
            ]
            assert len(row) == 1
            assert row["forecast"].iloc[0] == pytest.approx(f)
            assert row["actual"].iloc[0] == pytest.approx(actual, abs=0.01)
            if actual > 0:
                assert row["accuracy"].iloc[0] == pytest.approx(
                    max(0.0, 1 - abs(actual - f) / actual)
                )
            checked += 1
    assert checked >= 4


def test_backtest_compares_the_methods(demo: tuple[Workspace, int, Any]) -> None:
    ws, year, _ = demo
    rows, summary = forecast.backtest(ws, f"{year}-Q1", f"{year}-Q4")
    assert list(summary["method"]) == ["weighted_pipeline", "statistical"]
    assert (summary["periods"] == 4).all()
    assert rows["actual"].notna().all()


def test_forecast_metrics_of_the_engine_match_forecast_accuracy(
    demo: tuple[Workspace, int, Any],
) -> None:
    ws, year, _ = demo
    periods = [parse_period(f"{year}-Q{q}") for q in range(1, 5)]
    ref = forecast.accuracy(ws, periods, "team")
    ref = ref[(ref["method"] == "manager") & (ref["category"] == "most_likely")]
    accuracy = engine_rows(ws, "sales_forecast_accuracy", year)
    bias = engine_rows(ws, "forecast_bias", year)
    assert len(ref) >= 8
    for r in ref.itertuples():
        key = (r.period, r.group)
        acc, b = accuracy[key], bias[key]
        assert acc["components"]["forecast"] == pytest.approx(r.forecast)
        assert acc["components"]["actual"] == pytest.approx(r.actual, abs=0.01)
        assert acc["components"]["late"] == bool(r.late)
        if np.isnan(r.accuracy):
            assert acc["value"] is None and b["value"] is None and acc["note"]
        else:
            assert acc["value"] == pytest.approx(r.accuracy, abs=1e-9)
            assert b["value"] == pytest.approx(r.bias, abs=1e-9)
    used = {k for k, row in accuracy.items() if row["components"]["forecast_id"] is not None}
    assert used == {(r.period, r.group) for r in ref.itertuples()}
