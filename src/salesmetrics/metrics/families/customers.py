"""Customers: who was a customer at the start and end of each period, who came and went, and
the 12-month window used by customer lifetime value.

Components, per (period, group):

* ``cust_start``, ``cust_end`` — customers at start / at end (see
  :mod:`salesmetrics.metrics.customers`);
* ``cust_lost`` (at start, not at end), ``cust_new`` (at end, not at start);
* ``cust_acquired`` — customers whose acquisition date is in the period (``new_customers``);
* over the 12 months ending at the period's end: ``win_start`` (customers on its first day),
  ``win_lost`` (of those, not customers on its last day), ``win_customers`` (customers on any
  day of it) and ``win_revenue`` (value of the deals those accounts won in it);
* ``cust_mrr_end`` — with the recurring basis, the MRR of the customers at end (ARPA, for
  customer lifetime value and CAC payback); 0 otherwise.

Group dimensions come from the account (rep = its owner).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics import fx
from salesmetrics.incremental import PerUnit
from salesmetrics.metrics import customers
from salesmetrics.metrics.families import Family, regroup

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

COMPONENTS = (
    "cust_start",
    "cust_end",
    "cust_lost",
    "cust_new",
    "cust_acquired",
    "win_start",
    "win_lost",
    "win_customers",
    "win_revenue",
    "cust_mrr_end",
)


def state_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """One row per (period, account) with the customer flags (see customers.states)."""
    st = customers.states(ctx, ctx.customer_basis, dims)
    return st.mutate(
        lost=(st.at_start * (1 - st.at_end)),
        new=(st.at_end * (1 - st.at_start)),
        window_lost=(st.window_at_start * (1 - st.window_at_end)),
    )


def window_revenue_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Deals won by accounts in the 12 months ending at each period's end."""
    opps = ctx.table("opportunities")
    won = opps.filter(
        opps.status == "won",
        opps.account_id.notnull(),
        opps.close_date >= ctx.window_first_day,
        opps.close_date < ctx.end_day,
    ).select("opportunity_id", "account_id", "close_date", "amount", "currency")
    won = fx.to_base(
        won,
        ctx.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=won.close_date,
        base_currency=ctx.config.base_currency,
        out="amount_base",
    )
    won = customers.with_customer_dims(ctx, won, won.account_id, dims)
    spine = ctx.spine
    return spine.join(won, [won.close_date >= spine.window_start, won.close_date < spine.end])


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Customer components per (period, group)."""
    st = state_rows(ctx, dims)
    states = st.group_by([st.period, *gdims.keys(st, dims)]).aggregate(
        cust_start=st.at_start.sum(),
        cust_end=st.at_end.sum(),
        cust_lost=st.lost.sum(),
        cust_new=st.new.sum(),
        cust_acquired=st.acquired.sum(),
        win_start=st.window_at_start.sum(),
        win_lost=st.window_lost.sum(),
        win_customers=st.window_active.sum(),
    )
    rev = window_revenue_rows(ctx, dims)
    revenue = rev.group_by([rev.period, *gdims.keys(rev, dims)]).aggregate(
        win_revenue=fx.money_sum(rev.amount_base), **fx.missing_aggregates(rev)
    )
    parts = [states, revenue]
    if isinstance(ctx.customer_basis, customers.RecurringBasis):
        parts.append(mrr_at_end(ctx, dims))
    return regroup(["period", *dims], parts, COMPONENTS)


def mrr_at_end(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """``cust_mrr_end``: Σ MRR in the last month of each period (recurring basis), by group."""
    from salesmetrics.recurring.months import month_index
    from salesmetrics.recurring.mrr import series_month_mrr

    months = series_month_mrr(ctx.recurring)
    spine = ctx.spine
    rows = spine.join(months, months.month_index == month_index(spine.end) - 1)
    rows = customers.with_customer_dims(ctx, rows, rows.account_id, dims)
    return rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        cust_mrr_end=rows.mrr.sum()
    )


def _with_names(ctx: Context, rows: ir.Table) -> ir.Table:
    accounts = ctx.table("accounts")
    names = accounts.select(_n_account=accounts.account_id, name=accounts.name)
    return rows.left_join(names, rows.account_id == names._n_account).drop("_n_account")


def _drill(ctx: Context, rows: ir.Table) -> ir.Table:
    rows = _with_names(ctx, rows)
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select(
        "period",
        "account_id",
        "name",
        "acquired_on",
        "at_start",
        "at_end",
        "lost",
        "new",
        "acquired",
        *dim_cols,
    )


def drill_states(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The customers at start or at end of the period, with their flags."""
    rows = state_rows(ctx, dims)
    return _drill(ctx, rows.filter((rows.at_start + rows.at_end) > 0))


def drill_acquired(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The customers acquired in the period."""
    rows = state_rows(ctx, dims)
    return _drill(ctx, rows.filter(rows.acquired == 1))


def drill_window(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The customers of the 12 months ending at the period's end."""
    rows = state_rows(ctx, dims)
    rows = _with_names(ctx, rows.filter(rows.window_active == 1))
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select(
        "period",
        "account_id",
        "name",
        "acquired_on",
        "window_at_start",
        "window_at_end",
        "window_lost",
        *dim_cols,
    )


FAMILY = Family(
    name="customers",
    tables=("opportunities", "accounts", "reps", "fx_rates"),
    dims_supported=gdims.CUSTOMER_DIMS,
    components=COMPONENTS,
    build=build,
    drills={"states": drill_states, "acquired": drill_acquired, "window": drill_window},
    what="opportunities.amount",
    additive=True,
    # every component a sum over accounts (each in one group), an account's part depending
    # only on its deals and account row (and MRR, which must not change): new deals of an
    # existing customer replace its part
    grows=PerUnit("account_id", ("opportunities", "accounts"), replaces=True),
)
