"""Recognized revenue: every invoice line spread evenly by day over its service period.

Rules (data-model.md, ``invoice_lines``; metrics.md, ``recognized_revenue``):

* A line with both service dates is spread over [service_start, service_end], both inclusive,
  in whole cents summing exactly to the line. The line's amount is first rounded to cents (half
  away from zero); a credit is spread like the positive amount and negated.
* **Cumulative rounding**, never whole cents per day: of a line of C cents over n days, the
  cents recognized through its k-th day are F(k) = round_half_even(C × k / n), and a period's
  share is F at the line's last day in the period minus F at the day before its first. So every
  period of any grain is within a cent of its exact share C × days / n, adjacent periods add up
  exactly to the period that joins them (months to quarters), and F(n) = C. 10,413.84 over
  2024-01-01..2024-12-31 gives January 882.05 (its exact share is 882.0466).
* A line without both service dates is recognized in full on one day: its service_start if
  given, else its invoice_date. So is a line whose service_end is before its service_start.

Nothing is expanded to days: F is a closed form evaluated at the two ends of each slice (a
line × period pair of a range join). It never forms C × k, which could pass 64 bits: with
C = q n + r (0 ≤ r < n), C k / n = q k + (r k) / n, and r k < n² (n < 4 million days) and
q k ≤ C are exact 64-bit integers; the half-even tie (2 × (r k mod n) = n) goes to the even
neighbour. The one division, ⌊r k / n⌋, is exact through a double (:func:`_cumulative`); no
rounding of a floating-point number decides a cent.

**FX** (an amount is converted at the rate of its own date, here each service day): the
base-currency amount of a foreign line in a period is Σ over its days in the period of (its
exact daily share C / n × that day's rate), rounded to cents once per line and period (half away
from zero): C × Σ rate / n, evaluated without expansion (:func:`_converted`). The rate intervals
(a rate holds from its date until the next rate's date) are cut at calendar months; a month
wholly inside a line's slice adds the month's exact rate sum, a month partly inside joins that
month's intervals only. The division by n is exact (:func:`_rounded_quotient`). Each converted
period is so within half a cent of the exact conversion of its exact share, but a foreign line's
months may differ by a cent from its quarter. A foreign line needs a rate on or before its first
day.

**Materialised in the engine** (``materialised=True``, see :mod:`salesmetrics.derived`): the
lines with their cents split (q = ⌊C / n⌋, r = C mod n) and missing-rate flags, for the
session only (not kept as a file between sessions). Two tables, each built when first asked
for: ``recognized_lines`` keeps of the line's own columns only ``line_id`` and
``account_id`` (what every grouping but the plan reads), ``recognized_lines_detailed`` also
its :data:`DETAILS` (plan, currency, is_recurring: a grouping by plan, the drill-down). The
text columns are much of the cost of materialising (1 M lines: about 0.51 CPU s with them,
0.37 without). The
conversion is computed per request. It does not use running sums of
the daily rates over the whole history: Spark cuts the scale of a wide decimal product to 6
decimals, and a rounded rate sum multiplied by a large amount misses by units of currency. Every
rate sum here is exact (narrowed operands) before it is multiplied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as idt
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from salesmetrics import fx
from salesmetrics.recurring.months import (
    INT,
    WIDE,
    cents_to_money,
    date_of_index,
    floor_div,
    month_index_of,
)

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

_RATE = idt.Decimal(38, 10)
_EPOCH = dt.date(1970, 1, 1)


def _lines(ws: Connection) -> ir.Table:
    """Invoice lines with their service days (epoch days) and their cents split."""
    t = ws.table("invoice_lines")
    dated = t.service_start.notnull() & t.service_end.notnull() & (t.service_end >= t.service_start)
    single = ibis.coalesce(t.service_start, t.invoice_date)
    first = ibis.ifelse(dated, t.service_start, single)
    last = ibis.ifelse(dated, t.service_end, single)
    base = ws.config.base_currency.upper()
    currency = t.currency.upper().strip().fill_null(base)
    lines = t.select(
        "line_id",
        "account_id",
        "plan",
        "currency",
        "is_recurring",
        "amount",
        _cur=ibis.ifelse(currency == "", base, currency),
        _first=first,
        _d0=first.epoch_days().cast(INT),
        _d1=last.epoch_days().cast(INT),
        # the stored DECIMAL(18,4) rounded at its own width: its cents (< 10^16) fit 64 bits,
        # and no 128-bit decimal is formed (several times slower, for every line)
        _cents=(t.amount.round(2).abs() * 100).cast(INT),
        _sign=ibis.ifelse(t.amount < 0, -1, 1).cast(INT),
    )
    quotient, remainder = floor_div(lines._cents, lines._d1 - lines._d0 + 1)
    return lines.mutate(_q=quotient, _r=remainder).drop("_cents")


def _cumulative(
    q: ir.IntegerValue, r: ir.IntegerValue, n: ir.IntegerValue, k: ir.IntegerValue
) -> ir.IntegerValue:
    """round_half_even(C × k / n) for C = ``q`` × ``n`` + ``r`` (0 ≤ r < n, 0 ≤ k ≤ n): the
    cents of a line recognized through its ``k``-th day, in 64-bit integers (C × k is never
    formed)."""
    # r × k < n² is exact in a double, and so is ⌊r × k / n⌋ from the double quotient: the
    # quotient is at least 1/n from the next integer, far more than its rounding error while
    # n < 10^7 (days < 27,000 years)
    product = r * k
    whole = product // n
    twice = (product - whole * n) * 2
    below = q * k + whole
    up = (twice > n) | ((twice == n) & (below % 2 == 1))
    return below + ibis.ifelse(up, 1, 0).cast(INT)


#: An epoch day later than any in the data (9999-12-31): "until further notice".
_FAR_FUTURE_DAY = 2_932_896


def _rate_intervals(ws: Connection) -> ir.Table:
    """Per currency, each rate with the epoch days it holds: ``[_f, _t]`` (``_t`` null: open)."""
    rates = ws.table("fx_rates")
    rates = rates.group_by(r_cur=rates.currency.upper().strip(), r_day=rates.date).aggregate(
        r_rate=rates.rate.max()
    )
    nxt = rates.r_day.lead().over(ibis.window(group_by="r_cur", order_by="r_day"))
    return rates.select(
        "r_cur",
        r_rate=rates.r_rate.cast(_RATE),
        r_f=rates.r_day.epoch_days().cast(INT),
        r_t=nxt.epoch_days().cast(INT) - 1,
    )


def month_periods(first: dt.date, last: dt.date) -> ir.Table:
    """The months from ``first``'s to ``last``'s: ``(period "YYYY-MM", start, end)``."""
    ks = range(month_index_of(first), month_index_of(last) + 1)
    starts = [date_of_index(k) for k in ks]
    return ibis.memtable(
        pa.table(
            {
                "period": [f"{d.year:04d}-{d.month:02d}" for d in starts],
                "start": pa.array(starts, pa.date32()),
                "end": pa.array([date_of_index(k + 1) for k in ks], pa.date32()),
            }
        )
    )


#: The invoice-line columns a share of :func:`recognized_revenue` always carries.
_KEYS = ("line_id", "account_id")
#: The other invoice-line columns a share carries when asked for (``details``).
DETAILS = ("plan", "currency", "is_recurring")
#: The computed columns of the lines :func:`_spread` reads.
_WORK = ("_cur", "_d0", "_d1", "_q", "_r", "_sign")


def _checked(ws: Connection, lines: ir.Table) -> ir.Table:
    """``lines`` with the missing-rate flags of their first day (:func:`fx.to_base`)."""
    # only the missing-rate flags are used; the amount is widened so that no product overflows
    return fx.to_base(
        lines.mutate(_wide=lines.amount.cast(WIDE)),
        ws.table("fx_rates"),
        amount="_wide",
        currency="currency",
        day=lines._first,
        base_currency=ws.config.base_currency,
        out="_unused",
    )


def checked_lines(ws: Connection, *, detailed: bool = False) -> ir.Table:
    """The invoice lines as :func:`_spread` reads them, with the missing-rate flags and, when
    ``detailed``, the :data:`DETAILS` columns: materialised once per data version and session
    (``recognized_lines``, ``recognized_lines_detailed``)."""
    details = DETAILS if detailed else ()

    def build() -> ir.Table:
        checked = _checked(ws, _lines(ws))
        return checked.select(*_KEYS, *details, *_WORK, fx.MISSING_COUNT, fx.MISSING_EXAMPLE)

    # not kept between sessions: a scan of the lines computes it about as fast as its Parquet
    # file is read, and writing that file cost as much as computing it (1 M lines)
    name = "recognized_lines_detailed" if detailed else "recognized_lines"
    return ws.derived.get(name, build, keep=False)


def recognized_revenue(
    ws: Connection,
    periods: ir.Table | None = None,
    *,
    materialised: bool = False,
    extend: Callable[[ir.Table], ir.Table] | None = None,
    details: bool = True,
) -> ir.Table:
    """Recognized revenue per invoice line and period.

    ``periods`` has ``start`` and ``end`` (dates, ``end`` exclusive) and any other columns, which
    are kept (overlapping periods, such as months and quarters together, are fine); by default
    the months of the data (:func:`month_periods`). Columns: ``line_id, account_id, plan,
    currency, is_recurring`` (the last three, :data:`DETAILS`, only with ``details``), the
    period columns, ``days`` (service days of the line in the period), ``amount_local`` (line
    currency) and ``amount`` (base currency), both DECIMAL(18,2).
    Rows only where a line has days in a period. Raises a UserError naming the currency and date
    when a foreign line has no rate on or before its first day. Runs one aggregate query (the FX
    check and the data's date range).

    With ``materialised`` (the engine, which refreshes ``ws.derived`` for each evaluation) the
    lines with their missing-rate flags are read from a materialised table. ``extend`` adds
    columns to the lines (the engine's ``dim_*`` group columns, by the line's account) before
    they are spread: they are kept in the output, and a lookup joins the lines, not the larger
    set of their shares.

    Without ``details`` the shares carry of the line's own columns only ``line_id`` and
    ``account_id`` (the rest is in ``invoice_lines`` under the same ``line_id``): the
    engine's materialised lines are then narrower, and cheaper to build.
    """
    if materialised:
        checked = checked_lines(ws, detailed=details)
        lines = checked.drop(fx.MISSING_COUNT, fx.MISSING_EXAMPLE)
    else:
        lines = _lines(ws)
        checked = _checked(ws, lines)
        if not details:
            lines = lines.drop(*DETAILS)
    stats = checked.aggregate(
        lo=checked._d0.min(), hi=checked._d1.max(), **fx.missing_aggregates(checked)
    ).to_pandas()
    fx.raise_missing(stats, "invoice_lines.amount")
    lo, hi = stats["lo"].iloc[0], stats["hi"].iloc[0]
    if pd.isna(lo) or pd.isna(hi):
        months = month_periods(_EPOCH, _EPOCH).limit(0)
    else:
        months = month_periods(
            _EPOCH + dt.timedelta(days=int(lo)), _EPOCH + dt.timedelta(days=int(hi))
        )
    if extend is not None:
        lines = extend(lines)
    return _spread(ws, lines, months if periods is None else periods, months)


def _spread(ws: Connection, lines: ir.Table, periods: ir.Table, months: ir.Table) -> ir.Table:
    period_cols = list(periods.columns)
    added = [c for c in lines.columns if c.startswith("dim_")]
    p = periods.mutate(
        _ps=periods.start.epoch_days().cast(INT), _pe=periods.end.epoch_days().cast(INT) - 1
    )
    s = lines.join(p, [p._ps <= lines._d1, p._pe >= lines._d0])
    s = s.mutate(
        _x=ibis.greatest(s._d0, s._ps), _y=ibis.least(s._d1, s._pe), _n=s._d1 - s._d0 + 1
    ).view()
    through_y = _cumulative(s._q, s._r, s._n, s._y - s._d0 + 1)
    before_x = _cumulative(s._q, s._r, s._n, s._x - s._d0)
    s = s.mutate(
        _days=s._y - s._x + 1,
        _local=s._sign * (through_y - before_x),
        _foreign=s._cur != ws.config.base_currency.upper(),
    ).view()

    converted = _converted(ws, s.filter(s._foreign), months)
    j = s.left_join(
        converted,
        [s.line_id == converted.c_line, s._ps == converted.c_ps, s._pe == converted.c_pe],
    )
    local = cents_to_money(j._local)
    base = cents_to_money(_rounded_quotient(j._base_cents, j._n) * j._sign)
    return j.select(
        *_KEYS,
        *(c for c in DETAILS if c in lines.columns),
        *period_cols,
        *added,
        days=j._days,
        amount_local=local,
        amount=ibis.ifelse(j._foreign, base.cast(local.type()), local),
    )


#: Type of a sum of rate × cents products (as the products: 10 decimals).
_PART = idt.Decimal(38, 10)
#: A rate narrowed so that its product with a month's day count keeps all 10 decimals on Spark
#: (28 + 5 + 1 digits; a wider product is cut to 6 decimals there).
_NARROW_RATE = idt.Decimal(28, 10)
#: The operands of the exact check in :func:`_rounded_quotient`, narrowed so that their
#: difference keeps all 10 decimals on Spark. 20 integer digits hold C × Σ rate up to 10^20
#: (a line of 10^10 units over a year at a rate of 25,000 in one period: 10^12 cents × 9 × 10^6).
_DIVIDEND = idt.Decimal(30, 10)
_QUOTIENT = idt.Decimal(19, 0)
_DIVISOR = idt.Decimal(10, 0)
_PRODUCT = idt.Decimal(21, 0)


def _rounded_quotient(value: ir.DecimalValue, divisor: ir.IntegerValue) -> ir.IntegerValue:
    """``value`` ÷ ``divisor`` (``value`` ≥ 0, ``divisor`` > 0) rounded half away from zero to an
    integer, exactly.

    A decimal divided by an integer is a DOUBLE on DuckDB: its rounding is at most one off, and
    only near a tie. The exact remainder ``value − approx × divisor`` (decimals) corrects it.
    """
    approx = (value / divisor).round().cast(INT)
    product = (approx.cast(_QUOTIENT) * divisor.cast(_DIVISOR)).cast(_PRODUCT)
    rest = value.cast(_DIVIDEND) - product
    twice = rest + rest
    step = ibis.cases((twice >= divisor, 1), (twice < -divisor, -1), else_=0)
    return approx + step.cast(INT)


def _converted(ws: Connection, slices: ir.Table, months: ir.Table) -> ir.Table:
    """Σ over the days of each foreign slice of (the line's cents C × that day's rate),
    unrounded: ``c_line, c_ps, c_pe, _base_cents`` (÷ n, the line's days, is its exact converted
    share in cents). ``months`` are the calendar months of the data.

    The rate intervals are cut at month boundaries, and each slice's day range [x, y] is split by
    the months it overlaps: a month inside the range adds C × the month's exact rate sum (one
    row); a month it covers in part joins that month's own intervals (equal on currency and
    month: a probe meets about 30 intervals, not the currency's thousands) and adds
    rate × (C × days). No rate sum is rounded before it is multiplied, so every backend agrees.
    """
    rates = _rate_intervals(ws)
    m = months.select(
        _m0=months.start.epoch_days().cast(INT), _m1=months.end.epoch_days().cast(INT) - 1
    )
    until = rates.r_t.fill_null(_FAR_FUTURE_DAY)
    cut = rates.join(m, [rates.r_f <= m._m1, until >= m._m0])
    cut = cut.select(
        q_cur=cut.r_cur,
        q_m0=cut._m0,
        q_f=ibis.greatest(cut.r_f, cut._m0),
        q_t=ibis.least(cut.r_t.fill_null(_FAR_FUTURE_DAY), cut._m1),
        q_rate=cut.r_rate,
    ).view()
    month_days = (cut.q_t - cut.q_f + 1).cast("int16")
    sums = cut.group_by(w_cur=cut.q_cur, w_m0=cut.q_m0).aggregate(
        w_sum=(cut.q_rate.cast(_NARROW_RATE) * month_days).sum().cast(_PART)
    )

    ranges = slices.select(
        c_line=slices.line_id,
        c_ps=slices._ps,
        c_pe=slices._pe,
        _r_cur=slices._cur,
        _a=slices._x,
        _b=slices._y,
        _w=slices._q * slices._n + slices._r,
    )
    pairs = ranges.join(m, [m._m0 <= ranges._b, m._m1 >= ranges._a])
    inside = (pairs._m0 >= pairs._a) & (pairs._m1 <= pairs._b)

    full = pairs.filter(inside)
    full = full.join(sums, [full._r_cur == sums.w_cur, full._m0 == sums.w_m0])
    full_parts = full.select("c_line", "c_ps", "c_pe", _part=(full._w * full.w_sum).cast(_PART))

    part = pairs.filter(~inside)
    part = part.mutate(_lo=ibis.greatest(part._a, part._m0), _hi=ibis.least(part._b, part._m1))
    part = part.join(
        cut,
        [part._r_cur == cut.q_cur, part._m0 == cut.q_m0, cut.q_f <= part._hi, cut.q_t >= part._lo],
    )
    days = ibis.least(part._hi, part.q_t) - ibis.greatest(part._lo, part.q_f) + 1
    partial_parts = part.select(
        "c_line", "c_ps", "c_pe", _part=(part.q_rate * (part._w * days)).cast(_PART)
    )
    parts = full_parts.union(partial_parts, distinct=False)
    return parts.group_by("c_line", "c_ps", "c_pe").aggregate(_base_cents=parts._part.sum())
