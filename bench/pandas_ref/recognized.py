"""Recognized revenue: every invoice line spread evenly by day over its service period.

A line of C cents (rounded half away from zero; credits spread like the positive amount and
negated) over n days [first, last] is recognized cumulatively: through its k-th day,
round_half_even(C × k / n) cents, and a period gets the difference at its two ends, so the
shares sum exactly to the line. A line without both service dates (or whose service_end is before
its service_start) counts in full on its service_start, else its invoice_date. A foreign line is
converted day by day at that day's rate (the latest on or before it): Σ over its days in P of
the exact share C / n × rate, rounded to cents once per line and period (half away from zero),
read from a running sum of the daily rates of its currency rather than by expanding lines into
days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import (
    BYS,
    Review,
    currency_codes,
    fx_table,
    money,
    result,
    sums,
    with_account_groups,
)
from bench.pandas_ref.recurring import RATE_SCALE, to_cents

EPOCH = pd.Timestamp("1970-01-01")


def _days(values: pd.Series) -> np.ndarray:
    """Epoch days of a datetime column."""
    return ((values - EPOCH).dt.days).to_numpy(dtype="int64")


def lines(review: Review) -> pd.DataFrame:
    """Per invoice line: epoch days d0..d1, its cents C = q × n + r over its n days, sign,
    currency."""
    t = review.tables["invoice_lines"]
    s_start, s_end = pd.to_datetime(t["service_start"]), pd.to_datetime(t["service_end"])
    dated = s_start.notna() & s_end.notna() & (s_end >= s_start)
    single = s_start.fillna(pd.to_datetime(t["invoice_date"]))
    first = s_start.where(dated, single)
    last = s_end.where(dated, single)
    cents = np.abs(to_cents(t["amount"]))
    d0, d1 = _days(first), _days(last)
    n = d1 - d0 + 1
    frame = pd.DataFrame(
        {
            "account_id": t["account_id"].astype(object).to_numpy(),
            "currency": currency_codes(t["currency"], review.base).to_numpy(),
            "d0": d0,
            "d1": d1,
            "n": n,
            "q": cents // n,
            "r": cents % n,
            "sign": np.where(t["amount"].to_numpy() < 0, -1, 1),
        }
    )
    return with_account_groups(review, frame, frame["account_id"])


def cumulative(q: np.ndarray, r: np.ndarray, n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """round_half_even(C × k / n) for C = q × n + r, in int64 (r × k < n², q × k ≤ C)."""
    whole, rest = np.divmod(r * k, n)
    below = q * k + whole
    up = (2 * rest > n) | ((2 * rest == n) & (below % 2 == 1))
    out: np.ndarray = below + up
    return out


def rate_sums(review: Review, currency: str, lo: int, hi: int) -> np.ndarray:
    """Running sum S of the daily rate of ``currency`` (×1e10, integers) over epoch days
    lo − 1 .. hi: Σ rate over days [x, y] = S[y − lo + 1] − S[x − lo]."""
    table = fx_table(review)
    fx = table[table["currency"] == currency].groupby("date")["rate"].max()
    days = pd.date_range(EPOCH + pd.Timedelta(days=lo), EPOCH + pd.Timedelta(days=hi), freq="D")
    daily = fx.reindex(fx.index.union(days)).sort_index().ffill().reindex(days)
    if daily.isna().any():
        raise LookupError(f"invoice lines in {currency} have days without an exchange rate")
    scaled = np.round(daily.to_numpy() * RATE_SCALE).astype("int64")
    return np.concatenate([[0], np.cumsum(scaled)])


def in_periods(review: Review) -> pd.DataFrame:
    """One row per (line, period) the line has days in, with ``amount`` in base currency."""
    all_lines = lines(review)
    parts = []
    for p in review.periods:
        ps = int((p.start - EPOCH).days)
        pe = int((p.end - EPOCH).days) - 1
        hit = (all_lines["d0"] <= pe) & (all_lines["d1"] >= ps)
        rows = all_lines[hit.to_numpy()]
        x = np.maximum(rows["d0"].to_numpy(), ps)
        y = np.minimum(rows["d1"].to_numpy(), pe)
        q, r, n = (rows[c].to_numpy() for c in ("q", "r", "n"))
        d0 = rows["d0"].to_numpy()
        local = cumulative(q, r, n, y - d0 + 1) - cumulative(q, r, n, x - d0)
        base = local.copy()
        for currency in set(rows["currency"]) - {review.base}:  # a handful of currencies
            mine = (rows["currency"] == currency).to_numpy()
            lo, hi = int(x[mine].min()), int(y[mine].max())
            s = rate_sums(review, currency, lo, hi)
            rate_days = s[y[mine] - lo + 1] - s[x[mine] - lo]
            # C × Σ rate (×1e10) passes 64 bits: Python integers for the foreign lines
            cents = (q[mine] * n[mine] + r[mine]).astype(object)
            scaled = cents * rate_days.astype(object)
            divisor = n[mine].astype(object) * RATE_SCALE
            base[mine] = ((scaled * 2 + divisor) // (divisor * 2)).astype("int64")
        amount = rows["sign"].to_numpy() * base / 100
        parts.append(rows.assign(period=p.label, amount=amount))
    return pd.concat(parts, ignore_index=True)


def metrics(review: Review) -> list[pd.DataFrame]:
    """recognized_revenue for every period of the review and group of BYS."""
    if not len(review.tables["invoice_lines"]):
        return []
    rows = in_periods(review)
    return [
        result("recognized_revenue", agg, by, money(agg["amount"]))
        for by in BYS
        for agg in [sums(rows, by, ("amount",))]
    ]
