"""An independent, plain-Python computation of MRR, movements and recognized revenue.

Written from the spec (metrics.md, data-model.md) and not from the Ibis code: loops over items,
months and days, with :class:`fractions.Fraction` for exact arithmetic. Slow and obvious on
purpose; the tests compare the backend results with it to the cent.

Shared conventions (the documented rounding points of ``salesmetrics.recurring``): an item's
monthly amount is rounded to cents in its own currency, then converted at the rate of its start
date and rounded to cents again, both half away from zero. Recognized revenue rounds
cumulatively (half to even) in the line's currency and converts each day's exact share, rounded
once per line and period (half away from zero).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

CENT = Decimal("0.01")
Row = Mapping[str, Any]


def to_cents(value: Fraction | Decimal) -> Decimal:
    """``value`` rounded to cents, half away from zero."""
    frac = Fraction(value)
    hundredths = frac * 100
    sign = -1 if hundredths < 0 else 1
    magnitude = abs(hundredths)
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return (Decimal(sign * whole) / 100).quantize(CENT)


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus ``months`` calendar months, the day clamped to the month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def service_months(first: dt.date, after: dt.date) -> Fraction:
    """Length of [first, after) in months: whole calendar months + remaining days / 30.4375."""
    whole = 0
    while add_months(first, whole + 1) <= after:
        whole += 1
    days = (after - add_months(first, whole)).days
    return whole + Fraction(days) / Fraction("30.4375")


class Rates:
    """fx_rates rows, looked up by "the latest rate on or before a day"."""

    def __init__(self, rows: Iterable[Row]) -> None:
        by_currency: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for r in rows:
            by_currency[r["currency"].upper()].append((r["date"], r["rate"]))
        self._days = {c: sorted(v) for c, v in by_currency.items()}

    def on(self, currency: str, day: dt.date) -> Decimal:
        """The latest rate of ``currency`` on or before ``day`` (KeyError when there is none)."""
        pairs = self._days.get(currency.upper(), [])
        n = bisect.bisect_right(pairs, (day, Decimal("Infinity")))
        if n == 0:
            raise KeyError((currency, day))
        return pairs[n - 1][1]


@dataclass
class Item:
    """One subscription or recurring line: active on [start, end) (end None: running)."""

    account_id: str
    plan: str | None
    start: dt.date
    end: dt.date | None
    mrr: Decimal


def last_day(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def convert(
    amount: Decimal, currency: str | None, day: dt.date, rates: Rates, base: str
) -> Decimal:
    """``amount`` (cents) in the base currency at the rate of ``day``, rounded to cents."""
    if not currency or currency.upper() == base:
        return amount
    return to_cents(Fraction(amount) * Fraction(rates.on(currency, day)))


def subscription_items(rows: Iterable[Row], rates: Rates, base: str) -> list[Item]:
    """Items of subscriptions (trials carry none)."""
    items = []
    for r in rows:
        if r.get("is_trial"):
            continue
        local = to_cents(r["mrr"])
        mrr = convert(local, r.get("currency"), r["start_date"], rates, base)
        items.append(Item(r["account_id"], r.get("plan"), r["start_date"], r.get("end_date"), mrr))
    return items


def line_items(rows: Iterable[Row], rates: Rates, base: str) -> list[Item]:
    """Items of recurring invoice lines."""
    items = []
    for r in rows:
        if r.get("is_recurring") is False:
            continue
        if r.get("service_start") and r.get("service_end"):
            start = r["service_start"]
            end = r["service_end"] + dt.timedelta(days=1)
            local = to_cents(Fraction(r["amount"]) / service_months(start, end))
        else:
            start = r.get("service_start") or r["invoice_date"]
            end = add_months(start, 1)
            local = to_cents(r["amount"])
        mrr = convert(local, r.get("currency"), start, rates, base)
        items.append(Item(r["account_id"], r.get("plan"), start, end, mrr))
    return items


def months_of(items: list[Item], through: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """The spine: first month covered to the month of the last start or (exclusive) end."""

    def ym(d: dt.date) -> tuple[int, int]:
        return (d.year, d.month)

    covering = [i for i in items if i.end is None or ym(i.end) > ym(i.start)]
    if not covering:
        return []
    lo = min(ym(i.start) for i in covering)
    hi = through or max(ym(i.end) if i.end else ym(i.start) for i in covering)
    out = []
    y, m = lo
    while (y, m) <= hi:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_mrr(
    items: list[Item], months: list[tuple[int, int]], by_plan: bool = False
) -> dict[tuple[Any, ...], dict[tuple[int, int], Decimal]]:
    """MRR per series and month, where > 0."""
    out: dict[tuple[Any, ...], dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for y, m in months:
        day = last_day(y, m)
        sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        for i in items:
            if i.start <= day and (i.end is None or day < i.end):
                key = (i.account_id, i.plan) if by_plan else (i.account_id,)
                sums[key] += i.mrr
        for key, value in sums.items():
            if value > 0:
                out[key][(y, m)] = value
    return out


MOVES = ("new", "reactivation", "expansion", "contraction", "churn")


def movements(
    series: dict[tuple[Any, ...], dict[tuple[int, int], Decimal]], months: list[tuple[int, int]]
) -> dict[tuple[tuple[Any, ...], tuple[int, int]], dict[str, Decimal]]:
    """Movements per series and month (only where MRR now or before is > 0)."""
    out = {}
    for key, by_month in series.items():
        had_before = False
        prev = Decimal(0)
        for month in months:
            cur = by_month.get(month, Decimal(0))
            moves = dict.fromkeys(MOVES, Decimal(0))
            if prev == 0 and cur > 0:
                moves["reactivation" if had_before else "new"] = cur
            elif prev > 0 and cur > 0:
                if cur > prev:
                    moves["expansion"] = cur - prev
                else:
                    moves["contraction"] = prev - cur
            elif prev > 0 and cur == 0:
                moves["churn"] = prev
            if cur > 0 or prev > 0:
                out[(key, month)] = {"mrr": cur, "prev_mrr": prev, **moves}
            had_before = had_before or cur > 0
            prev = cur
    return out


def daily_shares(
    amount: Decimal, first: dt.date, last: dt.date
) -> dict[dt.date, tuple[Decimal, Fraction]]:
    """Per day of [first, last]: (the cents recognized that day, the day's exact share), both in
    currency units with the line's sign. The line's C cents (rounded half away from zero) are
    recognized cumulatively: through the k-th of n days, round_half_even(C × k / n) (Python's
    ``round`` of a Fraction rounds half to even), so a day's cents are the difference of two
    such roundings; its exact share is C / n."""
    total = to_cents(amount)
    sign = -1 if total < 0 else 1
    cents = int(abs(total) * 100)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    n = len(days)
    through = [round(Fraction(cents * k, n)) for k in range(n + 1)]
    return {
        d: (Decimal(sign * (through[k + 1] - through[k])) / 100, Fraction(sign * cents, 100 * n))
        for k, d in enumerate(days)
    }


def service_days(r: Row) -> tuple[dt.date, dt.date]:
    """The first and last day a line is recognized on (both dates, else one day)."""
    dated = (
        r.get("service_start") and r.get("service_end") and r["service_end"] >= r["service_start"]
    )
    if dated:
        return r["service_start"], r["service_end"]
    day = r.get("service_start") or r["invoice_date"]
    return day, day


def recognized_in_periods(
    rows: Iterable[Row],
    rates: Rates,
    base: str,
    periods: Iterable[tuple[Any, dt.date, dt.date]] | Callable[[dt.date], Iterable[Any]],
) -> dict[tuple[str, Any], tuple[Decimal, Decimal]]:
    """(local, base) recognized amount per line and period, day by day. ``periods``: ``(key,
    start, end)`` triples (end exclusive; they may overlap), or a function giving the keys of
    the periods a day is in. Local: the sum of the day's cents. Base, for a foreign line: Σ of
    each day's exact share × that day's rate, rounded to cents once per line and period (half
    away from zero)."""
    if callable(periods):
        keys_of = periods
    else:
        spans = list(periods)

        def keys_of(day: dt.date) -> list[Any]:
            return [key for key, start, end in spans if start <= day < end]

    out: dict[tuple[str, Any], tuple[Decimal, Decimal]] = {}
    for r in rows:
        first, last = service_days(r)
        local: dict[Any, Decimal] = defaultdict(Decimal)
        converted: dict[Any, Fraction] = defaultdict(Fraction)
        foreign = bool(r.get("currency")) and r["currency"].upper() != base
        for day, (cents, exact) in daily_shares(r["amount"], first, last).items():
            rate = Fraction(rates.on(r["currency"], day)) if foreign else Fraction(1)
            for key in keys_of(day):
                local[key] += cents
                converted[key] += exact * rate
        for key, value in local.items():
            out[(r["line_id"], key)] = (value, to_cents(converted[key]) if foreign else value)
    return out


def recognized_by_month(
    rows: Iterable[Row], rates: Rates, base: str
) -> dict[tuple[str, tuple[int, int]], tuple[Decimal, Decimal]]:
    """(local, base) recognized amount per line and month (:func:`recognized_in_periods`)."""
    return recognized_in_periods(rows, rates, base, lambda day: [(day.year, day.month)])
