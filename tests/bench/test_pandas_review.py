"""The plain-pandas review of bench/ (quality bar P2) against the engine: every registry metric,
the 4 quarters and 12 months of the small demo's last full year, company-wide, by team and by
rep, value by value; and the comparison itself, which must catch differences."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from bench import pandas_review
from salesmetrics.backends.embedded import database_path
from salesmetrics.metrics.registry import REGISTRY
from salesmetrics.workspace import Workspace
from tests.demos import DemoBuild, copy_demo

#: Metrics the pandas review does not match yet, with the reason. Empty: it matches them all.
UNMATCHED: dict[str, str] = {}

GRAINS = ("quarter", "month")
BYS: tuple[tuple[str, ...], ...] = ((), ("team",), ("rep",))


@pytest.fixture(scope="module")
def demo(
    demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, int]]:
    """A copy of the small demo of this module's own (its billing data is deleted later) and
    its last full year."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("pandas-review") / "ws")
    yield ws, demo_build.year
    ws.close()


def both_reviews(ws: Workspace, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's review (six requests, tagged) and the pandas review of the same year."""
    engine = pd.concat(
        [
            pandas_review.tag(
                ws.metrics(period=str(year), grain=grain, by=list(by)).to_pandas(), by
            )
            for grain in GRAINS
            for by in BYS
        ],
        ignore_index=True,
    )
    db = database_path(ws.config, ws.root)
    ws.close()  # the pandas side opens the DuckDB file itself
    mine = pandas_review.review(pandas_review.load(db), year, ws.config)
    return engine, mine


@pytest.fixture(scope="module")
def reviews(demo: tuple[Workspace, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both reviews of the demo (customers from recurring revenue)."""
    return both_reviews(*demo)


@pytest.fixture(scope="module")
def deal_reviews(
    demo: tuple[Workspace, int], reviews: tuple[pd.DataFrame, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both reviews of the demo without its billing data (after ``reviews``): customers are
    then defined by deals."""
    ws, year = demo
    with ws.writing() as backend:
        for table in ("subscriptions", "invoice_lines"):
            backend.con.execute(f'DELETE FROM "{table}"')
    return both_reviews(ws, year)


@pytest.mark.slow
def test_pandas_review_equals_the_engine(reviews: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    engine, mine = reviews
    assert not pandas_review.compare(engine, mine)


@pytest.mark.slow
def test_pandas_review_equals_the_engine_with_customers_from_deals(
    deal_reviews: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    engine, mine = deal_reviews
    assert "customer_churn_rate" in set(mine.loc[mine["value"].notna(), "metric"])
    assert not pandas_review.compare(engine, mine)


@pytest.mark.slow
def test_every_registry_metric_is_reviewed(reviews: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    engine, mine = reviews
    expected = set(REGISTRY) - set(UNMATCHED)
    assert set(engine["metric"]) == set(REGISTRY)
    assert expected <= set(mine["metric"])
    # defined values, not just rows: every metric has some non-null value on both sides
    defined = mine[mine["value"].notna()]
    assert expected <= set(defined["metric"])
    periods = set(mine["period"])
    assert len(periods) == 16
    assert set(mine["by"]) == {"", "team", "rep"}


@pytest.mark.slow
def test_comparison_catches_differences(reviews: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    engine, mine = reviews
    money = mine[(mine["metric"] == "total_revenue") & (mine["value"] > 0)].index[0]
    ratio = mine[(mine["metric"] == "win_rate") & mine["value"].notna()].index[0]

    off_by_two_cents = mine.copy()
    off_by_two_cents.loc[money, "value"] += 0.02
    assert len(pandas_review.compare(engine, off_by_two_cents)) == 1

    within_a_cent = mine.copy()
    within_a_cent.loc[money, "value"] += 0.004
    assert not pandas_review.compare(engine, within_a_cent)

    ratio_off = mine.copy()
    ratio_off.loc[ratio, "value"] *= 1 + 1e-6
    assert len(pandas_review.compare(engine, ratio_off)) == 1

    null_instead = mine.copy()
    null_instead.loc[ratio, "value"] = np.nan
    assert len(pandas_review.compare(engine, null_instead)) == 1

    missing_row = mine.drop(index=money)
    assert len(pandas_review.compare(engine, missing_row)) == 1

    duplicated = pd.concat([mine, mine.loc[[money]]], ignore_index=True)
    assert pandas_review.compare(engine, duplicated)


def test_compare_on_a_tiny_frame() -> None:
    """The comparison rules on hand-made rows: cents, counts, ratios, nulls, absent rows."""

    def frame(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
        out = pd.DataFrame(rows, columns=["metric", "period", "by", "group", "value"])
        return out.assign(stage=None, question=None)

    engine = frame(
        [
            ("total_revenue", "2025-Q1", "", "", 100.00),
            ("qualified_leads", "2025-Q1", "", "", 12.0),
            ("win_rate", "2025-Q1", "", "", 0.25),
            ("win_rate", "2025-Q1", "team", "East", np.nan),
            ("total_revenue", "2025-Q1", "team", "West", 0.0),
            ("win_rate", "2025-Q1", "team", "North", 0.0),
        ]
    ).rename(columns={"group": "team"})
    engine.loc[engine["by"] != "team", "team"] = None
    same = frame(
        [
            ("total_revenue", "2025-Q1", "", "", 100.01),
            ("qualified_leads", "2025-Q1", "", "", 12.0),
            ("win_rate", "2025-Q1", "", "", 0.25 + 1e-12),
        ]
    )
    rounded = frame([("time_in_stage", "2025-Q1", "", "", 5.2637)])
    assert (
        pandas_review.compare(rounded, frame([("time_in_stage", "2025-Q1", "", "", 5.2638)])) == []
    )
    assert pandas_review.compare(rounded, frame([("time_in_stage", "2025-Q1", "", "", 5.2639)]))
    # a zero ratio missing on the other side is a difference, a zero amount is not
    assert len(pandas_review.compare(engine, same)) == 1
    same = pd.concat([same, frame([("win_rate", "2025-Q1", "team", "North", 0.0)])])
    assert pandas_review.compare(engine, same) == []
    different = frame(
        [
            ("total_revenue", "2025-Q1", "", "", 100.02),
            ("qualified_leads", "2025-Q1", "", "", 13.0),
            ("win_rate", "2025-Q1", "", "", 0.26),
            ("win_rate", "2025-Q1", "team", "East", 0.5),
            ("mrr", "2025-Q1", "", "", 5.0),
        ]
    )
    problems = pandas_review.compare(engine, different)
    assert len(problems) == 6, problems  # the five above and the missing zero win rate
