"""Activities: logged time and selling activities of the reps in each period.

An activity counts in the period of its start (in the workspace timezone). It is selling when
``is_selling`` says so, else when its type is one of ``selling_activity_types`` (config).

Components per (period, group): ``activities`` (all), ``selling_activities``,
``selling_minutes``, ``logged_minutes``. Group dimensions: rep, team, manager, region of the rep,
and type (the activity's type).

**Materialised.** The local date and the selling flag of every activity (whole history, a
timezone conversion and a text match per row) are computed once per data version, already
summed per rep, type, day and flag (:func:`activity_days`); a query only filters those days,
joins the rep's dimensions and the spine, and adds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.incremental import PerUnit, Summed
from salesmetrics.metrics.families import Family, in_period, regroup
from salesmetrics.periods import local_date

if TYPE_CHECKING:
    from salesmetrics.connection import Connection
    from salesmetrics.metrics.context import Context

DIMS = gdims.ACTIVITY_DIMS
#: :func:`activity_days` are sums per group: an import of new activities adds its own sums
#: (:mod:`salesmetrics.incremental`).
_PER_DAY = Summed(("rep_id", "type", "day", "selling"), ("activities", "minutes"))
COMPONENTS = ("activities", "selling_activities", "selling_minutes", "logged_minutes")


def activity_days(ws: Connection) -> ir.Table:
    """Per ``rep_id``, ``type``, ``day`` (workspace timezone) and ``selling`` (bool): the
    number of ``activities`` and their ``minutes``; materialised once per data version, and
    grown by an import of new activities with their own sums (a group may then have several
    rows: readers sum them)."""
    return ws.derived.get("activity_days", lambda: _activity_days(ws), grows=_PER_DAY)


def _activity_days(ws: Connection) -> ir.Table:
    """The definition of :func:`activity_days`."""
    acts = ws.table("activities")
    types = [t.strip().lower() for t in ws.config.selling_activity_types]
    kind = acts.type.lower().strip()
    selling = acts.is_selling.fill_null(kind.isin(types) if types else ibis.literal(False))
    day = local_date(acts.started_at, ws.config.timezone, dialect=ws.config.backend_scheme)
    rows = acts.mutate(day=day, selling=selling.fill_null(False))
    return rows.group_by(["rep_id", "type", "day", "selling"]).aggregate(
        activities=rows.count().cast("int64"),
        minutes=rows.duration_minutes.sum().cast("float64"),
    )


def activity_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Activity days per period (see :func:`activity_days`) with the ``dim_*`` columns."""
    rows = activity_days(ctx.ws)
    rows = rows.filter(rows.day >= ctx.first_day, rows.day < ctx.end_day)
    rows = gdims.with_rep_dims(rows, ctx.table("reps"), rows.rep_id, dims)
    if "type" in dims:
        rows = rows.mutate(dim_type=rows.type)
    return in_period(ctx.spine, rows, rows.day)


def _sums(rows: ir.Table) -> dict[str, ir.Value]:
    """The components summed over activity days."""
    return {
        "activities": rows.activities.sum().cast("int64"),
        "selling_activities": rows.activities.sum(where=rows.selling).fill_null(0).cast("int64"),
        "selling_minutes": rows.minutes.sum(where=rows.selling),
        "logged_minutes": rows.minutes.sum(),
    }


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Activity components per (period, group)."""
    rows = activity_rows(ctx, dims)
    agg = rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(**_sums(rows))
    return regroup(["period", *dims], [agg], COMPONENTS)


def drill_by_rep(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Per rep of the period: activities, selling activities, selling and logged minutes."""
    rows = activity_rows(ctx, dims)
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.group_by(["period", "rep_id", *dim_cols]).aggregate(**_sums(rows))


FAMILY = Family(
    name="activities",
    tables=("activities", "reps"),
    dims_supported=frozenset(DIMS),
    components=COMPONENTS,
    build=build,
    drills={"by_rep": drill_by_rep},
    additive=True,
    grows=PerUnit("activity_id", ("activities",)),
)
