"""The MRR waterfall per period and group, in one query, and the check of its identity.

For a period P = [start, end) the months of P are those whose last day lies in P (for calendar
months, quarters and years: exactly its months). Per period and group:

* ``mrr_start``: MRR of the month before P; ``mrr_end``: MRR of the last month of P;
* ``new`` ... ``churn``: the sums of the monthly movements over the months of P;
* ``customers_start`` / ``customers_end``: series active (MRR > 0) in those two months — for the
  customer series, the recurring customer basis of metrics.md;
* ``mrr_end_of_start_customers``: Σ over the series active at start of their MRR at end (the
  numerator of net revenue retention), ``retained_mrr_capped``: the same of
  min(MRR at end, MRR at start) (gross revenue retention).

Because every figure is a sum of the same cent values, ``mrr_end = mrr_start + new +
reactivation + expansion − contraction − churn`` holds exactly; :func:`check_identity` verifies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from salesmetrics.recurring.attributes import ACCOUNT_ATTRIBUTES, with_account_attributes
from salesmetrics.recurring.months import month_index, month_index_of, zero, zero_like
from salesmetrics.recurring.movements import MOVEMENTS, movements
from salesmetrics.recurring.mrr import CUSTOMER, CUSTOMER_PLAN, RecurringData, check_keys, load

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: Money columns of a waterfall.
MONEY_COLUMNS: tuple[str, ...] = (
    "mrr_start",
    *MOVEMENTS,
    "mrr_end",
    "mrr_end_of_start_customers",
    "retained_mrr_capped",
)
#: Count columns of a waterfall.
COUNT_COLUMNS: tuple[str, ...] = ("customers_start", "customers_end")


class IdentityError(AssertionError):
    """The MRR identity does not hold: a bug, never a user error."""


def waterfall(
    src: Connection | RecurringData,
    periods: ir.Table,
    *,
    by: Sequence[str] = (),
) -> ir.Table:
    """The MRR waterfall for every period of ``periods`` and group of ``by``.

    ``periods`` has ``start`` and ``end`` (dates, ``end`` exclusive) and any other columns (such
    as ``period``), which are kept: e.g. :func:`salesmetrics.metrics.context.spine_table`; a
    trailing 12-month figure is a period of the 12 months ending at e. ``by`` takes ``plan``
    (movements per customer and plan, see :mod:`salesmetrics.recurring.mrr`) and the account
    attributes (:data:`~salesmetrics.recurring.attributes.ACCOUNT_ATTRIBUTES`). Given a
    workspace, the months are computed through the last month of the periods; given loaded data,
    the periods must not end after its last month. Runs one tiny query (the last period end).
    """
    by = tuple(by)
    unknown = [b for b in by if b != "plan" and b not in ACCOUNT_ATTRIBUTES]
    if unknown:
        raise ValueError(f"unknown recurring-revenue groups {unknown}")
    ws = src.ws if isinstance(src, RecurringData) else src
    last_end = ws.backend.execute(periods.end.max())
    if last_end is None or pd.isna(last_end):
        through = None
    else:
        through = pd.Timestamp(last_end).date() - dt.timedelta(days=1)
    if isinstance(src, RecurringData):
        data = src
        last = data.last_month
        if through is not None and last is not None and month_index_of(through) > last:
            raise ValueError(
                f"the periods run to {through}, after the loaded months; load(ws, through=...)"
            )
    else:
        data = load(src, through=through)
    keys = CUSTOMER_PLAN if "plan" in by else CUSTOMER
    rows = movements(data, keys=keys)
    attrs = [b for b in by if b in ACCOUNT_ATTRIBUTES]
    if attrs:
        rows = with_account_attributes(rows, data, attrs)
    return waterfall_of(rows, periods, keys=keys, by=by)


def waterfall_of(
    movements: ir.Table,
    periods: ir.Table,
    *,
    keys: Sequence[str] = CUSTOMER,
    by: Sequence[str] = (),
) -> ir.Table:
    """The waterfall of a ``movements`` table (:func:`waterfall` does the set-up).

    ``movements`` is :func:`salesmetrics.recurring.movements.movements` with ``keys`` and the
    ``by`` columns; its months must reach the last month of ``periods``. Without ``by`` every
    period has a row; with ``by``, only the groups with MRR in or just before the period do.
    """
    keys = check_keys(keys)
    group = list(dict.fromkeys(by))
    missing = [c for c in (*keys, *group) if c not in movements.columns]
    if missing:
        raise ValueError(f"movements has no columns {missing}")
    # Everything is keyed by the period's month range [_ks, _ke) and joined back to the periods
    # at the end; all joins on the large side are equi-joins.
    # No view() here: every use below then reads the same relation, which Ibis compiles to one
    # CTE (a view per use would inline, and so recompute, the movements each time).
    m = movements.mutate(_k=month_index(movements.month))
    p = periods.mutate(_ks=month_index(periods.start), _ke=month_index(periods.end)).view()
    ranges = p.select("_ks", "_ke").distinct().view()

    months = m.select(_mk=m._k).distinct()
    range_months = ranges.join(months, [months._mk >= ranges._ks, months._mk < ranges._ke])
    range_months = range_months.select("_ks", "_ke", "_mk").view()
    inside = m.join(range_months, m._k == range_months._mk)
    flows = inside.group_by(["_ks", "_ke", *group]).aggregate(
        **{name: inside[name].sum() for name in MOVEMENTS}
    )

    series = list(dict.fromkeys([*keys, *group]))
    starts = m.join(ranges, m._k == ranges._ks - 1)
    starts = starts.select("_ks", "_ke", *series, _s=starts.mrr).view()
    ends = m.join(ranges, m._k == ranges._ke - 1)
    ends = ends.select(
        e_ks=ends._ks, e_ke=ends._ke, **{"e_" + c: ends[c] for c in series}, _e=ends.mrr
    ).view()
    paired = starts.outer_join(
        ends,
        [
            starts._ks == ends.e_ks,
            starts._ke == ends.e_ke,
            *(starts[c].identical_to(ends["e_" + c]) for c in keys),
        ],
    )
    paired = paired.select(
        _ks=ibis.coalesce(paired._ks, paired.e_ks),
        _ke=ibis.coalesce(paired._ke, paired.e_ke),
        **{c: ibis.coalesce(paired[c], paired["e_" + c]) for c in group},
        _s=paired._s.fill_null(zero()),
        _e=paired._e.fill_null(zero()),
    ).view()
    at_start = paired._s > 0
    stocks = paired.group_by(["_ks", "_ke", *group]).aggregate(
        mrr_start=paired._s.sum(),
        mrr_end=paired._e.sum(),
        customers_start=paired.count(where=at_start),
        customers_end=paired.count(where=paired._e > 0),
        mrr_end_of_start_customers=paired._e.sum(where=at_start),
        retained_mrr_capped=ibis.least(paired._s, paired._e).sum(where=at_start),
    )
    stocks = stocks.rename(**{"s_" + c: c for c in ["_ks", "_ke", *group]}).view()

    flows = flows.view()
    both = flows.outer_join(
        stocks,
        [
            flows._ks == stocks.s__ks,
            flows._ke == stocks.s__ke,
            *(flows[c].identical_to(stocks["s_" + c]) for c in group),
        ],
    )
    both = both.select(
        c_ks=ibis.coalesce(both._ks, both.s__ks),
        c_ke=ibis.coalesce(both._ke, both.s__ke),
        **{c: ibis.coalesce(both[c], both["s_" + c]) for c in group},
        **{c: both[c] for c in (*MONEY_COLUMNS, *COUNT_COLUMNS)},
    ).view()
    join = p.left_join if not group else p.join
    result = join(both, [p._ks == both.c_ks, p._ke == both.c_ke])
    result = result.select(
        *(p[c] for c in periods.columns),
        *(both[c] for c in group),
        *(both[c] for c in (*MONEY_COLUMNS, *COUNT_COLUMNS)),
    )
    return result.mutate(
        **{c: result[c].fill_null(zero_like(result[c])) for c in MONEY_COLUMNS},
        **{c: result[c].fill_null(0) for c in COUNT_COLUMNS},
    )


def _frame(result: ir.Table | pd.DataFrame) -> pd.DataFrame:
    return result if isinstance(result, pd.DataFrame) else result.to_pandas()


def identity_violations(result: ir.Table | pd.DataFrame) -> pd.DataFrame:
    """The rows of a waterfall where the identity does not hold to the cent (none, normally).

    Computed in Python with :class:`decimal.Decimal`, independently of the backend's arithmetic.
    """
    frame = _frame(result)

    def dec(value: Any) -> Decimal:
        return Decimal(str(value)) if value is not None and not pd.isna(value) else Decimal(0)

    def bad(row: pd.Series[Any]) -> bool:
        start, end = dec(row["mrr_start"]), dec(row["mrr_end"])
        gained = dec(row["new"]) + dec(row["reactivation"]) + dec(row["expansion"])
        lost = dec(row["contraction"]) + dec(row["churn"])
        return end != start + gained - lost

    if frame.empty:
        return frame
    return frame[frame.apply(bad, axis=1)]


def check_identity(result: ir.Table | pd.DataFrame) -> int:
    """Verify ``mrr_end = mrr_start + new + reactivation + expansion − contraction − churn``.

    Returns the number of rows checked; raises :class:`IdentityError` naming up to five
    violating rows.
    """
    frame = _frame(result)
    bad = identity_violations(frame)
    if len(bad):
        raise IdentityError(
            f"MRR identity broken in {len(bad)} of {len(frame)} rows:\n{bad.head(5).to_string()}"
        )
    return len(frame)
