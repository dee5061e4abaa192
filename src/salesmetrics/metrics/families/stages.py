"""The ``stages`` component family of the metric engine: time in stage and stage-to-stage
conversion per period (and group), from the stage visits and furthest stages of
:mod:`salesmetrics.pipeline.funnel` (where the definitions are written down).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.incremental import PerUnit
from salesmetrics.metrics.families import Family, in_period, regroup
from salesmetrics.pipeline.funnel import furthest, order_table, visits

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = gdims.DEAL_DIMS
COMPONENTS = ("visits_ended", "visit_days", "reached", "reached_next")

MICROSECONDS_PER_DAY = 86_400_000_000.0


def _deal_dims(ctx: Context, table: ir.Table, dims: Sequence[str]) -> ir.Table:
    """``table`` (with the deal's ``owner_id``, ``account_id``, ``source``, ``product`` and
    ``type``) with the ``dim_*`` columns of ``dims``."""
    return gdims.with_deal_dims(table, ctx.table("reps"), ctx.table("accounts"), dims)


def build(ctx: Context, by: Sequence[str]) -> ir.Table:
    """Per (period, group, stage): visits ended and their days; deals of the cohort that
    reached the stage and the next."""
    dims = [d for d in by if d != "stage"]
    keys = ["period", *dims, "stage"]
    v = visits(ctx.ws)
    ended = _deal_dims(ctx, v.filter(v.left_at.notnull()), dims)
    ended = in_period(ctx.spine, ended, ended.left_day)
    time_agg = ended.group_by([ended.period, *gdims.keys(ended, dims), ended.stage]).aggregate(
        visits_ended=ended.count(),
        visit_days=ended.micros.sum().cast("float64") / MICROSECONDS_PER_DAY,
    )
    ordered = order_table(ctx.ws)
    deals = _deal_dims(ctx, furthest(ctx.ws), dims)
    cohort = in_period(ctx.spine, deals, deals.created_day)
    # the last stage has no next one: no conversion row for it
    grid = cohort.join(ordered, (ordered._o_idx <= cohort.top) & ordered._o_next.notnull())
    reach_agg = grid.group_by(
        [grid.period, *gdims.keys(grid, dims), grid._o_stage.name("stage")]
    ).aggregate(
        reached=grid.count(),
        reached_next=grid.count(where=grid.top > grid._o_idx),
        next_stage=grid._o_next.max(),
    )
    return regroup(keys, [time_agg, reach_agg], COMPONENTS, ["next_stage"])


def drill_visits(ctx: Context, by: Sequence[str]) -> ir.Table:
    """The stage visits that ended in the period."""
    dims = [d for d in by if d != "stage"]
    v = visits(ctx.ws)
    ended = _deal_dims(ctx, v.filter(v.left_at.notnull()), dims)
    ended = in_period(ctx.spine, ended, ended.left_day)
    dim_cols = [c for c in ended.columns if c.startswith("dim_")]
    return ended.select(
        "period", "opportunity_id", "entered_at", "left_at", *dim_cols, dim_stage=ended.stage
    )


FAMILY = Family(
    name="stages",
    tables=("opportunities", "opportunity_history", "reps", "accounts"),
    dims_supported=DIMS,
    components=COMPONENTS,
    other=("next_stage",),
    build=build,
    inherent=("stage",),
    drills={"visits": drill_visits},
    additive=True,
    maxima=("next_stage",),
    # per deal given the stage order, which is checked unchanged by the batch before adding
    grows=PerUnit("opportunity_id", ("opportunities", "opportunity_history")),
)
