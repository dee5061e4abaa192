"""Recurring revenue: MRR per customer and month as a matrix, the waterfall and its metrics.

MRR of an item (metrics.md): a subscription's ``mrr``; an invoice line's amount ÷ its service
months (whole calendar months + remaining days ÷ 30.4375). The monthly amount is rounded to cents
in the item's currency, converted at the rate of the item's start date and rounded to cents again
(half away from zero). An item counts in every month whose last day it covers. Customer MRR of a
month = Σ of its items, floored at 0. All money here is integer cents, so the waterfall identity
is exact.

The matrix (accounts × months, from the first month any item covers to the review's last month)
is built with a difference array (+MRR in the first month, −MRR in the month it stops) and a
cumulative sum along the months. Movements of month k compare column k with column k − 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.pandas_ref.common import (
    BYS,
    Review,
    currency_codes,
    fx_table,
    memo,
    money,
    result,
    sums,
    with_account_groups,
)
from salesmetrics import formulas

RATE_SCALE = 10**10  # fx_rates.rate is DECIMAL(18, 10)
MOVES = ("new", "reactivation", "expansion", "contraction", "churn")
WATERFALL = (
    "mrr_start",
    *MOVES,
    "mrr_end",
    "customers_start",
    "customers_end",
    "mrr_end_of_start_customers",
    "retained_mrr_capped",
)


@dataclass(frozen=True)
class MrrMatrix:
    """Customer MRR in cents: ``cents[a, k]`` for account ``accounts[a]`` and month ``lo + k``;
    ``first_active[a]`` is the column of the account's first month with MRR (−1 if none)."""

    accounts: pd.Index
    lo: int
    cents: np.ndarray
    first_active: np.ndarray

    def column(self, month: int) -> np.ndarray:
        """MRR of every account in month index ``month`` (zeros outside the matrix)."""
        k = month - self.lo
        if k < 0 or k >= self.cents.shape[1]:
            return np.zeros(len(self.accounts), dtype="int64")
        return self.cents[:, k]


def half_away_div(numerator: np.ndarray, divisor: int | np.ndarray) -> np.ndarray:
    """``numerator / divisor`` rounded half away from zero, in integers (divisor > 0)."""
    magnitude = (np.abs(numerator) * 2 + divisor) // (2 * np.asarray(divisor))
    rounded: np.ndarray = np.sign(numerator) * magnitude
    return rounded


def to_cents(amount: pd.Series) -> np.ndarray:
    """DECIMAL(18, 4) amounts rounded to whole cents, half away from zero."""
    units = np.round(amount.to_numpy(dtype="float64") * 10_000).astype("int64")
    return half_away_div(units, 100)


def convert_cents(
    review: Review, cents: np.ndarray, currency: pd.Series, day: pd.Series
) -> np.ndarray:
    """Cents in the base currency at the latest rate on or before ``day``, rounded to cents."""
    cur = currency_codes(currency, review.base).to_numpy()
    out = cents.copy()
    foreign = cur != review.base
    if not foreign.any():
        return out
    left = pd.DataFrame(
        {"_pos": np.flatnonzero(foreign), "currency": cur[foreign], "day": day.to_numpy()[foreign]}
    )
    left = left.sort_values("day", kind="stable")
    merged = pd.merge_asof(
        left, fx_table(review), left_on="day", right_on="date", by="currency", direction="backward"
    )
    if merged["rate"].isna().any():
        raise LookupError("a foreign recurring amount has no exchange rate on or before its start")
    rate = np.round(merged["rate"].to_numpy() * RATE_SCALE).astype("int64")
    pos = merged["_pos"].to_numpy()
    out[pos] = half_away_div(cents[pos] * rate, RATE_SCALE)
    return out


def subscription_items(review: Review) -> pd.DataFrame:
    """MRR items of the subscriptions (trials carry none): account_id, first_month,
    end_month (exclusive, −1 = running), cents (base currency)."""
    s = review.tables["subscriptions"]
    s = s[~s["is_trial"].astype("boolean").fillna(False).to_numpy()]
    start = pd.to_datetime(s["start_date"])
    end = pd.to_datetime(s["end_date"])
    local = to_cents(s["mrr"])
    return pd.DataFrame(
        {
            "account_id": s["account_id"].astype(object).to_numpy(),
            "first_month": (start.dt.year * 12 + start.dt.month - 1).to_numpy(),
            "end_month": (end.dt.year * 12 + end.dt.month - 1)
            .fillna(-1)
            .astype("int64")
            .to_numpy(),
            "cents": convert_cents(review, local, s["currency"], start),
        }
    )


def _service_months(first: pd.Series, after: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole calendar months and remaining days from ``first`` to ``after`` (exclusive): the
    largest m with first + m months <= after (day clamped to the month's length)."""
    span = (after.dt.year * 12 + after.dt.month - (first.dt.year * 12 + first.dt.month)).to_numpy()
    d_first = first.dt.day.to_numpy()
    d_after = after.dt.day.to_numpy()
    len_after = after.dt.days_in_month.to_numpy()
    len_before = (
        after - pd.offsets.MonthBegin(1) - pd.Timedelta(days=1)
    ).dt.days_in_month.to_numpy()
    reaches = (d_first <= d_after) | (d_after == len_after)
    whole = np.where(reaches, span, span - 1)
    days = np.where(
        reaches,
        d_after - np.minimum(d_first, len_after),
        len_before - np.minimum(d_first, len_before) + d_after,
    )
    return whole, days


def line_items(review: Review) -> pd.DataFrame:
    """MRR items of the recurring invoice lines (one-off lines carry none)."""
    t = review.tables["invoice_lines"]
    t = t[t["is_recurring"].astype("boolean").fillna(True).to_numpy()]
    s_start, s_end = pd.to_datetime(t["service_start"]), pd.to_datetime(t["service_end"])
    dated = (s_start.notna() & s_end.notna()).to_numpy()
    start = s_start.fillna(pd.to_datetime(t["invoice_date"]))
    after = (s_end + pd.Timedelta(days=1)).fillna(start)
    whole, days = _service_months(start, after)
    denominator = whole * 487 + days * 16  # 30.4375 days = 487 / 16
    divisor = np.where(denominator > 0, denominator, 1) * 100
    units = np.round(t["amount"].to_numpy(dtype="float64") * 10_000).astype("int64")
    dated_cents = half_away_div(units * 487, divisor)
    local = np.where(dated, dated_cents, to_cents(t["amount"]))
    first = (start.dt.year * 12 + start.dt.month - 1).to_numpy()
    end = np.where(dated, (after.dt.year * 12 + after.dt.month - 1).to_numpy(), first + 1)
    return pd.DataFrame(
        {
            "account_id": t["account_id"].astype(object).to_numpy(),
            "first_month": first,
            "end_month": end.astype("int64"),
            "cents": convert_cents(review, local, t["currency"], start),
        }
    )


def recurring_source(review: Review) -> str | None:
    """The table recurring revenue comes from (``recurring_source``; ``auto``: the one with
    rows), or None without recurring data."""
    chosen = review.config.recurring_source
    if chosen != "auto":
        return chosen if len(review.tables[chosen]) else None
    present = [t for t in ("subscriptions", "invoice_lines") if len(review.tables[t])]
    if len(present) == 2:
        raise ValueError("both subscriptions and invoice_lines hold data: set recurring_source")
    return present[0] if present else None


def mrr_matrix(review: Review) -> MrrMatrix | None:
    """The accounts × months MRR matrix through the review's last month (None without data)."""
    if "mrr" in review.tables.cache:
        return review.tables.cache["mrr"]  # type: ignore[no-any-return]
    source = recurring_source(review)
    matrix = None
    if source is not None:
        items = subscription_items(review) if source == "subscriptions" else line_items(review)
        running = items["end_month"] < 0
        items = items[running | (items["end_month"] > items["first_month"])]
        hi = max(p.end_month for p in review.periods) - 1
        if len(items):
            lo = int(items["first_month"].min())
            items = items[items["first_month"] <= hi]
            accounts = pd.Index(items["account_id"].unique())
            rows = accounts.get_indexer(items["account_id"])
            width = hi - lo + 1
            diff = np.zeros((len(accounts), width + 1), dtype="int64")
            cents = items["cents"].to_numpy()
            np.add.at(diff, (rows, items["first_month"].to_numpy() - lo), cents)
            stop = items["end_month"].to_numpy()
            ends = (stop >= 0) & (stop <= hi)
            np.add.at(diff, (rows[ends], stop[ends] - lo), -cents[ends])
            mrr = np.maximum(np.cumsum(diff[:, :width], axis=1), 0)
            active = mrr > 0
            first_active = np.where(active.any(axis=1), active.argmax(axis=1), -1)
            matrix = MrrMatrix(accounts, lo, mrr, first_active)
    review.tables.cache["mrr"] = matrix
    return matrix


def account_waterfall(m: MrrMatrix, first_month: int, end_month: int) -> pd.DataFrame:
    """Per account, the waterfall of the months [first_month, end_month) in cents."""
    start = m.column(first_month - 1)
    end = m.column(end_month - 1)
    moves = {name: np.zeros(len(m.accounts), dtype="int64") for name in MOVES}
    for month in range(first_month, end_month):  # the ≤ 3 months of the period
        cur, prev = m.column(month), m.column(month - 1)
        had_before = (m.first_active >= 0) & (m.first_active < month - m.lo)
        starts = (prev == 0) & (cur > 0)
        both = (prev > 0) & (cur > 0)
        moves["new"] += np.where(starts & ~had_before, cur, 0)
        moves["reactivation"] += np.where(starts & had_before, cur, 0)
        moves["expansion"] += np.where(both & (cur > prev), cur - prev, 0)
        moves["contraction"] += np.where(both & (cur < prev), prev - cur, 0)
        moves["churn"] += np.where((prev > 0) & (cur == 0), prev, 0)
    at_start = start > 0
    frame = pd.DataFrame(
        {
            "account_id": m.accounts,
            "mrr_start": start,
            **moves,
            "mrr_end": end,
            "customers_start": at_start.astype(int),
            "customers_end": (end > 0).astype(int),
            "mrr_end_of_start_customers": np.where(at_start, end, 0),
            "retained_mrr_capped": np.where(at_start, np.minimum(start, end), 0),
        }
    )
    touched = (start > 0) | (end > 0) | (sum(moves.values()) != 0)
    return frame[touched]


def waterfall(review: Review, by: str) -> pd.DataFrame:
    """Per (period, group): the waterfall in currency units (counts as counts)."""
    rows = memo(review, "waterfall_rows", lambda: _waterfall_rows(review))
    if rows is None:
        return pd.DataFrame(columns=["period", "group", *WATERFALL])
    frame = sums(rows, by, WATERFALL)
    money_cols = [c for c in WATERFALL if not c.startswith("customers")]
    frame[money_cols] = frame[money_cols].astype("float64") / 100
    return frame


def _waterfall_rows(review: Review) -> pd.DataFrame | None:
    """Per (period, account with MRR in or just before it): its waterfall, with its groups."""
    m = mrr_matrix(review)
    if m is None:
        return None
    parts = [
        account_waterfall(m, p.first_month, p.end_month).assign(period=p.label)
        for p in review.periods
    ]
    rows = pd.concat(parts, ignore_index=True)
    return with_account_groups(review, rows, rows["account_id"])


def metrics(review: Review) -> list[pd.DataFrame]:
    """MRR, ARR, the movements, NRR, GRR, revenue churn, quick ratio and ARPA."""
    out: list[pd.DataFrame] = []
    for by in BYS:
        w = waterfall(review, by)
        out += [
            result("mrr", w, by, money(w["mrr_end"])),
            result("arr", w, by, money(formulas.arr(w["mrr_end"]))),
            *(result(f"mrr_{name}", w, by, money(w[name])) for name in MOVES),
            result(
                "net_revenue_retention",
                w,
                by,
                formulas.net_revenue_retention(w["mrr_end_of_start_customers"], w["mrr_start"]),
            ),
            result(
                "gross_revenue_retention",
                w,
                by,
                formulas.gross_revenue_retention(w["retained_mrr_capped"], w["mrr_start"]),
            ),
            result(
                "revenue_churn_rate",
                w,
                by,
                formulas.revenue_churn_rate(w["churn"], w["contraction"], w["mrr_start"]),
            ),
            result(
                "quick_ratio",
                w,
                by,
                formulas.quick_ratio(
                    w["new"], w["reactivation"], w["expansion"], w["churn"], w["contraction"]
                ),
            ),
            result("arpa", w, by, money(formulas.arpa(w["mrr_end"], w["customers_end"]))),
        ]
    return out
