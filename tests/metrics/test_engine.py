"""Engine behaviour and edge cases: empty periods, zero denominators, nulls, currencies, fiscal
years, time zones, sellers leaving, quotas spanning quarters, comparisons, groups, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from salesmetrics.errors import UserError
from salesmetrics.metrics.registry import REGISTRY
from salesmetrics.metrics.result import COMPARE_KEYS
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert, own_note
from tests.metrics.test_examples import _customers, deal

D = dt.date


def rows(ws: Workspace, metric: str, **options: Any) -> list[dict[str, Any]]:
    """Result rows of one metric."""
    return [r for r in ws.metrics([metric], **options).rows() if r["metric"] == metric]


def by_period(result_rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["period"]: r for r in result_rows}


# -- undefined values ---------------------------------------------------------------------------


def test_empty_period_gives_null_with_note(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [deal(1, "won", D(2024, 5, 1))])
    row = rows(workspace, "win_rate", period="2030-Q1")[0]
    assert row["value"] is None
    assert own_note(row["note"]) == "no closed deals in 2030-Q1; the data ends on 2024-05-01"
    total = rows(workspace, "total_revenue", period="2030-Q1")[0]
    assert total["value"] == 0
    assert own_note(total["note"]) == "no deals won in 2030-Q1; the data ends on 2024-05-01"


def test_metric_without_data_is_noted_when_asked_and_skipped_otherwise(
    workspace: Workspace,
) -> None:
    insert(workspace, "opportunities", [deal(1, "won", D(2024, 5, 1))])
    row = rows(workspace, "lead_conversion_rate", period="2024")[0]
    assert row["value"] is None and "no leads" in own_note(row["note"])
    result = workspace.metrics(period="2024")
    assert "lead_conversion_rate" not in {r["metric"] for r in result.rows()}
    assert any(n.startswith("lead_conversion_rate: skipped") for n in result.notes)


def test_zero_denominator_is_null_never_nan(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [deal(1, "won", D(2024, 5, 1), 0)])
    insert(workspace, "opportunities", [deal(2, "lost", D(2024, 5, 1), 0)])
    row = rows(workspace, "win_rate_by_value", period="2024-Q2")[0]
    assert row["value"] is None and own_note(row["note"])
    growth = rows(workspace, "revenue_growth", period="2024-Q2")[0]
    assert growth["value"] is None
    assert own_note(growth["note"]) == "no revenue won in the previous period, 2024-Q1"


def test_missing_amounts_and_dates_are_counted_out(workspace: Workspace) -> None:
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 5, 10), 100, created_at=dt.datetime(2024, 5, 1)),
            deal(2, "won", D(2024, 5, 10), 300, created_at=None),
            deal(3, "lost", D(2024, 5, 10), None),
            deal(4, "lost", D(2024, 5, 10), 600),
        ],
    )
    cycle = rows(workspace, "sales_cycle_length", period="2024-05")[0]
    assert cycle["value"] == 9
    assert cycle["components"] == {"total_days": 9, "deals": 1, "median_days": 9.0, "excluded": 1}
    by_value = rows(workspace, "win_rate_by_value", period="2024-05")[0]
    assert by_value["value"] == pytest.approx(400 / 1000)
    assert by_value["components"]["lost_without_amount"] == 1
    assert "left out" in own_note(by_value["note"])


# -- the data's end, and the periods of ``all`` ------------------------------------------------


def _dated_facts(ws: Workspace) -> None:
    """Facts from 2023-02-10 to 2025-03-14, and expected close dates beyond (until 2026-06)."""
    insert(
        ws,
        "opportunities",
        [
            deal(1, "won", D(2023, 2, 10), 1_000, created_at=dt.datetime(2023, 2, 10, 9)),
            deal(2, "won", D(2024, 6, 1), 2_000, created_at=dt.datetime(2024, 1, 5, 9)),
            deal(3, "lost", D(2025, 1, 20), 500, created_at=dt.datetime(2024, 11, 2, 9)),
            # open deals: their close dates are expected, not facts
            deal(4, "open", D(2026, 6, 30), 9_000, created_at=dt.datetime(2024, 12, 1, 9)),
            deal(5, "open", D(2022, 1, 5), 9_000, created_at=dt.datetime(2024, 12, 2, 9)),
        ],
    )
    insert(
        ws,
        "activities",
        [
            {
                "activity_id": "a1",
                "rep_id": "r",
                "started_at": dt.datetime(2025, 3, 14, 16),
                "duration_minutes": 30,
                "type": "call",
            }
        ],
    )
    # plans and scheduled ends are not facts either
    insert(
        ws,
        "quotas",
        [
            {
                "rep_id": "r",
                "period_start": D(2021, 1, 1),
                "period_end": D(2026, 12, 31),
                "amount": 9,
            }
        ],
    )
    insert(
        ws,
        "subscriptions",
        [
            {
                "subscription_id": "s1",
                "account_id": "c1",
                "start_date": D(2024, 2, 1),
                "end_date": D(2027, 2, 1),
                "mrr": 100,
            }
        ],
    )


def test_all_runs_from_the_first_to_the_last_fact_date_with_clipped_edges(
    workspace: Workspace,
) -> None:
    _dated_facts(workspace)
    result = rows(workspace, "total_revenue", period="all", grain="year", compare="previous")
    periods = [(r["period"], r["start"], r["end"]) for r in result]
    assert periods == [
        ("2023 (from 2023-02-10)", "2023-02-10", "2024-01-01"),
        ("2024", "2024-01-01", "2025-01-01"),
        ("2025 (to 2025-03-14)", "2025-01-01", "2025-03-15"),  # not into expected close dates
    ]
    # the previous period is the whole grain period before, for a clipped period too
    assert [r["compare_period"] for r in result] == ["2022", "2023", "2024"]
    assert [r["value"] for r in result] == [1_000, 2_000, 0]
    assert all(
        own_note(r["note"]) is None or "data ends" not in own_note(r["note"]) for r in result
    )
    growth = rows(workspace, "revenue_growth", period="all", grain="year")
    assert own_note(growth[0]["note"]) == "no revenue won in the previous period, 2022"
    assert growth[2]["value"] == -1.0  # against the whole of 2024
    (single,) = rows(workspace, "win_rate", period="all")
    assert (single["period"], single["start"], single["end"]) == ("all", "2023-02-10", "2025-03-15")


def test_all_counts_the_local_date_of_timestamps(workspace: Workspace) -> None:
    # 2025-03-14 16:00 UTC is already 2025-03-15 in Auckland (UTC+13 in March)
    workspace.config.timezone = "Pacific/Auckland"
    _dated_facts(workspace)
    (row,) = rows(workspace, "win_rate", period="all")
    assert row["end"] == "2025-03-16"


def test_a_period_after_the_data_is_noted(workspace: Workspace) -> None:
    _dated_facts(workspace)
    result = workspace.metrics(["total_revenue", "win_rate", "mrr"], period="2025", grain="quarter")
    notes = {(r["metric"], r["period"]): r["note"] for r in result.rows()}
    ends = "the data ends on 2025-03-14"
    assert result.period_notes == {
        "2025-Q1": "in progress: the data ends on 2025-03-14",
        "2025-Q2": ends,
        "2025-Q3": ends,
        "2025-Q4": ends,
    }
    # the data's end falls in it, before its last day: the period in progress
    assert notes["win_rate", "2025-Q1"] == "in progress: the data ends on 2025-03-14"
    assert notes["mrr", "2025-Q2"] == ends
    assert notes["total_revenue", "2025-Q3"] == f"no deals won in 2025-Q3; {ends}"
    assert notes["win_rate", "2025-Q4"] == f"no closed deals in 2025-Q4; {ends}"
    # the note is the data's, not a comparison period's
    before = workspace.metrics(["total_revenue"], period="2024", compare="year")
    assert before.period_notes == {} and before.rows()[0]["note"] is None


def test_the_data_end_is_read_once_per_data_version(workspace: Workspace) -> None:
    _dated_facts(workspace)
    first = workspace.metrics(["total_revenue"], period="2026")
    assert "data span" in first.queries
    assert first.rows()[0]["note"].endswith("the data ends on 2025-03-14")
    again = workspace.metrics(["total_revenue"], period="2025-Q4")
    assert "data span" not in again.queries
    insert(workspace, "leads", [{"lead_id": "l1", "created_at": dt.datetime(2026, 1, 2, 9)}])
    after = workspace.metrics(["total_revenue"], period="2026")
    assert "data span" in after.queries
    # the data end is in 2026 now: the period in progress
    assert (
        after.rows()[0]["note"] == "no deals won in 2026; in progress: the data ends on 2026-01-02"
    )


def test_engagement_note_names_the_event_types_of_target_zero(workspace: Workspace) -> None:
    _customers(workspace, D(2024, 1, 10), 20, "c")
    logins = [3, 5, 8, 1, 12, 4, 6, 9, 2, 7, 10, 11, 5, 6, 3, 8, 2, 4, 9, 1]
    events = [
        {"account_id": f"c{i}", "occurred_on": D(2024, 5, 20), "event": "login", "count": n}
        for i, n in enumerate(logins)
    ]
    # one customer in twenty adds seats or uses an integration: their 90th percentile is 0
    events += [
        {"account_id": "c0", "occurred_on": D(2024, 5, 21), "event": "seat_added"},
        {"account_id": "c3", "occurred_on": D(2024, 5, 22), "event": "integration_used"},
    ]
    insert(workspace, "engagement_events", events)
    (row,) = rows(workspace, "customer_engagement_score", period="2024-05")
    assert own_note(row["note"]) == (
        "event types left out of the score, their target being 0 (most customers never do"
        " them): integration_used, seat_added"
    )
    # the score is the logins' alone: an independent computation
    target = float(np.percentile(logins, 90))
    expected = np.mean([100 * min(n / target, 1) for n in logins])
    assert row["value"] == pytest.approx(expected)
    assert row["components"]["event_types"] == 1
    # a configured target of 0 is left out and named too; without such a type, no note
    workspace.config.engagement_targets = {"seat_added": 1, "integration_used": 0}
    (row,) = rows(workspace, "customer_engagement_score", period="2024-05")
    assert own_note(row["note"]).endswith("them): integration_used")
    workspace.config.engagement_targets = {"seat_added": 1, "integration_used": 1}
    (row,) = rows(workspace, "customer_engagement_score", period="2024-05")
    assert own_note(row["note"]) is None and row["components"]["event_types"] == 3


# -- currencies ---------------------------------------------------------------------------------


def test_amounts_are_converted_at_the_latest_rate_on_or_before_their_date(
    workspace: Workspace,
) -> None:
    insert(
        workspace,
        "fx_rates",
        [
            {"date": D(2024, 1, 1), "currency": "EUR", "rate": 1.10},
            {"date": D(2024, 5, 2), "currency": "EUR", "rate": 1.20},
            {"date": D(2024, 1, 1), "currency": "IDR", "rate": 0.0000625},
        ],
    )
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 5, 1), 1000, currency="EUR"),  # 1.10
            deal(2, "won", D(2024, 5, 2), 1000, currency="eur"),  # 1.20, same day counts
            deal(3, "won", D(2024, 5, 3), 16_000_000, currency="IDR"),  # 1000
            deal(4, "won", D(2024, 5, 3), 1000.0049, currency=None),  # base currency
        ],
    )
    row = rows(workspace, "total_revenue", period="2024-05")[0]
    assert row["value"] == 1100 + 1200 + 1000 + 1000.00


def test_foreign_amount_without_rate_is_an_error_naming_currency_and_date(
    workspace: Workspace,
) -> None:
    insert(workspace, "fx_rates", [{"date": D(2024, 6, 1), "currency": "EUR", "rate": 1.1}])
    insert(workspace, "opportunities", [deal(1, "won", D(2024, 5, 3), 1000, currency="EUR")])
    with pytest.raises(UserError, match=r"no exchange rate for EUR on 2024-05-03"):
        workspace.metrics(["total_revenue"], period="2024")
    # Outside the periods asked for, the same deal is not read.
    assert rows(workspace, "total_revenue", period="2023")[0]["value"] == 0


def test_foreign_quota_and_cost_without_rate_are_errors(workspace: Workspace) -> None:
    insert(
        workspace,
        "quotas",
        [
            {
                "rep_id": "r",
                "period_start": D(2024, 1, 1),
                "period_end": D(2024, 3, 31),
                "amount": 5,
                "currency": "GBP",
            }
        ],
    )
    with pytest.raises(UserError, match="GBP on 2024-01-01"):
        workspace.metrics(["quota_attainment"], period="2024-Q1")


# -- calendars and time zones -------------------------------------------------------------------


def test_fiscal_year_starting_in_april(workspace: Workspace) -> None:
    workspace.config.fiscal_year_start_month = 4
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 4, 1), 100),
            deal(2, "won", D(2024, 12, 31), 200),
            deal(3, "won", D(2025, 3, 31), 300),
            deal(4, "won", D(2025, 4, 1), 400),
        ],
    )
    result = by_period(rows(workspace, "total_revenue", period="FY2025", grain="quarter"))
    assert list(result) == ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4"]
    assert result["FY2025-Q1"]["start"] == "2024-04-01"
    assert [r["value"] for r in result.values()] == [100, 0, 200, 300]
    year = rows(workspace, "total_revenue", period="FY2025")[0]
    assert year["value"] == 600 and year["end"] == "2025-04-01"
    growth = rows(workspace, "revenue_growth", period="FY2025", grain="quarter")
    assert growth[2]["components"]["previous_period"] == "FY2025-Q2"


def test_fiscal_months_of_a_4_4_5_calendar_count_by_their_week_dates(workspace: Workspace) -> None:
    # 4-4-5 weeks, years ending on the last Saturday of December: FY2024 = 2023-12-31 ..
    # 2024-12-28, its months (by hand) [12-31, 01-28) [01-28, 02-25) [02-25, 03-31) [03-31, ...).
    workspace.config.fiscal_calendar = "4-4-5"
    workspace.config.fiscal_year_end_rule = "last"
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2023, 12, 31), 100),  # calendar 2023, fiscal FY2024-M01
            deal(2, "won", D(2024, 1, 27), 200),  # last day of FY2024-M01
            deal(3, "won", D(2024, 1, 28), 300),  # first day of FY2024-M02
            deal(4, "won", D(2024, 3, 30), 400),  # last day of FY2024-M03 (5 weeks)
            deal(5, "won", D(2024, 3, 31), 500),  # calendar March, fiscal FY2024-M04
            deal(6, "won", D(2024, 12, 29), 600),  # FY2025-M01
        ],
    )
    result = by_period(rows(workspace, "total_revenue", period="FY2024-Q1", grain="month"))
    assert list(result) == ["FY2024-M01", "FY2024-M02", "FY2024-M03"]
    assert [(r["start"], r["end"]) for r in result.values()] == [
        ("2023-12-31", "2024-01-28"),
        ("2024-01-28", "2024-02-25"),
        ("2024-02-25", "2024-03-31"),
    ]
    assert [r["value"] for r in result.values()] == [300, 300, 400]
    assert rows(workspace, "total_revenue", period="FY2024-M04")[0]["value"] == 500
    assert rows(workspace, "total_revenue", period="FY2024")[0]["value"] == 1500
    run = by_period(
        rows(workspace, "total_revenue", from_period="FY2024-M02", to_period="FY2024-M04")
    )
    assert list(run) == ["FY2024-M02", "FY2024-M03", "FY2024-M04"]
    year = rows(workspace, "total_revenue", period="FY2025-M01", compare="year")[0]
    assert (year["compare_period"], year["compare_value"], year["value"]) == (
        "FY2024-M01",
        300,
        600,
    )
    prev = rows(workspace, "total_revenue", period="FY2024-M02", compare="previous")[0]
    assert (prev["compare_period"], prev["compare_value"]) == ("FY2024-M01", 300)
    growth = by_period(rows(workspace, "revenue_growth", period="FY2024-Q1", grain="month"))
    assert growth["FY2024-M03"]["components"]["previous_period"] == "FY2024-M02"
    weeks = rows(workspace, "total_revenue", period="FY2024-M01", grain="week")
    assert [r["period"] for r in weeks] == [f"FY2024-W0{w}" for w in (1, 2, 3, 4)]
    assert [r["value"] for r in weeks] == [100, 0, 0, 200]
    # calendar periods still mean calendar dates
    assert rows(workspace, "total_revenue", period="2024-03")[0]["value"] == 900


def test_timestamps_count_by_their_date_in_the_workspace_timezone(workspace: Workspace) -> None:
    workspace.config.timezone = "Asia/Jakarta"
    insert(
        workspace,
        "leads",
        [
            {"lead_id": "a", "created_at": dt.datetime(2024, 3, 31, 20, 0)},  # 1 April in Jakarta
            {"lead_id": "b", "created_at": dt.datetime(2024, 3, 31, 16, 0)},  # 31 March 23:00
        ],
    )
    result = by_period(rows(workspace, "lead_conversion_rate", period="2024", grain="quarter"))
    assert result["2024-Q1"]["components"]["created"] == 1
    assert result["2024-Q2"]["components"]["created"] == 1


# -- sellers and quotas -------------------------------------------------------------------------


def test_rep_leaving_mid_quarter_is_a_seller_of_that_quarter_only(workspace: Workspace) -> None:
    insert(
        workspace,
        "reps",
        [
            {"rep_id": "stays", "team": "East", "hired_on": D(2023, 1, 1)},
            {
                "rep_id": "leaves",
                "team": "East",
                "hired_on": D(2023, 1, 1),
                "left_on": D(2024, 5, 15),
            },
            {"rep_id": "joins", "team": "East", "hired_on": D(2024, 8, 20)},
        ],
    )
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 5, 1), 90_000, owner_id="leaves"),
            deal(2, "won", D(2024, 8, 1), 60_000, owner_id="stays"),
        ],
    )
    result = by_period(rows(workspace, "sales_rep_productivity", period="2024", grain="quarter"))
    assert result["2024-Q2"]["components"] == {
        "revenue": 90_000,
        "sellers": 2,
        "basis": "employment",
    }
    assert result["2024-Q2"]["value"] == 45_000
    assert result["2024-Q3"]["components"]["sellers"] == 2  # stays + joins; leaves is gone
    assert result["2024-Q3"]["value"] == 30_000


def test_sellers_fall_back_to_deal_owners(workspace: Workspace) -> None:
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 5, 1), 100, owner_id="a"),
            deal(2, "lost", D(2024, 5, 1), 100, owner_id="b"),
            deal(3, "open", D(2024, 5, 1), 100, owner_id="c"),
        ],
    )
    row = rows(workspace, "sales_rep_productivity", period="2024-Q2")[0]
    assert row["components"] == {"revenue": 100, "sellers": 2, "basis": "deal_owners"}


def test_quota_spanning_two_quarters_is_prorated_by_days(workspace: Workspace) -> None:
    insert(workspace, "reps", [{"rep_id": "r", "team": "East"}])
    # 61 days: 31 in March (Q1), 30 in April (Q2).
    insert(
        workspace,
        "quotas",
        [
            {
                "rep_id": "r",
                "period_start": D(2024, 3, 1),
                "period_end": D(2024, 4, 30),
                "amount": 61_000,
            }
        ],
    )
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2024, 3, 15), 31_000, owner_id="r"),
            deal(2, "won", D(2024, 4, 15), 15_000, owner_id="r"),
            deal(3, "won", D(2024, 7, 15), 15_000, owner_id="r"),
        ],
    )
    result = by_period(rows(workspace, "quota_attainment", period="2024", grain="quarter"))
    assert result["2024-Q1"]["components"]["quota"] == 31_000
    assert result["2024-Q2"]["components"]["quota"] == 30_000
    assert result["2024-Q1"]["value"] == 1.0 and result["2024-Q2"]["value"] == 0.5
    assert (
        result["2024-Q3"]["value"] is None
        and own_note(result["2024-Q3"]["note"]) == "no quota for 2024-Q3"
    )
    rate = by_period(rows(workspace, "quota_attainment_rate", period="2024", grain="quarter"))
    assert rate["2024-Q1"]["value"] == 1.0 and rate["2024-Q2"]["value"] == 0.0
    month = rows(workspace, "quota_attainment", period="2024-04")[0]
    assert month["components"]["quota"] == 30_000


# -- groups -------------------------------------------------------------------------------------


def _teams(ws: Workspace) -> None:
    insert(
        ws,
        "reps",
        [
            {"rep_id": "e1", "team": "East", "region": "EMEA"},
            {"rep_id": "w1", "team": "West", "region": "AMER"},
        ],
    )
    insert(ws, "accounts", [{"account_id": "acc", "segment": "SMB", "owner_id": "w1"}])
    insert(
        ws,
        "opportunities",
        [
            deal(1, "won", D(2024, 5, 1), 100, owner_id="e1", account_id="acc", source="web"),
            deal(2, "lost", D(2024, 5, 1), 100, owner_id="e1", source="web"),
            deal(3, "won", D(2024, 5, 1), 300, owner_id="w1", source="event"),
            deal(4, "lost", D(2024, 8, 1), 300, owner_id=None),
        ],
    )


def test_groups_use_only_their_rows_and_cover_every_period(workspace: Workspace) -> None:
    _teams(workspace)
    result = rows(workspace, "win_rate", period="2024", grain="quarter", by=["team"])
    keyed = {(r["period"], r["group"]["team"]): r for r in result}
    assert keyed[("2024-Q2", "East")]["value"] == 0.5
    assert keyed[("2024-Q2", "West")]["value"] == 1.0
    assert keyed[("2024-Q3", None)]["value"] == 0.0  # the deal without an owner has no team
    assert own_note(keyed[("2024-Q1", "East")]["note"]) == "no closed deals in 2024-Q1"
    assert len(result) == 4 * 3


def test_group_dimensions_come_from_the_right_rows(workspace: Workspace) -> None:
    _teams(workspace)
    by_segment = rows(workspace, "total_revenue", period="2024-Q2", by=["segment"])
    assert {r["group"]["segment"]: r["value"] for r in by_segment} == {"SMB": 100, None: 300}
    two = rows(workspace, "total_revenue", period="2024-Q2", by=["region", "source"])
    assert {tuple(r["group"].values()): r["value"] for r in two} == {
        ("EMEA", "web"): 100,
        ("AMER", "event"): 300,
    }
    # Customer metrics take the group from the account: its owner is in West.
    customers = rows(workspace, "new_customers", period="2024-Q2", by=["team"])
    assert {r["group"]["team"]: r["value"] for r in customers} == {"West": 1}


def test_metric_not_available_by_a_dimension_says_why(workspace: Workspace) -> None:
    _teams(workspace)
    insert(
        workspace,
        "costs",
        [{"cost_id": "c", "date": D(2024, 5, 1), "category": "sales", "amount": 10}],
    )
    row = rows(workspace, "customer_acquisition_cost", period="2024-Q2", by=["team"])[0]
    assert row["value"] is None and row["group"] == {}
    assert own_note(row["note"]) == "not available by team: costs data carry no team"


def test_result_frame_columns_placeholders_among_computed_rows(workspace: Workspace) -> None:
    _teams(workspace)
    insert(
        workspace, "opportunities", [deal(1, "won", D(2024, 5, 1)), deal(2, "lost", D(2024, 8, 1))]
    )
    insert(
        workspace,
        "costs",
        [{"cost_id": "c", "date": D(2024, 5, 1), "category": "sales", "amount": 10}],
    )
    result = workspace.metrics(
        ["win_rate", "customer_acquisition_cost", "total_revenue"],
        period="2024",
        grain="quarter",
        by=["team"],
        compare="previous",
    )
    frame = result.frame
    for column in ("metric", "unit", "start", "end"):
        assert frame[column].dtype == "str", column
    assert list(dict.fromkeys(frame["metric"])) == [
        "win_rate",
        "customer_acquisition_cost",
        "total_revenue",
    ]
    bounds = {(r["period"], r["start"], r["end"]) for r in result.rows()}
    assert {b for b in bounds if b[0] == "2024-Q3"} == {("2024-Q3", "2024-07-01", "2024-10-01")}
    placeholder = frame[frame["metric"] == "customer_acquisition_cost"]
    assert list(placeholder["period"]) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert list(placeholder["start"]) == ["2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01"]
    assert set(placeholder["unit"]) == {"money"}
    computed = workspace.metrics(
        ["win_rate", "total_revenue"],
        period="2024",
        grain="quarter",
        by=["team"],
        compare="previous",
    ).frame  # every part computed: the number columns are merged as floats
    assert computed["value"].isna().any()  # the win rate of a quarter without closed deals
    for merged in (frame, computed):
        for column in ("value", "note", "target", "status", *COMPARE_KEYS):
            assert not any(isinstance(v, float) and v != v for v in merged[column]), column
    assert placeholder["value"].isna().all() and all(v is None for v in placeholder["value"])
    components = list(frame["components"])
    assert len({id(c) for c in components}) == len(components)  # a dict of its own per row


def test_unknown_dimension_and_metric_are_user_errors(workspace: Workspace) -> None:
    with pytest.raises(UserError, match=r"unknown group dimension 'teams' \(did you mean 'team'"):
        workspace.metrics(["win_rate"], period="2024", by=["teams"])
    with pytest.raises(UserError, match=r"unknown metric 'win_rte' \(did you mean 'win_rate'"):
        workspace.metrics(["win_rte"], period="2024")


# -- comparisons, bases, targets ----------------------------------------------------------------


def test_compare_previous_and_year(workspace: Workspace) -> None:
    insert(
        workspace,
        "opportunities",
        [
            deal(1, "won", D(2023, 5, 1), 100),
            deal(2, "won", D(2024, 2, 1), 200),
            deal(3, "won", D(2024, 5, 1), 300),
        ],
    )
    prev = rows(workspace, "total_revenue", period="2024-Q2", compare="previous")[0]
    assert (prev["compare_period"], prev["compare_value"], prev["change"]) == ("2024-Q1", 200, 100)
    assert prev["change_rate"] == pytest.approx(0.5)
    year = rows(workspace, "total_revenue", period="2024-Q2", compare="year")[0]
    assert (year["compare_period"], year["compare_value"]) == ("2023-Q2", 100)
    growth = rows(workspace, "revenue_growth", period="2024-Q2", compare="year")[0]
    # 2023-Q2 has no growth (nothing won in 2023-Q1): the comparison is null, not 0.
    assert (growth["value"], growth["compare_period"]) == (0.5, "2023-Q2")
    assert growth["compare_value"] is None and growth["change"] is None
    with pytest.raises(UserError, match="comparison"):
        workspace.metrics(["total_revenue"], period="2024", compare="last")


def test_bases(workspace: Workspace) -> None:
    insert(workspace, "reps", [{"rep_id": "r", "hired_on": D(2020, 1, 1)}])
    insert(
        workspace,
        "activities",
        [
            {
                "activity_id": "a",
                "rep_id": "r",
                "started_at": dt.datetime(2024, 5, 6, 9),
                "duration_minutes": 1200,
                "type": "call",
            },
        ],
    )
    logged = rows(workspace, "time_spent_selling", period="2024-W19")[0]
    assert logged["value"] == 1.0 and logged["components"]["basis"] == "logged"
    standard = rows(
        workspace, "time_spent_selling", period="2024-W19", basis={"time_spent_selling": "standard"}
    )[0]
    assert standard["value"] == pytest.approx(1200 / 2400)
    assert standard["components"]["sellers"] == 1
    with pytest.raises(UserError, match="unknown basis"):
        workspace.metrics(["win_rate"], period="2024", basis={"win_rate": "x"})


def test_score_rule_for_qualified_leads(workspace: Workspace) -> None:
    workspace.config.lead_qualification = "score >= 50"
    insert(
        workspace,
        "leads",
        [
            {"lead_id": "a", "created_at": dt.datetime(2024, 5, 1), "score": 70},
            {"lead_id": "b", "created_at": dt.datetime(2024, 5, 1), "score": 20},
            {
                "lead_id": "c",
                "created_at": dt.datetime(2024, 4, 1),
                "score": 50,
                "qualified_at": dt.datetime(2024, 5, 3),
            },
        ],
    )
    assert rows(workspace, "qualified_leads", period="2024-05")[0]["value"] == 2
    workspace.config.lead_qualification = "score >= fifty"
    with pytest.raises(UserError, match="lead_qualification"):
        workspace.metrics(["qualified_leads"], period="2024-05")


def test_targets_and_status_follow_direction(workspace: Workspace) -> None:
    from salesmetrics.config import MetricTargets

    _teams(workspace)
    workspace.config.targets = {
        "win_rate": MetricTargets(default=0.9, team={"East": 0.52}),
        "sales_cycle_length": MetricTargets(default=10),
    }
    result = rows(workspace, "win_rate", period="2024-Q2", by=["team"])
    status = {r["group"]["team"]: (r["target"], r["status"]) for r in result}
    assert status == {"East": (0.52, "at_risk"), "West": (0.9, "on_track")}
    workspace.config.targets = {"win_rate": MetricTargets(default=0.7)}
    east = rows(workspace, "win_rate", period="2024-Q2", by=["team"])[0]
    assert east["status"] == "off_track"


def test_lower_is_better_status_and_registry_default_target() -> None:
    import numpy as np

    from salesmetrics.metrics import targets

    payback = REGISTRY["cac_payback_months"]
    assert payback.default_target is not None and payback.default_target.value == 12
    got = targets.status(payback, np.array([11.0, 12.5, 14.0, np.nan]), np.full(4, 12.0))
    assert list(got) == ["on_track", "at_risk", "off_track", None]


# -- queries ------------------------------------------------------------------------------------


def test_full_run_uses_one_query_per_family(workspace: Workspace) -> None:
    from tests.metrics.randomized import build

    build(workspace)
    present = [  # the randomised company has no recurring revenue
        m
        for m in REGISTRY.values()
        if all(any(workspace.count(a) for a in t.split("|")) for t in m.tables)
    ]
    families = {f for m in present for f in m.families_for(m.default_basis)}
    company = workspace.metrics(period="2024", grain="month", compare="year")
    assert company.queries[:2] == ["inventory", "data span"]  # the data's dates: once
    derived = [q for q in company.queries if q.startswith("derived ")]
    assert derived and len(derived) == len(set(derived))
    periods = [q for q in company.queries if q.startswith("periods ")]
    assert periods and len(periods) == len(set(periods)) <= len(families)
    assert sorted(q for q in company.queries[2:] if q not in derived + periods) == sorted(families)
    assert len({r["metric"] for r in company.rows()}) == len(present)
    by_team = workspace.metrics(period="2024", grain="quarter", by=["team", "region"])
    # the whole-history intermediates were materialised once, by the first evaluation; the
    # intermediates of the periods once per set of periods (quarters now)
    assert not [q for q in by_team.queries if q.startswith("derived ")]
    assert sorted(q for q in by_team.queries if q.startswith("periods ")) == sorted(periods)
    assert len(by_team.queries) == len(set(by_team.queries)) <= 2 * len(families) + 1
    assert len(by_team.rows()) > len(REGISTRY) * 4
    # the same quarters by rep read them: only the family queries run
    by_rep = workspace.metrics(period="2024", grain="quarter", by=["rep"])
    assert by_rep.queries[0] == "inventory"
    assert sorted(by_rep.queries[1:]) == sorted(f for f in families if f in by_rep.queries)


def test_shortcuts_read_the_data_end_and_the_period_in_progress_is_noted(
    workspace: Workspace,
) -> None:
    _dated_facts(workspace)  # the data end on 2025-03-14
    (quarter,) = workspace.metrics(["win_rate"], period="this-quarter").rows()
    assert quarter["period"] == "2025-Q1"
    assert quarter["note"] == "in progress: the data ends on 2025-03-14"
    # the year to date ends on the data's last day: not in progress
    (ytd,) = workspace.metrics(["win_rate"], period="ytd").rows()
    assert (ytd["period"], ytd["end"], ytd["note"]) == ("2025 (to 2025-03-14)", "2025-03-15", None)
    twelve = workspace.metrics(["total_revenue"], period="last-12-months", grain="month")
    assert [r["period"] for r in twelve.rows()][::11] == ["2024-03", "2025-02"]
    assert twelve.period_notes == {}
    (last,) = workspace.metrics(["total_revenue"], period="last-quarter").rows()
    assert (last["period"], last["start"], last["end"]) == ("2024-Q4", "2024-10-01", "2025-01-01")


def test_component_dicts_keep_names_order_values_and_hidden_rows() -> None:
    """Each kept row's components as a dict of Python values, in the metric's order, whatever
    the names (not identifiers, keywords); hidden rows keep only the shown components."""
    from salesmetrics.metrics.compute import Computed
    from salesmetrics.metrics.engine import _components

    computed = Computed(
        value=np.array([1.0, 2.0, 3.0]),
        components={
            "class": np.array([1.0, np.nan, 3.0]),
            "won deals": np.array([4, 5, 6]),
            "basis": "owner",
            "v0": np.array(["a", None, "c"], dtype=object),
        },
        hidden=np.array([False, True, False]),
        hidden_components=frozenset({"won deals"}),
    )
    records = _components(computed, np.array([2, 1]))
    assert records.dtype == object
    assert list(records) == [
        {"class": 3.0, "won deals": 6, "basis": "owner", "v0": "c"},
        {"won deals": 5},
    ]
    assert [type(v) for v in records[0].values()] == [float, int, str, str]
    empty = _components(Computed(value=np.array([1.0]), components={}), np.array([0]))
    assert list(empty) == [{}]
