"""Where recurring revenue comes from: subscriptions or invoice lines, as MRR *items*.

An item is one subscription or one recurring invoice line, reduced to what MRR needs:

========================  ====================================================================
``item_id``               subscription_id or line_id
``account_id``, ``plan``  as given
``currency``              as given (empty = base currency)
``start``                 the date the item starts (its FX date)
``first_month``           month index of the first month whose last day the item covers
``end_month``             month index of the first month whose last day it no longer covers
                          (exclusive; null = still running)
``mrr_local``             monthly amount in the item's currency, whole cents
``mrr``                   the same in the base currency, whole cents
========================  ====================================================================

An item covers the last day of month ``k`` exactly when ``first_month <= k < end_month``: with
``start`` inclusive and ``end`` exclusive, the last day of ``k`` is on or after ``start`` iff
``k >= month(start)``, and before ``end`` iff ``k < month(end)``. So a subscription starting on
15 March counts from March (31 March is covered), and one ending (exclusively) on 1 July counts
through June and churns in July.

**Rounding happens here, once per item, and nowhere else.** ``mrr_local`` is the item's monthly
amount rounded to whole cents (half away from zero); ``mrr`` is ``mrr_local`` times the rate of
the start date, rounded again to whole cents. Every later figure (customer MRR, movements,
waterfalls, cohorts) is a sum or difference of these cent values in exact DECIMAL arithmetic, so
``MRR(end) = MRR(start) + new + reactivation + expansion − contraction − churn`` holds to the
cent for every period and group.

Invoice lines: the MRR of a line with service dates is ``amount ÷ months``, where ``months`` =
the whole calendar months from ``service_start`` to ``service_end + 1 day`` plus the remaining
days ÷ 30.4375 (a month that starts on the 31st ends on the last day of a shorter month, as in
``dateutil.relativedelta``). Because 30.4375 = 487/16, ``months = (487·whole + 16·days) / 487``
and the MRR is the exact fraction ``amount · 487 / (487·whole + 16·days)``, rounded to cents
with integer arithmetic (exact up to about 1.8·10¹² currency units per line; beyond, the backend
reports an overflow rather than a wrong figure). A line missing
either service date covers one month from its ``service_start`` if given, else from its
``invoice_date``, and its MRR is its amount. Credits (negative lines) count negatively in the
months they cover; a customer whose credits exceed its charges in a month has no MRR that month
(never a negative MRR). Trials (``is_trial``) and one-off lines (``is_recurring`` false) carry
no MRR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import ibis
import ibis.expr.types as ir

from salesmetrics import fx
from salesmetrics.errors import UserError
from salesmetrics.recurring.months import (
    INT,
    WIDE,
    cents_to_money,
    days_in_month,
    floor_div,
    month_index,
    round_to_cents,
)

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

Source = Literal["subscriptions", "invoice_lines"]
SOURCES: tuple[Source, ...] = ("subscriptions", "invoice_lines")

#: 30.4375 days = 487/16: the average month of the spec's "remainder in days ÷ 30.4375".
_MONTH_NUMERATOR = 487
_DAY_WEIGHT = 16


def recurring_source(ws: Connection) -> Source | None:
    """The table recurring revenue is read from, or None when the workspace has neither.

    ``recurring_source = "auto"`` picks the table that has rows; both having rows is a
    UserError asking the user to choose in ``salesmetrics.toml``.
    """
    chosen = ws.config.recurring_source
    if chosen != "auto":
        return chosen
    counts = {name: ws.count(name) for name in SOURCES}
    present = [name for name in SOURCES if counts[name] > 0]
    if len(present) == 2:
        raise UserError(
            f"recurring revenue: both subscriptions ({counts['subscriptions']} rows) and"
            f" invoice_lines ({counts['invoice_lines']} rows) hold data; choose one with"
            ' recurring_source = "subscriptions" or "invoice_lines" in salesmetrics.toml'
        )
    return present[0] if present else None


def require_source(ws: Connection) -> Source:
    """:func:`recurring_source`, or a UserError when there is no recurring-revenue data."""
    source = recurring_source(ws)
    if source is None:
        raise UserError(
            "no recurring-revenue data: import subscriptions or invoice_lines"
            " (salesmetrics import subscriptions FILE)"
        )
    return source


def subscription_items(subscriptions: ir.Table) -> ir.Table:
    """MRR items of a ``subscriptions`` table, in local currency (trials left out)."""
    s = subscriptions.filter(~subscriptions.is_trial.fill_null(False))
    return s.select(
        item_id=s.subscription_id,
        account_id=s.account_id,
        plan=s.plan,
        currency=s.currency,
        start=s.start_date,
        first_month=month_index(s.start_date),
        end_month=month_index(s.end_date),
        mrr_local=round_to_cents(s.mrr.cast(WIDE)),
    )


def _with_service_months(t: ir.Table, first: str, after: str) -> ir.Table:
    """``t`` with ``_whole`` months and ``_days`` from column ``first`` to ``after`` (exclusive).

    Whole months: the largest m with ``first + m months <= after`` (day clamped to the month's
    length); days: what remains. Pure integer arithmetic on year, month and day, in stages of
    named columns (nesting the expressions would multiply the SQL's size).
    """
    t = t.mutate(
        _k_after=month_index(t[after]),
        _span=month_index(t[after]) - month_index(t[first]),
        _day_first=t[first].day().cast(INT),
        _day_after=t[after].day().cast(INT),
    )
    t = t.mutate(_dim_after=days_in_month(t._k_after), _dim_before=days_in_month(t._k_after - 1))
    # first + span months lands in after's month on day min(day_first, its length)
    t = t.mutate(_reaches=(t._day_first <= t._day_after) | (t._day_after == t._dim_after))
    t = t.mutate(
        _whole=ibis.ifelse(t._reaches, t._span, t._span - 1),
        _days=ibis.ifelse(
            t._reaches,
            t._day_after - ibis.least(t._day_first, t._dim_after),
            t._dim_before - ibis.least(t._day_first, t._dim_before) + t._day_after,
        ),
    )
    return t.drop(
        "_k_after", "_span", "_day_first", "_day_after", "_dim_after", "_dim_before", "_reaches"
    )


def with_line_mrr_cents(t: ir.Table, amount: str, first: str, after: str) -> ir.Table:
    """``t`` with ``_cents``: the MRR in whole cents of a line of ``amount`` over [first, after).

    ``round(amount · 487 / (487·months + 16·days))`` to cents, half away from zero, computed on
    integers: ``amount`` in 1/10000 units (its DECIMAL(18,4) scale) times 487, divided by the
    denominator times 100.
    """
    t = _with_service_months(t, first, after)
    denominator = t._whole * _MONTH_NUMERATOR + t._days * _DAY_WEIGHT
    t = t.mutate(
        # a denominator <= 0 (service_end before service_start) covers no month-end anyway
        _divisor=ibis.ifelse(denominator > 0, denominator, 1) * 100,
        _numerator=(t[amount].cast(WIDE).abs() * 10000).cast(INT) * _MONTH_NUMERATOR,
    )
    quotient, remainder = floor_div(t._numerator, t._divisor)
    t = t.mutate(_quotient=quotient, _remainder=remainder)
    cents = t._quotient + ibis.ifelse(t._remainder * 2 >= t._divisor, 1, 0)
    t = t.mutate(_cents=ibis.ifelse(t[amount] < 0, -cents, cents))
    return t.drop("_whole", "_days", "_divisor", "_numerator", "_quotient", "_remainder")


def line_items(invoice_lines: ir.Table) -> ir.Table:
    """MRR items of an ``invoice_lines`` table, in local currency (one-off lines left out)."""
    t = invoice_lines.filter(invoice_lines.is_recurring.fill_null(True))
    t = t.mutate(
        _dated=t.service_start.notnull() & t.service_end.notnull(),
        _start=ibis.coalesce(t.service_start, t.invoice_date),
        _after=t.service_end + ibis.interval(days=1),
    )
    t = with_line_mrr_cents(t, "amount", "_start", "_after")
    undated_cents = (t.amount.cast(WIDE).round(2) * 100).cast(INT)
    t = t.mutate(_first_month=month_index(t._start))
    return t.select(
        item_id=t.line_id,
        account_id=t.account_id,
        plan=t.plan,
        currency=t.currency,
        start=t._start,
        first_month=t._first_month,
        end_month=ibis.ifelse(t._dated, month_index(t._after), t._first_month + 1),
        mrr_local=cents_to_money(ibis.ifelse(t._dated, t._cents, undated_cents)),
    )


def local_items(ws: Connection, source: Source) -> ir.Table:
    """The MRR items of ``source`` in their own currency (see the module docstring)."""
    if source == "subscriptions":
        items = subscription_items(ws.table("subscriptions"))
    else:
        items = line_items(ws.table("invoice_lines"))
    # an item that covers no month-end (ends in the month it starts) carries no MRR
    return items.filter(items.end_month.isnull() | (items.end_month > items.first_month))


def to_base(ws: Connection, items: ir.Table) -> ir.Table:
    """``items`` with ``mrr`` in the base currency at the rate of each item's start date.

    Adds the missing-rate flags of :func:`salesmetrics.fx.to_base`; check them with
    :func:`salesmetrics.fx.raise_missing` before trusting ``mrr``.
    """
    # widened, so that the product with the rate cannot overflow whatever the rate's type
    converted = fx.to_base(
        items.mutate(_wide=items.mrr_local.cast(WIDE)),
        ws.table("fx_rates"),
        amount="_wide",
        currency="currency",
        day=items.start,
        base_currency=ws.config.base_currency,
        out="_mrr_base",
    )
    return converted.mutate(mrr=round_to_cents(converted._mrr_base)).drop("_wide", "_mrr_base")


#: What :func:`salesmetrics.fx.raise_missing` names for each source.
AMOUNT_NAMES: dict[Source, str] = {
    "subscriptions": "subscriptions.mrr",
    "invoice_lines": "invoice_lines.amount",
}
