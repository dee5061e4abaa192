"""Monthly MRR: the month spine, item-months, and MRR per customer (or customer × plan) and month.

``MRR of month m`` is the sum of the MRR of the items active on the last day of m. Each item is
expanded to the months it covers by one range join against the month spine (the months from the
first to the last month of the data), then summed per series and month — all in the backend.

A *series* is what movements are tracked for: a customer (``keys=("account_id",)``) or, for the
plan breakdown, a customer on one plan (``keys=("account_id", "plan")``: a metric over a group
uses only the rows of that group, so a move from plan A to plan B is churn in A and new or
reactivation in B there, and expansion or contraction for the customer). A series' MRR in a
month is floored at 0: rows exist only for months where it is > 0 ("active").

**Materialised in the engine.** Data loaded with ``load(..., materialised=True)`` (the engine's
:attr:`salesmetrics.metrics.context.Context.recurring`) read whole-history tables of
:mod:`salesmetrics.derived`, built once per data version: the MRR items in the base currency
with their FX flags (``recurring_items_<source>``), the MRR per customer, plan and month before
the floor (``recurring_plan_months_<source>``) and the MRR per series and month
(``recurring_series_months_<source>_<keys>``), all over the months of the data (first month to
the last end). A request's months are these rows through its last month; after the data's last
month only running items remain, so each month repeats the last one. Loaded without it (the
default, for direct library calls, which no evaluation refreshes), every table is an expression
over the stored data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from salesmetrics import fx, incremental
from salesmetrics.recurring.months import (
    MONEY,
    date_of_index,
    month_index_of,
    month_start,
    zero_like,
)
from salesmetrics.recurring.source import (
    AMOUNT_NAMES,
    Source,
    local_items,
    require_source,
    to_base,
)

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: The series of the customer-level figures.
CUSTOMER: tuple[str, ...] = ("account_id",)
#: The series of the plan breakdown.
CUSTOMER_PLAN: tuple[str, ...] = ("account_id", "plan")
_ITEM_KEYS = ("account_id", "plan", "currency", "item_id")
#: A month index after any month of the data (January 10000): "still running".
_AFTER_ANY_MONTH = 10000 * 12


@dataclass(frozen=True)
class RecurringData:
    """The MRR items of a workspace (in the base currency, FX checked) and their month range.

    Build it once with :func:`load` and pass it to the functions of this package to avoid
    re-checking the source and the exchange rates.
    """

    ws: Connection
    source: Source
    items: ir.Table
    first_month: int | None
    last_month: int | None
    #: The month in which the last item ends (or the last start): the spine's end without
    #: ``through``; None without data.
    data_last_month: int | None = None
    #: Read the whole-history tables materialised in ``ws.derived`` (see the module docstring).
    materialised: bool = False

    @property
    def months(self) -> list[int]:
        """The month indexes of the spine, oldest first (empty without data)."""
        if self.first_month is None or self.last_month is None:
            return []
        return list(range(self.first_month, self.last_month + 1))

    @cached_property
    def spine(self) -> ir.Table:
        """One row per month of the data: ``month_index`` (int64)."""
        # Built once: each memtable is a new relation, so a query reading MRR twice from the same
        # data would otherwise compute it twice instead of sharing one CTE.
        return ibis.memtable(pa.table({"month_index": pa.array(self.months, pa.int64())}))

    @cached_property
    def data_spine(self) -> ir.Table:
        """One row per month from the first month to :attr:`data_last_month` (the spine of the
        whole-history tables): ``month_index`` (int64)."""
        months = _month_range(self.first_month, self.data_last_month)
        return ibis.memtable(pa.table({"month_index": pa.array(months, pa.int64())}))

    @cached_property
    def months_after_data(self) -> ir.Table:
        """The months of the spine after :attr:`data_last_month`: ``e_month_index`` (int64)."""
        lo = None if self.data_last_month is None else self.data_last_month + 1
        months = _month_range(lo, self.last_month)
        return ibis.memtable(pa.table({"e_month_index": pa.array(months, pa.int64())}))

    @property
    def whole(self) -> bool:
        """Whether the whole-history tables serve this data: materialised and not empty."""
        return self.materialised and self.last_month is not None

    def derived(
        self, name: str, build: Callable[[], ir.Table], grows: incremental.Growth | None = None
    ) -> ir.Table:
        """The whole-history table ``name`` of this source, materialised once (``ws.derived``;
        ``grows`` as :meth:`~salesmetrics.derived.Derived.get` takes it)."""
        return self.ws.derived.get(f"{name}_{self.source}", build, grows=grows)

    @property
    def first_day(self) -> dt.date | None:
        """The first day of the spine's first month."""
        return None if self.first_month is None else date_of_index(self.first_month)

    @property
    def last_day(self) -> dt.date | None:
        """The last day of the spine's last month."""
        if self.last_month is None:
            return None
        return date_of_index(self.last_month + 1) - dt.timedelta(days=1)


def _month_range(lo: int | None, hi: int | None) -> list[int]:
    return [] if lo is None or hi is None else list(range(lo, hi + 1))


def base_items(ws: Connection, source: Source, *, materialised: bool = False) -> ir.Table:
    """The MRR items of ``source`` in the base currency, with the FX flags (:func:`to_base`);
    materialised once per data version with ``materialised``."""
    if not materialised:
        return to_base(ws, local_items(ws, source))
    return ws.derived.get(f"recurring_items_{source}", lambda: to_base(ws, local_items(ws, source)))


def load(
    ws: Connection,
    *,
    through: dt.date | None = None,
    source: Source | None = None,
    materialised: bool = False,
) -> RecurringData:
    """The recurring-revenue items of ``ws``, converted to the base currency.

    The spine runs from the first month an item covers to the month in which the last item
    ends (so a last churn is visible), or to the month of ``through`` when given. Raises a
    UserError when there is no recurring data, when both inputs hold data and the configuration
    does not choose, and when a foreign amount has no exchange rate on or before its start date.
    Runs one small aggregate query (the FX check and the month range; with ``materialised``
    once per data version); the items stay an expression over the tables, or with
    ``materialised`` read the tables of ``ws.derived`` (the engine's, which refreshes them for
    each evaluation: see the module docstring).
    """
    source = source or require_source(ws)
    items = base_items(ws, source, materialised=materialised)
    if materialised:  # of the data version: once, and from every item
        whole = partial(_month_range_of, ws, source)
        stats = ws.derived.value(f"recurring_range_{source}", whole)
    else:
        stats = _range_of(items)
    fx.raise_missing(stats, AMOUNT_NAMES[source])
    lo, hi = stats["lo"].iloc[0], stats["hi"].iloc[0]
    data_last = None if pd.isna(lo) or pd.isna(hi) else int(hi)
    if through is not None:
        hi = month_index_of(through)
    items = items.drop(fx.MISSING_COUNT, fx.MISSING_EXAMPLE)
    if pd.isna(lo) or pd.isna(hi) or int(hi) < int(lo):
        return RecurringData(ws, source, items, None, None, data_last, materialised)
    return RecurringData(ws, source, items, int(lo), int(hi), data_last, materialised)


def _range_of(items: ir.Table) -> pd.DataFrame:
    """The first month and the last month (end or start) of ``items``, with the FX flags."""
    stats: pd.DataFrame = items.aggregate(
        lo=items.first_month.min(),
        hi=ibis.coalesce(items.end_month, items.first_month).max(),
        **fx.missing_aggregates(items),
    ).to_pandas()
    return stats


def _month_range_of(ws: Connection, source: Source) -> pd.DataFrame:
    """:func:`_range_of` the materialised items of ``source``."""
    return _range_of(base_items(ws, source, materialised=True))


def as_data(src: Connection | RecurringData, through: dt.date | None = None) -> RecurringData:
    """``src`` itself, or :func:`load` of a workspace."""
    if isinstance(src, RecurringData):
        if through is not None and src.last_month != month_index_of(through):
            raise ValueError("through= must be given to load(), not with loaded RecurringData")
        return src
    return load(src, through=through)


def check_keys(keys: Sequence[str]) -> tuple[str, ...]:
    """``keys`` as a tuple, checked: account_id first, then item columns."""
    keys = tuple(keys)
    if not keys or keys[0] != "account_id" or any(k not in _ITEM_KEYS for k in keys):
        raise ValueError(f"series keys must start with account_id and name item columns: {keys}")
    return keys


def item_months(data: RecurringData) -> ir.Table:
    """Every (item, month) the item covers on the month's last day: a range join on the spine."""
    return _item_months(data.items, data.spine)


def _item_months(items: ir.Table, spine: ir.Table) -> ir.Table:
    # A running item ends after the spine rather than on null: an OR in the join condition would
    # make DuckDB compare every item with every month (a nested loop) instead of a range join.
    until = items.end_month.fill_null(ibis.literal(_AFTER_ANY_MONTH, type="int64"))
    covered = items.join(
        spine,
        [spine.month_index >= items.first_month, spine.month_index < until],
    )
    return covered.select(*_ITEM_KEYS, "month_index", "mrr")


def _summed(months: ir.Table, keys: Sequence[str]) -> ir.Table:
    """MRR per ``keys`` and month of item-months (or finer sums), where it is > 0."""
    summed = months.group_by([*keys, "month_index"]).aggregate(mrr=months.mrr.sum().cast(MONEY))
    return summed.filter(summed.mrr > 0)


def plan_months(data: RecurringData) -> ir.Table:
    """MRR per customer, plan and month before the floor at 0, over the months of the data:
    ``(account_id, plan, month_index, mrr)``, materialised (``data.whole`` must hold)."""

    def build() -> ir.Table:
        months = _item_months(data.items, data.data_spine)
        keys = ["account_id", "plan", "month_index"]
        return months.group_by(keys).aggregate(mrr=months.mrr.sum().cast(MONEY))

    return data.derived("recurring_plan_months", build)


def whole_series_month_mrr(data: RecurringData, keys: Sequence[str] = CUSTOMER) -> ir.Table:
    """:func:`series_month_mrr` over the months of the data (to :attr:`data_last_month`, not
    the spine's last month), materialised (``data.whole`` must hold)."""
    keys = check_keys(keys)

    def build() -> ir.Table:
        if set(keys) <= {"account_id", "plan"}:
            return _summed(plan_months(data), keys)
        return _summed(_item_months(data.items, data.data_spine), keys)

    return data.derived("recurring_series_months_" + "_".join(keys), build)


def through_last_month(
    whole: ir.Table,
    data: RecurringData,
    same: Mapping[str, str] | None = None,
    zeros: Sequence[str] = (),
) -> ir.Table:
    """Rows ``(*keys, month_index, ...)`` of a whole-history table, as far as ``data``'s spine.

    Before :attr:`~RecurringData.data_last_month` the rows of the spine's months; after it only
    running items remain, so the series active in the data's last month repeat its row in every
    later month, with each column of ``same`` taking the value of the column it names (e.g.
    ``prev_mrr`` = ``mrr``), the ``zeros`` columns 0 and the others as they are.
    """
    last, data_last = data.last_month, data.data_last_month
    if last is None or data_last is None:
        raise ValueError("through_last_month needs data with months")
    if last < data_last:
        return whole.filter(whole.month_index <= last)
    if last == data_last:
        return whole
    tail = whole.filter((whole.month_index == data_last) & (whole.mrr > 0))
    after = data.months_after_data
    repeated = tail.cross_join(after)
    values = {c: repeated[(same or {}).get(c, c)] for c in whole.columns}
    values["month_index"] = repeated.e_month_index
    values |= {c: zero_like(whole[c]) for c in zeros}
    repeated = repeated.select(**{c: values[c] for c in whole.columns})
    return whole.union(repeated.cast(whole.schema()))


def series_month_mrr(data: RecurringData, keys: Sequence[str] = CUSTOMER) -> ir.Table:
    """MRR per series and month where it is > 0: ``(*keys, month_index, mrr)``."""
    keys = check_keys(keys)
    if not data.whole:
        return _summed(item_months(data), keys)
    return through_last_month(whole_series_month_mrr(data, keys), data)


def customer_month_mrr(
    src: Connection | RecurringData, *, through: dt.date | None = None
) -> ir.Table:
    """MRR per customer and month: ``(account_id, month, mrr)``, only months with MRR > 0.

    ``month`` is the month's first day; ``mrr`` is DECIMAL(18,2) in the base currency.
    """
    series = series_month_mrr(as_data(src, through))
    return series.select("account_id", month=month_start(series.month_index), mrr=series.mrr)
