"""Customer metrics: new customers, churn, retention, CAC, lifetime value, LTV:CAC, CAC payback.

Who is a customer (metrics.md): with recurring data, an account in each month its MRR is > 0;
customers at start = MRR in the month before P, at end = MRR in P's last month; the acquisition
date is the earlier of the first won deal's close date and the first day of the first month with
MRR. Without recurring data: from the first won deal's close date until ``churned_at``; at start
= active on s, at end = active on e − 1 day. Lost = at start, not at end; new = at end, not at
start. Groups come from the account (rep = its owner). CAC and the metrics built on it are
company-wide only (costs carry no team or rep).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import (
    BYS,
    Period,
    Review,
    memo,
    money,
    month_index,
    result,
    sums,
    to_base,
    with_account_groups,
)
from bench.pandas_ref.deals import opportunities
from bench.pandas_ref.recurring import mrr_matrix
from salesmetrics import formulas

COLUMNS = (
    "cust_start",
    "cust_end",
    "cust_lost",
    "cust_new",
    "cust_acquired",
    "win_start",
    "win_lost",
    "win_customers",
    "win_revenue",
    "cust_mrr_end",
)


def first_won(review: Review) -> pd.Series:
    """Each account's first won deal's close date."""
    opps = opportunities(review)
    won = opps[(opps["status"] == "won") & opps["account_id"].notna() & opps["close_day"].notna()]
    return won.groupby("account_id")["close_day"].min()


def acquisition_dates(review: Review) -> pd.Series:
    """Per account with MRR: the earlier of its first won deal's close date and the first day
    of its first month with MRR."""
    cached = review.tables.cache.get("acquired_on")
    if cached is None:
        m = mrr_matrix(review)
        assert m is not None
        k = np.where(m.first_active >= 0, m.lo + m.first_active, 0)
        first_mrr = pd.Series(
            pd.to_datetime(
                pd.DataFrame({"year": k // 12, "month": k % 12 + 1, "day": 1})
            ).to_numpy(),
            index=m.accounts,
        ).where(m.first_active >= 0)
        deal = first_won(review).reindex(m.accounts)
        cached = first_mrr.where(deal.isna() | (first_mrr <= deal), deal)
        review.tables.cache["acquired_on"] = cached
    return cached


def recurring_states(review: Review, p: Period) -> pd.DataFrame:
    """One row per account known as a customer before P's end, with its flags (recurring)."""
    m = mrr_matrix(review)
    assert m is not None
    acquired_on = acquisition_dates(review)
    at_start = m.column(p.first_month - 1) > 0
    end = m.column(p.end_month - 1)
    window_start = p.end - pd.DateOffset(years=1)
    win_start = m.column(month_index(window_start) - 1) > 0
    frame = pd.DataFrame(
        {
            "account_id": m.accounts,
            "acquired_on": acquired_on.to_numpy(),
            "at_start": at_start,
            "at_end": end > 0,
            "win_at_start": win_start,
            "cust_mrr_end": end.astype("float64") / 100,
        }
    )
    known = frame["acquired_on"].notna() & (frame["acquired_on"] < p.end)
    return frame[known.to_numpy()]


def deal_states(review: Review, p: Period) -> pd.DataFrame:
    """The same from deals: a customer from its first won deal until ``churned_at``."""
    first = first_won(review)
    accounts = review.tables["accounts"]
    churned = pd.Series(
        pd.to_datetime(accounts["churned_at"]).to_numpy(),
        index=accounts["account_id"].astype(object),
    )
    churned = churned[~churned.index.duplicated()].reindex(first.index)

    def active(day: pd.Timestamp) -> np.ndarray:
        return ((first <= day) & (churned.isna() | (churned > day))).to_numpy()

    window_start = p.end - pd.DateOffset(years=1)
    frame = pd.DataFrame(
        {
            "account_id": first.index,
            "acquired_on": first.to_numpy(),
            "at_start": active(p.start),
            "at_end": active(p.last),
            "win_at_start": active(window_start),
            "win_active": (
                (first < p.end)
                & (churned.isna() | (churned > first.where(first >= window_start, window_start)))
            ).to_numpy(),
            "cust_mrr_end": 0.0,
        }
    )
    return frame[(frame["acquired_on"] < p.end).to_numpy()]


def window_revenue(review: Review, p: Period) -> pd.DataFrame:
    """Value won per account over the 12 months ending at P's end (deal basis)."""
    opps = opportunities(review)
    start = p.end - pd.DateOffset(years=1)
    won = opps[
        (opps["status"] == "won")
        & opps["account_id"].notna()
        & (opps["close_day"] >= start)
        & (opps["close_day"] < p.end)
    ]
    return won.groupby("account_id")["amount_base"].sum().rename("win_revenue").reset_index()


def components(review: Review, by: str, recurring: bool) -> pd.DataFrame:
    """Per (period, group): the customer counts, the 12-month window and MRR at end."""
    rows = memo(review, ("customer_rows", recurring), lambda: _state_rows(review, recurring))
    return sums(rows, by, COLUMNS)


def _state_rows(review: Review, recurring: bool) -> pd.DataFrame:
    """One row per (period, account known as a customer by its end) with the flags."""
    parts = []
    for p in review.periods:
        st = recurring_states(review, p) if recurring else deal_states(review, p)
        acquired = (st["acquired_on"] >= p.start) & (st["acquired_on"] < p.end)
        st = st.assign(
            period=p.label,
            cust_start=st["at_start"].astype(int),
            cust_end=st["at_end"].astype(int),
            cust_lost=(st["at_start"] & ~st["at_end"]).astype(int),
            cust_new=(st["at_end"] & ~st["at_start"]).astype(int),
            cust_acquired=acquired.astype(int),
            win_start=st["win_at_start"].astype(int),
            win_lost=(st["win_at_start"] & ~st["at_end"]).astype(int),
            win_customers=st["win_active"].astype(int) if not recurring else 0,
            win_revenue=0.0,
        )
        if not recurring:
            rev = window_revenue(review, p)
            st = st.drop(columns="win_revenue").merge(rev, on="account_id", how="left")
            st["win_revenue"] = st["win_revenue"].fillna(0.0)
        parts.append(st)
    rows = pd.concat(parts, ignore_index=True)
    return with_account_groups(review, rows, rows["account_id"])


def costs(review: Review) -> pd.DataFrame:
    """Marketing + sales cost per period (spread by day over a cost's window, else on its
    date), converted at the rate of the cost's date."""
    c = review.tables["costs"]
    category = c["category"].astype(object).str.lower().str.strip()
    c = c[category.isin(["marketing", "sales"]).to_numpy()]
    day = pd.to_datetime(c["date"])
    first, last = pd.to_datetime(c["period_start"]), pd.to_datetime(c["period_end"])
    base = to_base(review, c["amount"], c["currency"], day)
    spread = first.notna() & last.notna()
    window = (last - first).dt.days + 1
    totals = []
    for p in review.periods:
        span = last.where(last <= p.last, p.last) - first.where(first >= p.start, p.start)
        overlap = (span.dt.days + 1).clip(lower=0)
        on_day = (day >= p.start) & (day < p.end)
        part = np.where(spread, base * overlap / window, np.where(on_day, base, 0.0))
        totals.append({"period": p.label, "cost": float(np.nansum(part))})
    return pd.DataFrame(totals)


def metrics(review: Review) -> list[pd.DataFrame]:
    """The customer metrics for every period of the review and group of BYS."""
    recurring = mrr_matrix(review) is not None
    cfg = review.config
    out: list[pd.DataFrame] = []
    for by in BYS:
        c = components(review, by, recurring)
        out += [
            result("new_customers", c, by, c["cust_acquired"]),
            result(
                "customer_churn_rate",
                c,
                by,
                formulas.customer_churn_rate(c["cust_lost"], c["cust_start"]),
            ),
            result(
                "net_customer_churn_rate",
                c,
                by,
                formulas.net_customer_churn_rate(c["cust_lost"], c["cust_new"], c["cust_start"]),
            ),
            result(
                "customer_retention_rate",
                c,
                by,
                formulas.customer_retention_rate(c["cust_end"], c["cust_new"], c["cust_start"]),
            ),
        ]
        if recurring:
            per_customer = 12.0 * np.asarray(formulas.arpa(c["cust_mrr_end"], c["cust_end"]))
        else:
            per_customer = np.asarray(formulas.divide(c["win_revenue"], c["win_customers"]))
        churn = np.asarray(formulas.customer_churn_rate(c["win_lost"], c["win_start"]))
        if cfg.customer_lifetime_years is not None:
            lifetime = np.full(len(c), float(cfg.customer_lifetime_years))
        else:
            lifetime = np.asarray(
                formulas.expected_lifetime_years(churn, cfg.max_customer_lifetime_years)
            )
        clv = np.asarray(formulas.customer_lifetime_value(per_customer, lifetime, cfg.gross_margin))
        out.append(result("customer_lifetime_value", c, by, money(clv)))
        if by:
            continue  # CAC needs costs, which carry no group
        cost = c.merge(costs(review), on="period", how="left")
        cac = np.asarray(formulas.customer_acquisition_cost(cost["cost"], cost["cust_acquired"]))
        out += [
            result("customer_acquisition_cost", c, by, money(cac)),
            result("ltv_to_cac", c, by, formulas.ltv_to_cac(clv, cac)),
            result(
                "cac_payback_months",
                c,
                by,
                formulas.cac_payback_months(cac, per_customer / 12.0, cfg.gross_margin),
            ),
        ]
    return out
