"""The demo's fixed calendar: the covered dates, day numbers, months, quarters and seasonality.

Dates are handled as integer day numbers (days since 1970-01-01) and timestamps as integer
seconds since 1970-01-01 (naive UTC), so date arithmetic stays vectorised.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from salesmetrics.demo.arrays import Arr

DAY = 86_400
_EPOCH = dt.date(1970, 1, 1)


def day(year: int, month: int, dom: int) -> int:
    """Day number of a calendar date."""
    return (dt.date(year, month, dom) - _EPOCH).days


def to_date(day_number: int) -> dt.date:
    """Calendar date of a day number."""
    return _EPOCH + dt.timedelta(days=int(day_number))


#: The CRM, marketing and activity data cover these dates (inclusive); the demo's "today" is
#: DATA_END. Fixed, not relative to the clock, so that every build is identical.
DATA_START = day(2023, 1, 1)
DATA_END = day(2025, 12, 31)
#: The billing system is older than the CRM: the customer base's subscriptions go back to here.
BILLING_START = day(2020, 1, 1)
#: Exchange rates start a month before the first amount that needs one.
FX_START = day(2019, 12, 2)
#: Forecast and renewal horizon beyond DATA_END (open deals expected to close by then).
HORIZON_END = day(2026, 6, 30)
#: The end of the demo's "today" as a timestamp (exclusive).
AS_OF_END_SEC = (DATA_END + 1) * DAY

#: Relative lead volume by calendar month (B2B: quiet July/August and December, busy autumn).
MONTH_SEASONALITY = np.array(
    [0.92, 1.0, 1.12, 1.05, 1.04, 0.95, 0.8, 0.74, 1.1, 1.2, 1.1, 0.72], dtype=np.float64
)
#: Company growth per year in lead and deal volume.
ANNUAL_GROWTH = 0.22


def month_of(days: Arr) -> Arr:
    """Month number (months since 1970-01) of day numbers."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def month_start(months: Arr) -> Arr:
    """Day number of the first day of month numbers."""
    return (
        np.asarray(months, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def add_months(days: Arr, n: Arr | int) -> Arr:
    """Day numbers moved by ``n`` calendar months, clipping the day to the target month's end."""
    d = np.asarray(days, dtype=np.int64)
    m = month_of(d)
    dom = d - month_start(m)
    target = m + np.asarray(n, dtype=np.int64)
    length = month_start(target + 1) - month_start(target)
    return np.asarray(month_start(target) + np.minimum(dom, length - 1))


def quarter_start(days: Arr) -> Arr:
    """Day number of the first day of each day's calendar quarter."""
    m = month_of(days)
    return month_start(m - (m % 3))


def weekday(days: Arr) -> Arr:
    """Day of week, Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def seasonal_weights(first: int, last: int) -> Arr:
    """Relative volume of each day in [first, last]: month seasonality, growth, quiet weekends."""
    days = np.arange(first, last + 1, dtype=np.int64)
    months = month_of(days) % 12
    years = (days - DATA_START) / 365.25
    w = MONTH_SEASONALITY[months] * (1.0 + ANNUAL_GROWTH) ** years
    return np.asarray(w * np.where(weekday(days) >= 5, 0.15, 1.0))


def work_seconds(rng: np.random.Generator, size: int) -> Arr:
    """Seconds into the day of business-hours events (08:00 to 18:00 UTC, busier mid-morning)."""
    hours = np.clip(rng.normal(12.0, 2.4, size), 8.0, 17.99)
    return (hours * 3600).astype(np.int64)


def sample_days(rng: np.random.Generator, weights: Arr, first: int, lo: Arr, hi: Arr) -> Arr:
    """One day per window [lo, hi] (inclusive day numbers), drawn with the daily ``weights``.

    ``weights[i]`` is the weight of day ``first + i``. Vectorised by inverse CDF: each draw is
    uniform on the cumulative weight between its window's ends.
    """
    cdf = np.concatenate([[0.0], np.cumsum(weights)])
    a = cdf[np.clip(lo - first, 0, len(weights))]
    b = cdf[np.clip(hi - first + 1, 0, len(weights))]
    u = a + rng.random(len(a)) * (b - a)
    idx = np.searchsorted(cdf, u, side="right") - 1
    return np.asarray(first + np.clip(idx, lo - first, hi - first))
