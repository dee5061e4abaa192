"""Activities: logged time and selling activities of the reps in each period.

An activity counts in the period of its start (in the workspace timezone). It is selling when
``is_selling`` says so, else when its type is one of ``selling_activity_types`` (config).

Components per (period, group): ``activities`` (all), ``selling_activities``,
``selling_minutes``, ``logged_minutes``. Group dimensions: rep, team, manager, region of the rep,
and type (the activity's type).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics.metrics import dims as gdims
from salesmetrics.metrics.families import Family, in_period, regroup

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = gdims.REP_DIMS | {"type"}
COMPONENTS = ("activities", "selling_activities", "selling_minutes", "logged_minutes")


def activity_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Activities per period with ``selling`` (bool) and the ``dim_*`` columns."""
    acts = ctx.table("activities")
    types = [t.strip().lower() for t in ctx.config.selling_activity_types]
    kind = acts.type.lower().strip()
    selling = acts.is_selling.fill_null(kind.isin(types) if types else ibis.literal(False))
    rows = acts.mutate(day=ctx.local_date(acts.started_at), selling=selling.fill_null(False))
    rows = rows.filter(rows.day >= ctx.first_day, rows.day < ctx.end_day)
    rows = gdims.with_rep_dims(rows, ctx.table("reps"), rows.rep_id, dims)
    if "type" in dims:
        rows = rows.mutate(dim_type=rows.type)
    return in_period(ctx.spine, rows, rows.day)


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Activity components per (period, group)."""
    rows = activity_rows(ctx, dims)
    agg = rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        activities=rows.count(),
        selling_activities=rows.count(where=rows.selling),
        selling_minutes=rows.duration_minutes.sum(where=rows.selling),
        logged_minutes=rows.duration_minutes.sum(),
    )
    return regroup(["period", *dims], [agg], COMPONENTS)


def drill_by_rep(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Per rep of the period: activities, selling activities, selling and logged minutes."""
    rows = activity_rows(ctx, dims)
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.group_by(["period", "rep_id", *dim_cols]).aggregate(
        activities=rows.count(),
        selling_activities=rows.count(where=rows.selling),
        selling_minutes=rows.duration_minutes.sum(where=rows.selling),
        logged_minutes=rows.duration_minutes.sum(),
    )


FAMILY = Family(
    name="activities",
    tables=("activities", "reps"),
    dims_supported=frozenset(DIMS),
    components=COMPONENTS,
    build=build,
    drills={"by_rep": drill_by_rep},
)
