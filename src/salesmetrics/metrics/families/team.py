"""Team: the sellers of each period, their quotas (pro-rated by days) and what they won.

Who is a seller in P (metrics.md), chosen once per workspace and shown as the ``basis``:

* ``quota`` — reps with a quota overlapping P (when the workspace has quotas);
* ``employment`` — else reps whose [hired_on, left_on] overlaps P (when any rep has a date);
* ``deal_owners`` — else the distinct owners of deals closed in P.

A quota row covering another window than P is pro-rated by the days of overlap (window and P
inclusive of their days). Components per (period, group): ``sellers``, and with quotas
``quota``, ``quota_won`` (won by the reps with a quota), ``reps_with_quota`` (quota > 0) and
``reps_reached`` (won ≥ quota > 0). Group dimensions: rep, team, manager, region of the rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics import fx
from salesmetrics.metrics.families import Family, regroup
from salesmetrics.metrics.families.costs import overlap_days
from salesmetrics.metrics.families.deals import closed_rows

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = gdims.REP_DIMS
COMPONENTS = ("sellers", "quota", "quota_won", "reps_with_quota", "reps_reached")


def quota_rows(ctx: Context) -> ir.Table:
    """Per (period, rep): the quota pro-rated to the period (base currency)."""
    quotas = ctx.table("quotas")
    quotas = quotas.filter(quotas.period_start <= ctx.end_day, quotas.period_end >= ctx.first_day)
    quotas = fx.to_base(
        quotas,
        ctx.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=quotas.period_start,
        base_currency=ctx.config.base_currency,
        out="amount_base",
    )
    spine = ctx.spine
    joined = spine.join(
        quotas, [quotas.period_start <= spine.last_day, quotas.period_end >= spine.start]
    )
    window = joined.period_end.delta(joined.period_start, unit="day") + 1
    share = (
        joined.amount_base.cast("float64")
        * overlap_days(joined.period_start, joined.period_end, joined)
        / window
    )
    joined = joined.mutate(quota_part=share)
    return joined.group_by(["period", "rep_id"]).aggregate(
        quota=joined.quota_part.sum(), **fx.missing_aggregates(joined)
    )


def won_by_rep(ctx: Context) -> ir.Table:
    """Per (period, owner): the value of the deals won (base currency)."""
    closed = closed_rows(ctx, ())
    won = closed.filter(closed.status == "won", closed.owner_id.notnull())
    return won.group_by(["period", won.owner_id.name("_won_rep")]).aggregate(
        won_amount=fx.money_sum(won.amount_base),
        _won_missing=won[fx.MISSING_COUNT].sum(),
        _won_example=won[fx.MISSING_EXAMPLE].min(),
    )


def seller_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """One row per (period, seller) with ``quota`` and ``won_amount`` (0 without), by the
    workspace's seller basis, with the ``dim_*`` columns."""
    basis = ctx.seller_basis
    spine = ctx.spine
    if basis == "quota":
        rows = quota_rows(ctx)
        won = won_by_rep(ctx)
        rows = rows.left_join(won, [rows.period == won.period, rows.rep_id == won._won_rep]).drop(
            "_won_rep", "period_right"
        )
        rows = rows.mutate(
            won_amount=rows.won_amount.fill_null(0.0),
            **{
                fx.MISSING_COUNT: rows[fx.MISSING_COUNT].fill_null(0)
                + rows._won_missing.fill_null(0),
                fx.MISSING_EXAMPLE: rows[fx.MISSING_EXAMPLE].fill_null(rows._won_example),
            },
        ).drop("_won_missing", "_won_example")
    elif basis == "employment":
        reps = ctx.table("reps")
        joined = spine.join(
            reps,
            [
                reps.hired_on.isnull() | (reps.hired_on < spine.end),
                reps.left_on.isnull() | (reps.left_on >= spine.start),
            ],
        )
        rows = joined.select(
            "period",
            "rep_id",
            quota=ibis.literal(0.0),
            won_amount=ibis.literal(0.0),
            **{
                fx.MISSING_COUNT: ibis.literal(0, type="int64"),
                fx.MISSING_EXAMPLE: ibis.null("string"),
            },
        )
    else:
        closed = closed_rows(ctx, ())
        owners = closed.filter(closed.owner_id.notnull())
        rows = owners.group_by(["period", owners.owner_id.name("rep_id")]).aggregate(
            quota=ibis.literal(0.0),
            won_amount=ibis.literal(0.0),
            **fx.missing_aggregates(owners),
        )
    return gdims.with_rep_dims(rows, ctx.table("reps"), rows.rep_id, dims)


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Seller and quota components per (period, group)."""
    rows = seller_rows(ctx, dims)
    has_quota = rows.quota > 0
    agg = rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        sellers=rows.rep_id.nunique(),
        quota=rows.quota.sum(),
        quota_won=rows.won_amount.sum(),
        reps_with_quota=rows.count(where=has_quota),
        reps_reached=rows.count(where=has_quota & (rows.won_amount >= rows.quota)),
        **fx.missing_aggregates(rows),
    )
    return regroup(["period", *dims], [agg], COMPONENTS)


def drill_sellers(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The sellers of the period with their quota, won amount and whether they reached it."""
    rows = seller_rows(ctx, dims)
    reps = ctx.table("reps")
    names = reps.select(_r_id=reps.rep_id, name=reps.name)
    rows = rows.left_join(names, rows.rep_id == names._r_id).drop("_r_id")
    rows = rows.mutate(
        attainment=ibis.ifelse(rows.quota > 0, rows.won_amount / rows.quota, ibis.null("float64")),
        reached=(rows.quota > 0) & (rows.won_amount >= rows.quota),
    )
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select(
        "period", "rep_id", "name", "quota", "won_amount", "attainment", "reached", *dim_cols
    )


FAMILY = Family(
    name="team",
    tables=("quotas", "reps", "opportunities", "fx_rates"),
    dims_supported=DIMS,
    components=COMPONENTS,
    build=build,
    drills={"sellers": drill_sellers},
    what="quotas.amount or opportunities.amount",
    additive=True,
)
