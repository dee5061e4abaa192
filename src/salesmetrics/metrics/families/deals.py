"""Deals: the deals closed in each period (by close date) and the opportunities created in it.

Components, per (period, group):

* by close date — ``won``, ``lost``, ``won_amount``, ``lost_amount`` (base currency),
  ``lost_no_amount`` (lost deals without an amount, left out of the value),
  ``cycle_days``/``cycle_deals`` (Σ days from opening to winning over won deals with both dates),
  ``cycle_excluded`` (won deals without an opening date);
* by creation date (cohort) — ``opps_created``, ``opps_won`` (won at any time since).

Every component is a count or a sum over deals, each with one owner, so the family is additive
(:mod:`salesmetrics.metrics.rollup`). The median of the days to win, ``cycle_median``, is not:
it is the family ``deal_cycles`` (:data:`CYCLES`), read by the sales cycle length only.

Group dimensions: rep/team/manager/region from the owner, segment/industry from the account,
source/product/type from the deal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics import fx
from salesmetrics.incremental import PerUnit
from salesmetrics.metrics.families import Family, in_period, regroup

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = gdims.DEAL_DIMS
ROW_FIELDS = (
    "opportunity_id",
    "name",
    "account_id",
    "owner_id",
    "type",
    "source",
    "product",
    "pipeline",
    "stage",
    "status",
    "created_at",
    "close_date",
    "amount",
    "currency",
)


def with_deal_dims(ctx: Context, table: ir.Table, dims: Sequence[str]) -> ir.Table:
    """``table`` (opportunity rows) with the ``dim_*`` columns of ``dims``."""
    return gdims.with_deal_dims(table, ctx.table("reps"), ctx.table("accounts"), dims)


def _closed(ctx: Context, statuses: Sequence[str]) -> ir.Table:
    """The opportunities of ``statuses`` closed within the spine's days (:data:`ROW_FIELDS`)."""
    opps = ctx.table("opportunities")
    return opps.filter(
        opps.status.isin(tuple(statuses)),
        opps.close_date.notnull(),
        opps.close_date >= ctx.first_day,
        opps.close_date < ctx.end_day,
    ).select(*ROW_FIELDS)


def closed_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Deals won or lost in each period: one row per (period, deal), amounts in base currency.

    Adds ``amount_base``, ``created_day`` (opening date in the workspace timezone) and
    ``cycle_days`` (close_date − created_day; null without an opening date).
    """
    closed = _closed(ctx, ("won", "lost"))
    closed = fx.to_base(
        closed,
        ctx.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=closed.close_date,
        base_currency=ctx.config.base_currency,
        out="amount_base",
    )
    created_day = ctx.local_date(closed.created_at)
    closed = closed.mutate(
        created_day=created_day, cycle_days=closed.close_date.delta(created_day, unit="day")
    )
    closed = with_deal_dims(ctx, closed, dims)
    return in_period(ctx.spine, closed, closed.close_date)


def created_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Opportunities created in each period (the cohort), with their status today."""
    opps = ctx.table("opportunities")
    created = opps.select(*ROW_FIELDS).mutate(created_day=ctx.local_date(opps.created_at))
    created = created.filter(
        created.created_day.notnull(),
        created.created_day >= ctx.first_day,
        created.created_day < ctx.end_day,
    )
    created = with_deal_dims(ctx, created, dims)
    return in_period(ctx.spine, created, created.created_day)


def won_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Deals won in each period."""
    rows = closed_rows(ctx, dims)
    return rows.filter(rows.status == "won")


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Components of closed deals by close period and of the opportunity cohort."""
    keys = ["period", *dims]
    closed = closed_rows(ctx, dims)
    won = closed.status == "won"
    lost = closed.status == "lost"
    cycle_ok = won & closed.cycle_days.notnull()
    closed_agg = closed.group_by([closed.period, *gdims.keys(closed, dims)]).aggregate(
        won=closed.count(where=won),
        lost=closed.count(where=lost),
        won_amount=fx.money_sum(closed.amount_base, won),
        lost_amount=fx.money_sum(closed.amount_base, lost),
        lost_no_amount=closed.count(where=lost & closed.amount.isnull()),
        cycle_days=closed.cycle_days.sum(where=cycle_ok).cast("float64"),
        cycle_deals=closed.count(where=cycle_ok),
        cycle_excluded=closed.count(where=won & closed.cycle_days.isnull()),
        **fx.missing_aggregates(closed),
    )
    created = created_rows(ctx, dims)
    cohort_agg = created.group_by([created.period, *gdims.keys(created, dims)]).aggregate(
        opps_created=created.count(),
        opps_won=created.count(where=created.status == "won"),
    )
    return regroup(keys, [closed_agg, cohort_agg], COMPONENTS)


def build_cycles(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """``cycle_median``: the median days from opening to winning of the deals won in each
    period with both dates (the deals of :func:`closed_rows`' ``cycle_days``; no amounts)."""
    won = _closed(ctx, ("won",))
    won = won.mutate(cycle_days=won.close_date.delta(ctx.local_date(won.created_at), unit="day"))
    won = with_deal_dims(ctx, won.filter(won.cycle_days.notnull()), dims)
    rows = in_period(ctx.spine, won, won.close_date)
    return rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        cycle_median=rows.cycle_days.cast("float64").median()
    )


COMPONENTS = (
    "won",
    "lost",
    "won_amount",
    "lost_amount",
    "lost_no_amount",
    "cycle_days",
    "cycle_deals",
    "cycle_excluded",
    "opps_created",
    "opps_won",
)


def _drill_columns(rows: ir.Table, extra: Sequence[str]) -> ir.Table:
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select("period", *ROW_FIELDS, *extra, *dim_cols)


def drill_closed(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The deals won or lost in the period."""
    rows = closed_rows(ctx, dims)
    return _drill_columns(rows, ("amount_base", "cycle_days"))


def drill_won(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The deals won in the period."""
    rows = won_rows(ctx, dims)
    return _drill_columns(rows, ("amount_base", "cycle_days"))


def drill_created(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The opportunities created in the period, with ``won`` = won since."""
    rows = created_rows(ctx, dims)
    rows = rows.mutate(won=rows.status == "won")
    return _drill_columns(rows, ("won",))


FAMILY = Family(
    name="deals",
    tables=("opportunities", "reps", "accounts", "fx_rates"),
    dims_supported=DIMS,
    components=COMPONENTS,
    build=build,
    drills={"closed": drill_closed, "won": drill_won, "created": drill_created},
    what="opportunities.amount",
    additive=True,
    grows=PerUnit("opportunity_id", ("opportunities",)),
)

CYCLES = Family(
    name="deal_cycles",
    tables=("opportunities", "reps", "accounts"),
    dims_supported=DIMS,
    components=(),
    other=("cycle_median",),
    build=build_cycles,
)
