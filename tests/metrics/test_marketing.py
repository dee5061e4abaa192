"""The marketing metrics by hand: spend by channel with the [channels] mapping, costs in other
currencies and spread over windows, the unallocated group, first touch, and CAC, LTV:CAC and CAC
payback by channel (metrics.md "Marketing"). Every expected number is worked out in the comments
from the rows inserted here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from salesmetrics.errors import UserError
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert, own_note

D = dt.date
Q2 = "2024-Q2"


def ts(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour)


def cost(i: str, day: dt.date, category: str, amount: float, **extra: Any) -> dict[str, Any]:
    return {"cost_id": i, "date": day, "category": category, "amount": amount, **extra}


def lead(i: str, day: dt.date, source: str | None, **extra: Any) -> dict[str, Any]:
    return {"lead_id": i, "created_at": ts(day), "source": source, **extra}


def by_group(ws: Workspace, metric: str, period: str = Q2, by: str = "channel") -> dict[Any, Any]:
    """{channel: row} of ``metric`` for ``period``."""
    return {r["group"][by]: r for r in ws.metrics([metric], period=period, by=[by]).rows()}


@pytest.fixture
def company(workspace: Workspace) -> Workspace:
    """Spend, leads and five customers acquired in 2024-Q2 (customers by deals)."""
    workspace.config.channels = {"google": "paid_media", "expo": "events"}
    insert(workspace, "fx_rates", [{"date": D(2024, 1, 1), "currency": "EUR", "rate": 1.1}])
    insert(workspace, "fx_rates", [{"date": D(2024, 6, 1), "currency": "EUR", "rate": 1.5}])
    insert(
        workspace,
        "costs",
        [
            cost("c1", D(2024, 4, 10), "marketing", 30_000, channel="paid_media"),
            # EUR 10,000 on 10 May at 1.1 (the rate of 1 June comes later): 11,000
            cost("c2", D(2024, 5, 10), "marketing", 10_000, channel="paid_media", currency="EUR"),
            # 20,000 over 1 June to 30 July (60 days): June's 30 days in Q2 are 10,000
            cost(
                "c3",
                D(2024, 6, 1),
                "marketing",
                20_000,
                channel="events",
                period_start=D(2024, 6, 1),
                period_end=D(2024, 7, 30),
            ),
            cost("c4", D(2024, 4, 1), "sales", 50_000),  # no channel
            cost("c5", D(2024, 4, 2), "sales", 5_000, channel="  "),  # a blank one
            cost("c6", D(2024, 5, 1), "marketing", 9_000, channel="website"),
            cost("c7", D(2024, 5, 1), "office", 7_000, channel="paid_media"),  # not counted
        ],
    )
    qualified = {f"g{i}" for i in range(20)}
    leads = [(f"g{i}", "google") for i in range(40)] + [(f"e{i}", "expo") for i in range(10)]
    leads += [(f"w{i}", "webinar") for i in range(5)] + [(f"n{i}", None) for i in range(3)]
    insert(
        workspace,
        "leads",
        [
            # half the google leads qualify in Q2
            lead(
                i,
                D(2024, 5, 2),
                source,
                qualified_at=ts(D(2024, 5, 20)) if i in qualified else None,
            )
            for i, source in leads
        ],
    )
    # Customers. a1: first lead from an expo (before its google lead) → events. a2: its first
    # lead has no source, its next is google → paid_media. a3: no lead; its first opportunity
    # came from a webinar → webinar (unmapped). a4: a lead without account converted into a4's
    # opportunity → paid_media. a5: no touch at all → no channel.
    insert(workspace, "accounts", [{"account_id": f"a{i}"} for i in range(1, 6)])
    insert(
        workspace,
        "leads",
        [
            lead("a1-x", D(2024, 1, 5), "expo", account_id="a1"),
            lead("a1-y", D(2024, 2, 5), "google", account_id="a1"),
            lead("a2-x", D(2024, 1, 3), None, account_id="a2"),
            lead("a2-y", D(2024, 1, 9), "google", account_id="a2"),
            lead("a4-x", D(2024, 1, 7), "google", opportunity_id="w4"),
        ],
    )

    def deal(i: str, account: str, amount: float, **extra: Any) -> dict[str, Any]:
        return {
            "opportunity_id": i,
            "account_id": account,
            "stage": "Closed Won",
            "status": "won",
            "close_date": D(2024, 5, 15),
            "amount": amount,
            "created_at": ts(D(2024, 4, 5)),
            **extra,
        }

    insert(
        workspace,
        "opportunities",
        [
            deal("w1", "a1", 12_000),
            deal("w2", "a2", 6_000, source="google"),
            deal("w3", "a3", 9_000, source="google"),
            {
                **deal("w3-old", "a3", 1_000, source="webinar", created_at=ts(D(2024, 1, 10))),
                "status": "lost",
                "stage": "Closed Lost",
                "close_date": D(2024, 2, 1),
            },
            deal("w4", "a4", 18_000),
            deal("w5", "a5", 3_000),
        ],
    )
    return workspace


def test_spend_by_channel_converts_spreads_and_shows_the_unallocated_costs(
    company: Workspace,
) -> None:
    spend = by_group(company, "marketing_spend")
    assert spend["paid_media"]["value"] == pytest.approx(41_000)  # 30,000 + EUR 10,000 × 1.1
    assert spend["events"]["value"] == pytest.approx(10_000)
    assert spend["website"]["value"] == pytest.approx(9_000)
    sales = by_group(company, "sales_spend")
    # c4 without a channel and c5 with a blank one: shown as one group, never spread
    assert sales["(unallocated)"]["value"] == pytest.approx(55_000)
    assert "never spread" in own_note(sales["(unallocated)"]["note"])
    assert sum(r["value"] for r in sales.values()) == pytest.approx(55_000)
    whole = company.metrics(["marketing_spend", "sales_spend"], period=Q2).rows()
    assert [r["value"] for r in whole] == pytest.approx([60_000, 55_000])


def test_cost_per_lead_by_channel_maps_sources_and_names_the_unmapped_ones(
    company: Workspace,
) -> None:
    cpl = by_group(company, "cost_per_lead")
    assert cpl["paid_media"]["value"] == pytest.approx(41_000 / 40)  # google → paid_media
    assert cpl["paid_media"]["components"] == {"marketing_spend": 41_000, "leads_created": 40}
    assert cpl["events"]["value"] == pytest.approx(1_000)  # expo → events: 10,000 / 10
    assert cpl["webinar"]["value"] == 0  # no spend on an unmapped source's own channel
    assert own_note(cpl["webinar"]["note"]) == (
        "source 'webinar' is not mapped in [channels]: its own channel"
    )
    assert own_note(cpl["paid_media"]["note"]) is None
    # spend and no lead: undefined, never 0
    assert cpl["website"]["value"] is None
    assert own_note(cpl["website"]["note"]) == "no leads created in 2024-Q2"
    assert cpl[None]["components"]["leads_created"] == 3  # leads without a source
    cpql = by_group(company, "cost_per_qualified_lead")
    assert cpql["paid_media"]["value"] == pytest.approx(41_000 / 20)
    assert cpql["events"]["value"] is None
    assert own_note(cpql["events"]["note"]) == "no leads qualified in 2024-Q2"
    # company-wide: 60,000 of marketing over the 58 leads created in Q2 (the customers' leads
    # were created in Q1)
    [row] = company.metrics(["cost_per_lead"], period=Q2).rows()
    assert row["value"] == pytest.approx(round(60_000 / 58, 2))


def test_cac_ltv_to_cac_and_payback_by_first_touch_channel(company: Workspace) -> None:
    company.config.customer_lifetime_years = 3
    cac = by_group(company, "customer_acquisition_cost")
    assert cac["events"]["value"] == pytest.approx(10_000)  # a1
    assert cac["paid_media"]["value"] == pytest.approx(20_500)  # 41,000 / (a2, a4)
    assert cac["paid_media"]["components"]["new_customers"] == 2
    assert cac["webinar"]["value"] == 0  # a3: no spend on its channel
    assert cac[None]["components"]["new_customers"] == 1  # a5
    unallocated = cac["(unallocated)"]
    assert unallocated["value"] is None
    assert unallocated["components"]["sales_and_marketing_cost"] == pytest.approx(55_000)
    # company-wide: (60,000 + 55,000) / 5
    [row] = company.metrics(["customer_acquisition_cost"], period=Q2).rows()
    assert row["value"] == pytest.approx(23_000)
    # LTV: revenue per customer in the 12 months × 3 years. events: 12,000 × 3 = 36,000
    # against CAC 10,000; paid_media: (6,000 + 18,000) / 2 × 3 = 36,000 against 20,500.
    ltv = by_group(company, "ltv_to_cac")
    assert ltv["events"]["value"] == pytest.approx(3.6)
    assert ltv["paid_media"]["value"] == pytest.approx(36_000 / 20_500)
    assert ltv["webinar"]["value"] is None
    assert "no sales and marketing cost in 2024-Q2 (CAC 0)" in own_note(ltv["webinar"]["note"])
    # payback: CAC / monthly revenue per customer: 10,000 / 1,000 and 20,500 / 1,000
    payback = by_group(company, "cac_payback_months")
    assert payback["events"]["value"] == pytest.approx(10)
    assert payback["paid_media"]["value"] == pytest.approx(20.5)


def test_mrr_growth_rate_by_first_touch_channel(workspace: Workspace) -> None:
    insert(
        workspace,
        "leads",
        [
            {"lead_id": "l1", "created_at": ts(D(2024, 1, 2)), "source": "web", "account_id": "a1"},
            {"lead_id": "l2", "created_at": ts(D(2024, 1, 2)), "source": "ads", "account_id": "a2"},
        ],
    )
    workspace.config.channels = {"ads": "paid"}

    def sub(i: str, account: str, start: dt.date, mrr: float) -> dict[str, Any]:
        return {"subscription_id": i, "account_id": account, "start_date": start, "mrr": mrr}

    insert(
        workspace,
        "subscriptions",
        [
            sub("s1", "a1", D(2024, 1, 1), 1_000),
            sub("s2", "a1", D(2024, 5, 1), 500),  # a1: 1,000 in March, 1,500 in June
            sub("s3", "a2", D(2024, 2, 1), 2_000),  # a2: flat
            sub("s4", "a3", D(2024, 6, 1), 300),  # a3, no touch: no MRR at start
        ],
    )
    growth = by_group(workspace, "mrr_growth_rate")
    assert growth["web"]["value"] == pytest.approx(0.5)
    assert (
        own_note(growth["web"]["note"])
        == "source 'web' is not mapped in [channels]: its own channel"
    )
    assert growth["paid"]["value"] == 0
    assert own_note(growth["paid"]["note"]) is None
    assert growth[None]["value"] is None
    assert own_note(growth[None]["note"]) == "no MRR at the start of 2024-Q2"
    [row] = workspace.metrics(["mrr_growth_rate"], period=Q2).rows()
    assert row["value"] == pytest.approx((3_800 - 3_000) / 3_000)
    assert row["components"]["mrr_start"] == 3_000


def test_zero_leads_leave_cost_per_lead_undefined(workspace: Workspace) -> None:
    insert(workspace, "costs", [cost("c", D(2024, 5, 1), "marketing", 5_000)])
    insert(workspace, "leads", [{"lead_id": "l", "created_at": ts(D(2024, 1, 5))}])
    [row] = workspace.metrics(["cost_per_lead"], period=Q2).rows()
    assert row["value"] is None
    assert own_note(row["note"]) == "no leads created in 2024-Q2"
    assert row["components"] == {"marketing_spend": 5_000, "leads_created": 0}


def test_a_cost_in_a_currency_without_a_rate_is_a_one_line_error(workspace: Workspace) -> None:
    insert(workspace, "costs", [cost("c", D(2024, 5, 1), "marketing", 5_000, currency="SGD")])
    with pytest.raises(UserError, match="SGD") as info:
        workspace.metrics(["marketing_spend"], period=Q2).rows()
    assert "\n" not in str(info.value)


def test_metrics_without_a_channel_say_so(company: Workspace) -> None:
    [row] = company.metrics(["win_rate"], period=Q2, by=["channel"]).rows()
    assert row["value"] is None
    assert own_note(row["note"]) == "not available by channel: deals data carry no channel"
    [row] = company.metrics(["cost_per_lead"], period=Q2, by=["team"]).rows()
    assert own_note(row["note"]) == "not available by team: costs data carry no team"


def test_the_costs_behind_a_channel_are_its_drill_rows(company: Workspace) -> None:
    from salesmetrics.metrics.drill import drill_result

    result = company.metrics(["marketing_spend"], period=Q2, by=["channel"])
    for row, frame in drill_result(company, result):
        assert frame is not None
        assert frame["amount_in_period"].sum() == pytest.approx(row["value"])
        if row["group"]["channel"] == "paid_media":
            assert sorted(frame["cost_id"]) == ["c1", "c2"]
