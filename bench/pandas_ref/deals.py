"""Deal and lead metrics: revenue, deal size, win rates, cycle length, conversion, velocity.

Deals count in the period of their close date (won / lost), opportunities in the period of their
creation date (a cohort: won at any time since). Leads: the cohort by creation date (converted or
won up to today) and the leads qualified in the period. Groups: the owning rep and its team.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import (
    BYS,
    Review,
    bucket,
    local_days,
    memo,
    money,
    result,
    sums,
    to_base,
    with_rep_groups,
)
from salesmetrics import formulas

DEAL_COLUMNS = ("won", "lost", "won_amount", "lost_amount", "cycle_days", "cycle_deals")
COHORT_COLUMNS = ("opps_created", "opps_won")
LEAD_COLUMNS = ("leads_created", "leads_converted", "leads_won", "qualified_leads")


def opportunities(review: Review) -> pd.DataFrame:
    """Every opportunity with ``created_day``, ``close_day`` and, for closed deals with a close
    date, ``amount_base`` at the close date's rate; plus the ``rep``/``team`` groups."""
    cached = review.tables.cache.get("opportunities")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    opps = review.tables["opportunities"]
    frame = pd.DataFrame(
        {
            "opportunity_id": opps["opportunity_id"].astype(object),
            "lead_id": opps["lead_id"].astype(object),
            "account_id": opps["account_id"].astype(object),
            "status": opps["status"].astype(object),
            "amount": opps["amount"].astype("float64"),
            "close_day": pd.to_datetime(opps["close_date"]),
            "created_day": local_days(opps["created_at"], review.config.timezone),
        }
    )
    closed = frame["status"].isin(["won", "lost"]) & frame["close_day"].notna()
    frame["amount_base"] = np.nan
    frame.loc[closed, "amount_base"] = to_base(
        review,
        frame.loc[closed, "amount"],
        opps.loc[closed, "currency"],
        frame.loc[closed, "close_day"],
    )
    frame = with_rep_groups(review, frame, opps["owner_id"])
    review.tables.cache["opportunities"] = frame
    return frame


def deal_components(review: Review, by: str) -> pd.DataFrame:
    """Per (period, group): won, lost, their amounts, cycle days and deals, opportunities created
    and won (the cohort) — over the review's periods and the periods before them."""
    return memo(review, ("deals", by), lambda: _deal_components(review, by))


def _deal_components(review: Review, by: str) -> pd.DataFrame:
    closed, created = memo(review, "deal_rows", lambda: _deal_rows(review))
    closed_agg = sums(closed, by, DEAL_COLUMNS)
    cohort = sums(created, by, COHORT_COLUMNS)
    merged = closed_agg.merge(cohort, on=["period", "group"], how="outer")
    return merged.fillna(dict.fromkeys((*DEAL_COLUMNS, *COHORT_COLUMNS), 0))


def _deal_rows(review: Review) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Closed deals per period of their close date, opportunities per period of creation."""
    opps = opportunities(review)
    periods = review.periods
    closed = opps[opps["status"].isin(["won", "lost"]) & opps["close_day"].notna()]
    is_won = closed["status"] == "won"
    cycle = (closed["close_day"] - closed["created_day"]).dt.days
    cycle_ok = is_won & cycle.notna()
    closed = closed.assign(
        won=is_won.astype(int),
        lost=(~is_won).astype(int),
        won_amount=closed["amount_base"].where(is_won, 0.0),
        lost_amount=closed["amount_base"].where(~is_won, 0.0).fillna(0.0),
        cycle_days=cycle.where(cycle_ok, 0.0).astype("float64"),
        cycle_deals=cycle_ok.astype(int),
    )
    created = opps[opps["created_day"].notna()]
    created = created.assign(opps_created=1, opps_won=(created["status"] == "won").astype(int))
    return (
        bucket(closed, closed["close_day"], periods),
        bucket(created, created["created_day"], periods),
    )


def lead_components(review: Review, by: str) -> pd.DataFrame:
    """Per (period, group): leads created, converted and won (cohort), and leads qualified."""
    created, qualified = memo(review, "lead_rows", lambda: _lead_rows(review))
    cohort = sums(created, by, ("leads_created", "leads_converted", "leads_won"))
    qual_agg = sums(qualified, by, ("qualified_leads",))
    merged = cohort.merge(qual_agg, on=["period", "group"], how="outer")
    return merged.fillna(dict.fromkeys(LEAD_COLUMNS, 0))


def _lead_rows(review: Review) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leads per period of creation, and qualified leads per period of qualification."""
    leads = review.tables["leads"]
    opps = opportunities(review)
    tz = review.config.timezone
    won_opps = set(opps.loc[opps["status"] == "won", "opportunity_id"])
    linked = set(opps["lead_id"].dropna())
    won_linked = set(opps.loc[opps["status"] == "won", "lead_id"].dropna())
    lead_id = leads["lead_id"].astype(object)
    own_opp = leads["opportunity_id"].astype(object)
    converted = (
        leads["converted_at"].notna()
        | own_opp.notna()
        | (leads["status"].astype(object) == "converted")
        | lead_id.isin(linked)
    )
    won = own_opp.isin(won_opps) | lead_id.isin(won_linked)
    frame = pd.DataFrame(
        {
            "created_day": local_days(leads["created_at"], tz),
            "qualified_day": local_days(leads["qualified_at"], tz),
            "leads_created": 1,
            "leads_converted": converted.astype(int).to_numpy(),
            "leads_won": won.astype(int).to_numpy(),
            "qualified_leads": 1,
        }
    )
    frame = with_rep_groups(review, frame, leads["owner_id"])
    qualified = qualification(review, leads, frame)
    qual = qualified[qualified["qualified"]]
    return (
        bucket(frame, frame["created_day"], review.periods),
        bucket(qual, qual["qualified_day"], review.periods),
    )


def qualification(review: Review, leads: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``qualified`` and the ``qualified_day`` it counts on (the configured rule:
    ``qualified_at`` set, or a score rule counting on qualified_at else created_at)."""
    rule = review.config.lead_qualification.strip()
    if rule == "qualified_at":
        return frame.assign(qualified=leads["qualified_at"].notna().to_numpy())
    op, _, number = rule.replace("score", "", 1).strip().partition(" ")
    threshold = float(number)
    score = leads["score"].astype("float64")
    tests = {
        ">=": score >= threshold,
        ">": score > threshold,
        "<=": score <= threshold,
        "<": score < threshold,
        "==": score == threshold,
        "=": score == threshold,
    }
    if op not in tests:
        raise ValueError(f"lead_qualification rule {rule!r} is not supported by the pandas review")
    day = frame["qualified_day"].fillna(frame["created_day"])
    return frame.assign(qualified=tests[op].fillna(False).to_numpy(), qualified_day=day)


def metrics(review: Review) -> list[pd.DataFrame]:
    """Every deal and lead metric, for every period of the review and group of BYS."""
    out: list[pd.DataFrame] = []
    wanted = {p.label for p in review.periods}
    following = {p.previous: p.label for p in review.periods if p.label in wanted}
    for by in BYS:
        deals = deal_components(review, by)
        # the previous period's revenue, moved onto the period it precedes
        prev = deals[["period", "group", "won_amount"]].rename(
            columns={"won_amount": "prev_won_amount"}
        )
        prev = prev.assign(period=prev["period"].map(following)).dropna(subset=["period"])
        d = deals[deals["period"].isin(wanted)].merge(prev, on=["period", "group"], how="outer")
        d = d.fillna(dict.fromkeys((*DEAL_COLUMNS, *COHORT_COLUMNS, "prev_won_amount"), 0))
        out += [
            result("total_revenue", d, by, money(d["won_amount"])),
            result(
                "revenue_growth",
                d,
                by,
                formulas.revenue_growth(d["won_amount"], d["prev_won_amount"]),
            ),
            result(
                "average_deal_size",
                d,
                by,
                money(formulas.average_deal_size(d["won_amount"], d["won"])),
            ),
            result("win_rate", d, by, formulas.win_rate(d["won"], d["lost"])),
            result(
                "win_rate_by_value",
                d,
                by,
                formulas.win_rate_by_value(d["won_amount"], d["lost_amount"]),
            ),
            result(
                "sales_cycle_length",
                d,
                by,
                formulas.sales_cycle_length(d["cycle_days"], d["cycle_deals"]),
            ),
            result(
                "opportunity_conversion_rate",
                d,
                by,
                formulas.opportunity_conversion_rate(d["opps_won"], d["opps_created"]),
            ),
        ]
        leads = lead_components(review, by)
        leads = leads[leads["period"].isin(wanted)]
        out += [
            result(
                "lead_conversion_rate",
                leads,
                by,
                formulas.lead_conversion_rate(leads["leads_converted"], leads["leads_created"]),
            ),
            result(
                "lead_to_customer_rate",
                leads,
                by,
                formulas.lead_to_customer_rate(leads["leads_won"], leads["leads_created"]),
            ),
            result("qualified_leads", leads, by, leads["qualified_leads"]),
        ]
        both = leads.merge(d, on=["period", "group"], how="outer")
        both = both.fillna(dict.fromkeys((*LEAD_COLUMNS, *DEAL_COLUMNS), 0))
        win = np.asarray(formulas.win_rate(both["won"], both["lost"]), dtype="float64")
        size = np.asarray(
            formulas.average_deal_size(both["won_amount"], both["won"]), dtype="float64"
        )
        cycle = np.asarray(
            formulas.sales_cycle_length(both["cycle_days"], both["cycle_deals"]), dtype="float64"
        )
        velocity = formulas.pipeline_velocity(both["qualified_leads"], win, size, cycle)
        out.append(result("pipeline_velocity", both, by, money(velocity)))
    return out
