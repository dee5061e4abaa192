"""MRR movements per series and month: new, reactivation, expansion, contraction, churn.

For a series c and month m against m − 1 (metrics.md, "Recurring revenue"):

* **new** = MRRₘ when MRRₘ₋₁ = 0 and c had no MRR in any earlier month;
* **reactivation** = MRRₘ when MRRₘ₋₁ = 0 and c had MRR before;
* **expansion** = MRRₘ − MRRₘ₋₁ when both > 0 and it grew; **contraction** = MRRₘ₋₁ − MRRₘ when
  both > 0 and it shrank;
* **churn** = MRRₘ₋₁ when MRRₘ = 0.

Each row satisfies ``mrr − prev_mrr = new + reactivation + expansion − contraction − churn``
exactly, so the sums over a period telescope to ``MRR(end) − MRR(start)``.

Months without MRR have no row in the MRR table, so "the previous month" is a full outer join of
the MRR rows with themselves shifted by one month: it yields every month where the series has MRR
or had it the month before (the churn month), and nothing for the months in between.

With materialised data (:mod:`salesmetrics.recurring.mrr`) the movements over the months of the
data are a table of :mod:`salesmetrics.derived` (``recurring_movements_<source>_<keys>``),
cut at the spine's last month (or extended past the data's: the running series keep their MRR,
with no movement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics.recurring.months import MONEY, month_start, zero
from salesmetrics.recurring.mrr import (
    CUSTOMER,
    RecurringData,
    as_data,
    check_keys,
    series_month_mrr,
    through_last_month,
    whole_series_month_mrr,
)

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: The movement columns, in waterfall order.
MOVEMENTS: tuple[str, ...] = ("new", "reactivation", "expansion", "contraction", "churn")


def _same(
    left: ir.Table, right: ir.Table, keys: Sequence[str], prefix: str
) -> list[ir.BooleanValue]:
    # null-safe: a plan may be empty, and its rows must still meet
    return [left[k].identical_to(right[prefix + k]) for k in keys]


def series_movements(data: RecurringData, keys: Sequence[str] = CUSTOMER) -> ir.Table:
    """Movements per series and month index.

    Columns: ``(*keys, month_index, mrr, prev_mrr, new, reactivation, expansion, contraction,
    churn)``, one row per month in which the series has MRR or had it the month before (within
    the spine).
    """
    keys = check_keys(keys)
    if not data.whole:
        return _movements_of(series_month_mrr(data, keys), _last(data), keys)

    def build() -> ir.Table:
        current = whole_series_month_mrr(data, keys)
        return _movements_of(current, _last(data, whole=True), keys)

    whole = data.derived("recurring_movements_" + "_".join(keys), build)
    # past the data's last month the running series keep their MRR: no movement
    return through_last_month(whole, data, {"prev_mrr": "mrr"}, MOVEMENTS)


def _movements_of(current: ir.Table, last: int, keys: tuple[str, ...]) -> ir.Table:
    """The movements of the MRR rows ``current`` (the series' months through ``last``)."""
    shifted = current.filter(current.month_index < ibis.literal(last))
    previous = shifted.select(
        **{"p_" + k: shifted[k] for k in keys},
        p_month_index=shifted.month_index + 1,
        prev_mrr=shifted.mrr,
    )
    pairs = current.outer_join(
        previous,
        [*_same(current, previous, keys, "p_"), current.month_index == previous.p_month_index],
    )
    # view(): a new relation, else Ibis would extend the outer join's chain with the next join
    pairs = pairs.select(
        **{k: ibis.coalesce(pairs[k], pairs["p_" + k]) for k in keys},
        month_index=ibis.coalesce(pairs.month_index, pairs.p_month_index),
        mrr=pairs.mrr.fill_null(zero()),
        prev_mrr=pairs.prev_mrr.fill_null(zero()),
    ).view()
    first = current.group_by(list(keys)).aggregate(f_first_month=current.month_index.min())
    first = first.rename({"f_" + k: k for k in keys})
    rows = pairs.join(first, _same(pairs, first, keys, "f_")).drop(*("f_" + k for k in keys))

    mrr, prev = rows.mrr, rows.prev_mrr
    starts = (prev == 0) & (mrr > 0)
    both = (prev > 0) & (mrr > 0)
    return rows.select(
        *keys,
        "month_index",
        "mrr",
        "prev_mrr",
        new=ibis.ifelse(starts & (rows.month_index == rows.f_first_month), mrr, zero()),
        reactivation=ibis.ifelse(starts & (rows.month_index > rows.f_first_month), mrr, zero()),
        expansion=ibis.ifelse(both & (mrr > prev), (mrr - prev).cast(MONEY), zero()),
        contraction=ibis.ifelse(both & (mrr < prev), (prev - mrr).cast(MONEY), zero()),
        churn=ibis.ifelse((mrr == 0) & (prev > 0), prev, zero()),
    )


def _last(data: RecurringData, *, whole: bool = False) -> int:
    last = data.data_last_month if whole else data.last_month
    return last if last is not None else -1


def movements(
    src: Connection | RecurringData,
    *,
    keys: Sequence[str] = CUSTOMER,
    through: dt.date | None = None,
) -> ir.Table:
    """MRR movements per customer (or ``keys`` series) and month.

    Columns: ``(*keys, month, mrr, prev_mrr, new, reactivation, expansion, contraction, churn)``;
    ``month`` is the month's first day, money is DECIMAL(18,2) in the base currency. See the
    module docstring for the rules and which months have rows.
    """
    rows = series_movements(as_data(src, through), keys)
    return rows.mutate(month=month_start(rows.month_index)).select(
        *check_keys(keys), "month", "mrr", "prev_mrr", *MOVEMENTS
    )
