"""Month arithmetic as portable Ibis expressions, and the exact money type.

Months are handled as integer *month indexes* (``year * 12 + month - 1``): "the month before" is
``k - 1`` and a run of months is an integer range, on every backend. A month becomes a date (its
first day) only in the outputs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import ibis.expr.datatypes as idt
import ibis.expr.types as ir

#: Money per row (an item, a customer-month, a movement): exact whole cents. Width 18 keeps it a
#: 64-bit integer in the backends (several times faster than 128-bit decimals) and holds up to
#: 10^16 units; sums over rows are DECIMAL(38, 2).
MONEY = idt.Decimal(18, 2)
#: Intermediate amounts before rounding (the canonical DECIMAL(18,4) widened, so that no
#: product overflows).
WIDE = idt.Decimal(38, 4)
_WHOLE_CENTS = idt.Decimal(18, 0)
_CENT_TYPE = idt.Decimal(18, 2)
#: Integers (month indexes, day numbers, cents).
INT = idt.int64
_CENT = Decimal("0.01")


def month_index_of(day: dt.date) -> int:
    """The month index of a Python date (``year * 12 + month - 1``)."""
    return day.year * 12 + day.month - 1


def date_of_index(k: int) -> dt.date:
    """The first day of month index ``k`` as a Python date."""
    return dt.date(k // 12, k % 12 + 1, 1)


def month_index(day: ir.DateValue) -> ir.IntegerValue:
    """The month index of a date column."""
    return day.year().cast(INT) * 12 + day.month().cast(INT) - 1


def month_start(k: ir.IntegerValue) -> ir.DateValue:
    """The first day of month index ``k`` (a date column)."""
    return ibis.date(k // 12, k % 12 + 1, 1)


def days_in_month(k: ir.IntegerValue) -> ir.IntegerValue:
    """Number of days of month index ``k``, by integer arithmetic (no date functions)."""
    year = k // 12
    month = k % 12 + 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return ibis.cases(
        (month == 2, ibis.ifelse(leap, 29, 28)),
        (month.isin([4, 6, 9, 11]), 30),
        else_=31,
    ).cast(INT)


def zero() -> ir.DecimalScalar:
    """``0.00`` as :data:`MONEY`."""
    return ibis.literal(Decimal("0.00"), type=MONEY)


def zero_like(value: ir.DecimalValue) -> ir.DecimalScalar:
    """``0`` of the same decimal type as ``value`` (sums are wider than :data:`MONEY`)."""
    return ibis.literal(Decimal(0), type=value.type())


def cents_to_money(cents: ir.IntegerValue) -> ir.DecimalValue:
    """An exact integer number of cents as :data:`MONEY` (no floating point on the way)."""
    # Whole cents times 0.01 has scale 2 already, so the cast to MONEY only checks the range;
    # from 38-digit operands it would be a division of a 128-bit product per row.
    whole = cents.cast(_WHOLE_CENTS)
    return (whole * ibis.literal(_CENT, type=_CENT_TYPE)).cast(MONEY)


def in_units(cents: ir.DecimalValue) -> ir.DecimalValue:
    """An exact decimal number of cents (any scale) in currency units, same type."""
    return cents * ibis.literal(_CENT, type=cents.type())


def round_to_cents(amount: ir.DecimalValue) -> ir.DecimalValue:
    """``amount`` rounded to whole cents, half away from zero, as :data:`MONEY`.

    ``ROUND`` on a DECIMAL is exact and rounds half away from zero on DuckDB, PostgreSQL
    (``numeric``) and Spark (``HALF_UP``) alike.
    """
    return amount.round(2).cast(MONEY)


def floor_div(
    numerator: ir.IntegerValue, divisor: ir.IntegerValue
) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    """Exact ``(quotient, remainder)`` of non-negative integers.

    Ibis compiles ``//`` to ``FLOOR(a / b)`` in floating point, which can be off by one for large
    numerators; the remainder (``%``) is exact on integers, and ``(a - r) / b`` is then an exact
    integer that rounding recovers.
    """
    remainder = numerator % divisor
    quotient = ((numerator - remainder) / divisor).round().cast(INT)
    return quotient, remainder
