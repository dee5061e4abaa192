"""Cohorts: customers grouped by acquisition month, and what remains of them month by month.

A customer's cohort is its first month with MRR > 0. For each cohort and age a (months since
the cohort month, 0 = the cohort month) up to the last month of the data:

* ``customers``: customers in the cohort; ``retained``: those active (MRR > 0) at age a, returning
  customers included; ``logo_retention`` = retained / customers;
* ``cohort_mrr``: the cohort's MRR at age 0; ``mrr``: its MRR at age a; ``mrr_retention`` = mrr /
  cohort_mrr (above 1 when expansion outweighs churn).

The result is a triangle a report or a chart draws as is (one row per cohort and age).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from salesmetrics.recurring.attributes import with_account_attributes
from salesmetrics.recurring.months import month_start, zero_like
from salesmetrics.recurring.mrr import RecurringData, as_data, series_month_mrr

if TYPE_CHECKING:
    import pandas as pd

    from salesmetrics.connection import Connection


def cohorts(
    src: Connection | RecurringData,
    *,
    by: Sequence[str] = (),
    through: dt.date | None = None,
) -> ir.Table:
    """The cohort triangle: ``(*by, cohort, age, customers, retained, logo_retention,
    cohort_mrr, mrr, mrr_retention)``.

    ``cohort`` is the first day of the acquisition month; ``by`` takes account attributes
    (segment, first_plan, ...), which split each cohort.
    """
    data = as_data(src, through)
    by = tuple(by)
    active = series_month_mrr(data)
    first = active.group_by("account_id").aggregate(cohort_k=active.month_index.min())
    if by:
        first = with_account_attributes(first, data, by)
    first = first.rename(c_account_id="account_id")

    sized = first.join(
        active, [first.c_account_id == active.account_id, first.cohort_k == active.month_index]
    )
    sizes = sized.group_by([*by, "cohort_k"]).aggregate(
        customers=sized.count(), cohort_mrr=sized.mrr.sum()
    )

    aged = active.join(first, active.account_id == first.c_account_id)
    aged = aged.mutate(age_k=aged.month_index - aged.cohort_k)
    stats = aged.group_by([*by, "cohort_k", "age_k"]).aggregate(
        retained=aged.count(), mrr=aged.mrr.sum()
    )

    spine = data.spine
    grid = sizes.join(spine, spine.month_index >= sizes.cohort_k)
    grid = grid.mutate(age_k=grid.month_index - grid.cohort_k).drop("month_index").view()
    stats = stats.rename(**{"s_" + c: c for c in (*by, "cohort_k", "age_k")})
    full = grid.left_join(
        stats,
        [
            *(grid[c].identical_to(stats["s_" + c]) for c in by),
            grid.cohort_k == stats.s_cohort_k,
            grid.age_k == stats.s_age_k,
        ],
    )
    retained = full.retained.fill_null(0)
    mrr = full.mrr.fill_null(zero_like(full.mrr))
    return full.select(
        *(full[c] for c in by),
        cohort=month_start(full.cohort_k),
        age=full.age_k,
        customers=full.customers,
        retained=retained,
        logo_retention=retained / full.customers,
        cohort_mrr=full.cohort_mrr,
        mrr=mrr,
        mrr_retention=mrr / full.cohort_mrr,
    )


#: The triangle's columns besides the group dimensions.
COLUMNS = (
    "cohort",
    "age",
    "customers",
    "retained",
    "logo_retention",
    "cohort_mrr",
    "mrr",
    "mrr_retention",
)


def quarterly(
    triangle: pd.DataFrame, by: Sequence[str] = (), *, fiscal_start_month: int = 1
) -> pd.DataFrame:
    """The monthly ``triangle`` (:func:`cohorts`, as a frame) as quarterly cohorts: customers
    acquired in a (fiscal) quarter, seen at the end of each quarter since.

    A quarterly cohort is its three monthly cohorts together (``customers`` and ``cohort_mrr``,
    the MRR of each customer's first month, summed); at age ``q`` (quarters since the cohort's
    quarter) ``retained`` and ``mrr`` are those of the last month of that quarter, summed over
    the three; a quarter whose last month the data do not reach has no age yet. ``cohort`` is
    the first day of the quarter. Same columns as :func:`cohorts`.
    """
    import pandas as pd

    from salesmetrics.periods import Grain, grain_start

    keys = list(by)
    if triangle.empty:
        return triangle.copy()
    frame = triangle.copy()
    months = {
        c: pd.Timestamp(c).date() for c in frame["cohort"].drop_duplicates().tolist()
    }  # a few hundred cohorts at most, not data rows
    quarter_of = {
        c: grain_start(d, Grain.QUARTER, fiscal_start_month=fiscal_start_month)
        for c, d in months.items()
    }
    index = frame["cohort"].map(lambda c: months[c].year * 12 + months[c].month - 1)
    start = frame["cohort"].map(lambda c: quarter_of[c].year * 12 + quarter_of[c].month - 1)
    seen = index + frame["age"]
    into = (seen - start) % 3  # months into the quarter of the month seen
    ends = frame[into == 2].assign(
        q_cohort=frame["cohort"].map(quarter_of), q_age=(seen - start) // 3
    )
    first = frame[frame["age"] == 0].assign(q_cohort=frame["cohort"].map(quarter_of))
    sizes = first.groupby([*keys, "q_cohort"], dropna=False)[["customers", "cohort_mrr"]].sum()
    stats = ends.groupby([*keys, "q_cohort", "q_age"], dropna=False)[["retained", "mrr"]].sum()
    out = stats.reset_index().merge(sizes.reset_index(), on=[*keys, "q_cohort"], how="left")
    out = out.rename(columns={"q_cohort": "cohort", "q_age": "age"})
    out["age"] = out["age"].astype("int64")
    out["logo_retention"] = out["retained"] / out["customers"]
    out["mrr_retention"] = out["mrr"].astype("float64") / out["cohort_mrr"].astype("float64")
    out = out.sort_values([*keys, "cohort", "age"], kind="stable").reset_index(drop=True)
    return out[[*keys, *COLUMNS]]
