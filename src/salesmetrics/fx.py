"""Currency conversion to the base currency, as an as-of join in the backend.

An amount is converted at the latest rate of its currency on or before the amount's own date
(close date, cost date, quota start); data-model.md, ``fx_rates``. The conversion is one left
join per fact table inside the metric query (a range join on each rate's validity interval,
from its date to the currency's next rate), never a lookup per row. A foreign
amount without a rate is never converted at a silent 1.0: the converted table carries a flag and
an example (currency and date) that :func:`missing_aggregates` carries through the aggregation,
and :func:`raise_missing` turns into a one-line error naming the currency and the date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from salesmetrics.errors import UserError
from salesmetrics.portable import as_int

if TYPE_CHECKING:
    import pandas as pd

#: Type of a rate of 1 for amounts already in the base currency (as fx_rates.rate).
RATE_TYPE = "decimal(18, 10)"
AMOUNT_WIDE = "decimal(18, 4)"
RATE_WIDE = "decimal(19, 10)"
#: Type of a converted amount: the exact product of AMOUNT_WIDE and RATE_WIDE (Spark's product
#: type; DuckDB's is DECIMAL(37, 14), widened for free). Rounding it to fewer decimals here
#: would make DuckDB divide every row's 128-bit product.
CONVERTED_TYPE = "decimal(38, 14)"
#: Type of a converted amount rounded to cents.
CENTS_TYPE = "decimal(38, 2)"
#: Columns added by :func:`to_base` that aggregations carry through (see missing_aggregates).
MISSING_COUNT = "_fx_missing"
MISSING_EXAMPLE = "_fx_example"


def to_base(
    table: ir.Table,
    rates: ir.Table,
    *,
    amount: str,
    currency: str,
    day: ir.DateValue,
    base_currency: str,
    out: str,
    cents: bool = False,
) -> ir.Table:
    """``table`` with ``out`` = ``amount`` in the base currency, and the missing-rate flags.

    ``currency`` empty means the base currency. ``day`` is the date the amount is converted at
    (an expression over ``table``). Adds ``_fx_missing`` (1 where a foreign amount has no rate on
    or before its date, else 0) and ``_fx_example`` ("EUR on 2024-01-05" for those rows).
    With ``cents`` ``out`` is rounded to cents (half away from zero), as :data:`CENTS_TYPE`.
    """
    base = base_currency.upper()
    cur = table[currency].upper().strip().fill_null(base)
    cur = ibis.ifelse(cur == "", base, cur)
    left = table.mutate(_fx_cur=cur, _fx_day=day)
    right = rates.select(
        _fx_rate_cur=rates.currency.upper().strip(), _fx_rate_day=rates.date, _fx_rate=rates.rate
    )
    # An as-of join written portably (Spark has no ASOF JOIN, and Ibis cannot emulate one there):
    # each rate holds from its date until the currency's next rate, and the range join runs on
    # the distinct (currency, day) pairs only, so it costs days x rates, never facts x rates.
    # The last rate holds until a far-future day rather than null: an OR in the join condition
    # would keep DuckDB from hashing on the currency (a nested loop over days x rates).
    following = ibis.window(group_by=right._fx_rate_cur, order_by=right._fx_rate_day)
    until = right._fx_rate_day.lead().over(following).fill_null(ibis.date("9999-12-31"))
    right = right.mutate(_fx_rate_until=until)
    # only foreign amounts look a rate up: the base currency's rows (usually nearly all of them)
    # are left out of the distinct pairs, whose hash aggregation would otherwise read every row
    foreign = left.filter(left._fx_cur != base)
    keys = foreign.select("_fx_cur", "_fx_day").distinct()
    found = keys.left_join(
        right,
        [
            keys._fx_cur == right._fx_rate_cur,
            keys._fx_day >= right._fx_rate_day,
            keys._fx_day < right._fx_rate_until,
        ],
    ).select(_fx_key_cur=keys._fx_cur, _fx_key_day=keys._fx_day, _fx_rate=right._fx_rate)
    joined = left.left_join(
        found, [left._fx_cur == found._fx_key_cur, left._fx_day == found._fx_key_day]
    )
    is_base = joined._fx_cur == base
    one = ibis.literal(Decimal(1), type=RATE_TYPE)
    rate = ibis.ifelse(is_base, one, joined._fx_rate)
    missing = ~is_base & joined[amount].notnull() & joined._fx_rate.isnull()
    example = joined._fx_cur + " on " + joined._fx_day.cast("string")
    # Widen the rate to 19 digits: DuckDB multiplies two DECIMAL(18, s) values in 64 bits and
    # overflows, while 18 + 19 + 1 = 38 digits is the most Spark keeps without cutting decimals.
    # Cast the product to an explicit type: the backend's product has 4 + 10 = 14 decimals while
    # Ibis infers 10, so results read with Ibis's schema would fail to rescale; the same 14
    # decimals keep the cast a widening, never a division.
    converted = (joined[amount].cast(AMOUNT_WIDE) * rate.cast(RATE_WIDE)).cast(CONVERTED_TYPE)
    if cents:
        # amounts in the base currency are rounded in their own 64-bit type: rounding a 128-bit
        # product costs a division per row
        own = joined[amount].round(2).cast(CENTS_TYPE)
        converted = ibis.ifelse(is_base, own, converted.round(2).cast(CENTS_TYPE))
    return joined.mutate(
        **{
            out: converted,
            MISSING_COUNT: as_int(missing),
            MISSING_EXAMPLE: ibis.ifelse(missing, example, ibis.null("string")),
        }
    ).drop("_fx_cur", "_fx_day", "_fx_key_cur", "_fx_key_day", "_fx_rate")


def missing_aggregates(table: ir.Table) -> dict[str, ir.Value]:
    """Aggregations that carry the missing-rate flags of :func:`to_base` through a group-by."""
    return {
        MISSING_COUNT: table[MISSING_COUNT].sum(),
        MISSING_EXAMPLE: table[MISSING_EXAMPLE].min(),
    }


def raise_missing(frame: pd.DataFrame, what: str) -> None:
    """A UserError naming the currency and date when ``frame`` counts an amount without a rate.

    ``what`` says which amounts (e.g. "opportunities.amount").
    """
    if MISSING_COUNT not in frame.columns:
        return
    missing = frame[MISSING_COUNT].fillna(0)
    if not (missing > 0).any():
        return
    examples: Any = frame.loc[missing > 0, MISSING_EXAMPLE].dropna()
    example = str(examples.min()) if len(examples) else "a foreign currency"
    raise UserError(
        f"no exchange rate for {example} or earlier ({what}); add the rate to fx_rates"
        " (salesmetrics import fx_rates FILE)"
    )


def money_sum(amount: ir.NumericColumn, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """Σ ``amount``, summed exactly as decimals in the backend, then as a float (ratios use the
    unrounded sum; values shown as money are rounded to cents at the end)."""
    return amount.sum(where=where).cast("float64")
