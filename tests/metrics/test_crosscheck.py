"""The engine against an independent pandas computation (tests/metrics/reference.py): every
metric, every quarter of a year, by team and company-wide, on the small demo company and on a
randomised company."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from salesmetrics import init_workspace
from salesmetrics.metrics.registry import REGISTRY, Section, Unit
from salesmetrics.workspace import Workspace
from tests.demos import DemoBuild, copy_demo
from tests.metrics import reference
from tests.metrics.randomized import build as build_random

YEAR = 2024


#: The random company in UTC is the fast tier (make check); its time-zone variant and the whole
#: demo company (as built, and without billing data) the slow tier (make test).
SLOW = pytest.mark.slow


@pytest.fixture(
    scope="session",
    params=[
        "random",
        pytest.param("random-jakarta", marks=SLOW),
        pytest.param("demo", marks=SLOW),
        pytest.param("demo-deal-customers", marks=SLOW),
    ],
)
def company(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, int]]:
    """A company and the year to check: a random one (in UTC and in Jakarta), and the small demo
    (as built, and without its billing data)."""
    root = tmp_path_factory.mktemp(request.param) / "ws"
    if request.param == "demo":
        yield request.getfixturevalue("shared_demo"), request.getfixturevalue("demo_build").year
        return
    if request.param == "demo-deal-customers":
        # The same demo without its billing data: customers are then defined by deals, as in the
        # reference, so the customer metrics are cross-checked on the demo too.
        build: DemoBuild = request.getfixturevalue("demo_build")
        ws, year = copy_demo(build, root), build.year
        with ws.writing() as backend:
            for table in ("subscriptions", "invoice_lines"):
                backend.con.execute(f'DELETE FROM "{table}"')
    else:
        ws, year = init_workspace(root), YEAR
        build_random(ws)
        if request.param == "random-jakarta":
            # Timestamps near midnight move to the next day; quotas and costs stay put.
            ws.config.timezone = "Asia/Jakarta"
    yield ws, year
    ws.close()


def quarters(year: int) -> list[reference.P]:
    return [
        reference.period(
            f"{year}-Q{q}",
            dt.date(year, 3 * q - 2, 1),
            dt.date(year + (q == 4), (3 * q) % 12 + 1, 1),
        )
        for q in range(1, 5)
    ]


RECURRING_BASED = (Section.CUSTOMERS, Section.RECURRING)


def computable(ws: Workspace) -> set[str]:
    """The metrics whose tables the workspace has (``a|b``: either)."""
    return {
        m.id
        for m in REGISTRY.values()
        if all(any(ws.count(a) for a in t.split("|")) for t in m.tables)
    }


def engine_frame(ws: Workspace, year: int, by: list[str]) -> pd.DataFrame:
    result = ws.metrics(period=str(year), grain="quarter", by=by)
    records = []
    for r in result.rows():
        group = dict(r["group"])
        question = group.pop("question", None)
        key = reference._key(group["team"]) if "team" in group else ""
        if question is not None:
            key = f"{key}|{question}"
        records.append(
            {
                "metric": r["metric"],
                "period": r["period"],
                "group": key,
                "engine": r["value"],
                "unit": r["unit"],
            }
        )
    return pd.DataFrame(records)


PIPELINE_HISTORY = {
    "pipeline_coverage",
    "weighted_pipeline",
    "deal_slippage_rate",
    "pipeline_flow",
    "time_in_stage",
    "stage_conversion",
    "sales_forecast_accuracy",
    "forecast_bias",
}


def close(a: Any, b: Any, unit: str) -> bool:
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    if unit in (Unit.MONEY, Unit.MONEY_PER_DAY):
        return abs(float(a) - float(b)) <= 0.011 + 1e-9 * abs(float(b))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("by", [["team"], []], ids=["by-team", "company"])
def test_engine_matches_pandas(company: tuple[Workspace, int], by: list[str]) -> None:
    ws, year = company
    engine = engine_frame(ws, year, by)
    ref = reference.compute(ws, quarters(year), grouped=bool(by)).rename(columns={"value": "ref"})
    assert set(engine["metric"]) == computable(ws)
    # The metrics of the open pipeline and the funnel are cross-checked against pandas from the
    # history table, and the forecast metrics against metrics.forecasting.accuracy(), in
    # tests/pipeline/test_demo_crosscheck.py.
    engine = engine[~engine["metric"].isin(PIPELINE_HISTORY)]
    # The reference defines customers by deals; with recurring data the engine uses MRR (checked
    # in test_recurring_metrics.py), so those metrics are compared only without it.
    skip: set[str] = set()
    if any(ws.count(t) for t in ("subscriptions", "invoice_lines")):
        skip = {m.id for m in REGISTRY.values() if m.section in RECURRING_BASED} | {
            "recognized_revenue",
            "customer_engagement_score",
            "mrr_growth_rate",
        }
        engine = engine[~engine["metric"].isin(skip)]
        ref = ref[~ref["metric"].isin(skip)]
    else:
        ref = ref[ref["metric"].isin(set(engine["metric"]))]
    merged = engine.merge(ref, on=["metric", "period", "group"], how="left", indicator=True)
    # Every engine row is known to the reference, except groups the reference found no rows
    # for in that period (their value must then be undefined or zero).
    unknown = merged[merged["_merge"] == "left_only"]
    assert all(pd.isna(v) or v == 0 for v in unknown["engine"]), unknown.head(20)
    both = merged[merged["_merge"] == "both"]
    bad = both[
        [
            not close(a, b, u)
            for a, b, u in zip(both["engine"], both["ref"], both["unit"], strict=True)
        ]
    ]
    assert bad.empty, bad.head(30).to_string()
    # And every value the reference has is in the engine's output.
    ref_defined = ref[ref["ref"].notna()]
    keys = set(zip(engine["metric"], engine["period"], engine["group"], strict=True))
    missing = [
        k
        for k in zip(
            ref_defined["metric"], ref_defined["period"], ref_defined["group"], strict=True
        )
        if k not in keys
    ]
    assert not missing, missing[:20]
    defined = both["engine"].notna().groupby(both["metric"]).sum()
    checked_here = computable(ws) - PIPELINE_HISTORY - skip
    if by:  # the metrics of costs are not available by team
        checked_here -= {m.id for m in REGISTRY.values() if "costs" in m.families}
    assert (defined > 0).sum() >= len(checked_here), defined


#: What --by channel is checked for (metrics.md "Marketing").
BY_CHANNEL = (
    "marketing_spend",
    "sales_spend",
    "cost_per_lead",
    "cost_per_qualified_lead",
    "customer_acquisition_cost",
    "ltv_to_cac",
    "cac_payback_months",
)
#: Two sources to one channel, the others unmapped (the random company has no mapping).
RANDOM_CHANNELS = {"web": "online", "event": "online"}


def test_engine_matches_pandas_by_channel(company: tuple[Workspace, int]) -> None:
    ws, year = company
    metrics = [m for m in BY_CHANNEL if m in computable(ws)]
    if any(ws.count(t) for t in ("subscriptions", "invoice_lines")):
        # customers by MRR in the engine, by deals in the reference
        metrics = [m for m in metrics if REGISTRY[m].section is not Section.CUSTOMERS]
    mapping = ws.config.channels
    if not mapping:
        ws.config.channels = RANDOM_CHANNELS
    try:
        result = ws.metrics(metrics, period=str(year), grain="quarter", by=["channel"])
        ref = reference.compute_by_channel(ws, quarters(year))
    finally:
        ws.config.channels = mapping
    engine = pd.DataFrame(
        {
            "metric": r["metric"],
            "period": r["period"],
            "group": reference._key(r["group"]["channel"]),
            "engine": r["value"],
            "unit": r["unit"],
        }
        for r in result.rows()
    )
    ref = ref[ref["metric"].isin(metrics)].rename(columns={"value": "ref"})
    merged = engine.merge(ref, on=["metric", "period", "group"], how="outer", indicator=True)
    # The reference lists every channel of any of these metrics in every period; a group only
    # one side has is one without rows there (no spend, no leads, no customers).
    alone = merged[merged["_merge"] != "both"]
    assert all(pd.isna(v) or v == 0 for v in alone["engine"].fillna(alone["ref"])), alone
    merged = merged[merged["_merge"] == "both"]
    bad = merged[
        [
            not close(a, b, u)
            for a, b, u in zip(merged["engine"], merged["ref"], merged["unit"], strict=True)
        ]
    ]
    assert bad.empty, bad.head(30).to_string()
    groups = set(engine["group"])
    assert reference.UNALLOCATED in groups or ws.count("costs") == 0
    assert engine["engine"].notna().groupby(engine["metric"]).sum().min() > 0


def test_drill_matches_the_components(company: tuple[Workspace, int]) -> None:
    """The deals behind each win rate (foreign currencies included) are the ones it counted."""
    from salesmetrics.metrics.drill import drill_result

    ws, year = company
    result = ws.metrics(["win_rate"], period=f"{year}-Q2", by=["team"])
    pairs = drill_result(ws, result)
    assert pairs
    for row, frame in pairs:
        assert frame is not None
        assert (frame["status"] == "won").sum() == row["components"]["won"]
        assert (frame["status"] == "lost").sum() == row["components"]["lost"]
