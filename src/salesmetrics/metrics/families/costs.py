"""Costs: sales and marketing spend in each period (for customer acquisition cost).

A cost with ``period_start`` and ``period_end`` is spread evenly by day over that window
(inclusive) and counts in a period for the days they share; otherwise it counts on its
``date``. Amounts are converted at the rate of the cost's ``date``. Only the categories
``marketing`` and ``sales`` count (data-model.md). The one group dimension of costs is
``channel``: the cost's own ``channel`` as stored, and ``(unallocated)`` for a cost without one
(metrics.md "Marketing": shown as a group, never spread over the channels).

Components: ``marketing_cost``, ``sales_cost``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics import fx
from salesmetrics.conventions import UNALLOCATED_CHANNEL
from salesmetrics.metrics.families import Family, in_period, regroup

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

COMPONENTS = ("marketing_cost", "sales_cost")
CATEGORIES = ("marketing", "sales")


def overlap_days(first: ir.DateValue, last: ir.DateValue, spine: ir.Table) -> ir.IntegerValue:
    """Days an inclusive window [first, last] shares with each spine period."""
    return ibis.least(last, spine.last_day).delta(ibis.greatest(first, spine.start), unit="day") + 1


def cost_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Sales and marketing costs per period, with ``amount_in_period`` (base currency)."""
    costs = ctx.table("costs")
    costs = costs.mutate(category=costs.category.lower().strip()).filter(
        lambda t: t.category.isin(CATEGORIES)
    )
    if gdims.CHANNEL in dims:
        allocated = costs.channel.notnull() & (costs.channel.strip() != "")
        costs = costs.mutate(dim_channel=ibis.ifelse(allocated, costs.channel, UNALLOCATED_CHANNEL))
    costs = fx.to_base(
        costs,
        ctx.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=costs.date,
        base_currency=ctx.config.base_currency,
        out="amount_base",
    )
    spread = costs.period_start.notnull() & costs.period_end.notnull()
    spine = ctx.spine
    windowed = costs.filter(
        spread, costs.period_start <= ctx.end_day, costs.period_end >= ctx.first_day
    )
    joined = spine.join(
        windowed,
        [windowed.period_start <= spine.last_day, windowed.period_end >= spine.start],
    )
    window = joined.period_end.delta(joined.period_start, unit="day") + 1
    spread_rows = joined.mutate(
        amount_in_period=joined.amount_base.cast("float64")
        * overlap_days(joined.period_start, joined.period_end, joined)
        / window
    )
    dated = costs.filter(~spread, costs.date >= ctx.first_day, costs.date < ctx.end_day)
    dated_rows = in_period(spine, dated, dated.date)
    dated_rows = dated_rows.mutate(amount_in_period=dated_rows.amount_base.cast("float64"))
    return ibis.union(spread_rows, dated_rows)


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Sales and marketing cost per period (and channel)."""
    rows = cost_rows(ctx, dims)
    agg = rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        marketing_cost=rows.amount_in_period.sum(where=rows.category == "marketing"),
        sales_cost=rows.amount_in_period.sum(where=rows.category == "sales"),
        **fx.missing_aggregates(rows),
    )
    return regroup(["period", *dims], [agg], COMPONENTS)


def drill_costs(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The cost rows counted in the period, with the part that falls in it."""
    rows = cost_rows(ctx, dims)
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select(
        "period",
        "cost_id",
        "date",
        "period_start",
        "period_end",
        "category",
        "channel",
        "amount",
        "currency",
        "amount_in_period",
        *dim_cols,
    )


def drill_marketing(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The marketing cost rows counted in the period (marketing spend)."""
    rows = drill_costs(ctx, dims)
    return rows.filter(rows.category == "marketing")


def drill_sales(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The sales cost rows counted in the period (sales spend)."""
    rows = drill_costs(ctx, dims)
    return rows.filter(rows.category == "sales")


FAMILY = Family(
    name="costs",
    tables=("costs", "fx_rates"),
    dims_supported=gdims.COST_DIMS,
    components=COMPONENTS,
    build=build,
    drills={"costs": drill_costs, "marketing": drill_marketing, "sales": drill_sales},
    what="costs.amount",
)
