"""Recurring revenue: the MRR waterfall per (period, group), and recognized revenue.

Three families, each one backend query over :mod:`salesmetrics.recurring` (the core computes
MRR per customer and month, the movements and the waterfall set-based; this module only feeds
it the engine's period spine and group dimensions; the whole-history tables, from the MRR items
to the movements and the recognised lines, are materialised once per data version through
:attr:`~salesmetrics.metrics.context.Context.recurring`, see :mod:`salesmetrics.recurring.mrr`):

* ``recurring`` — the waterfall of each spine period: ``mrr_start`` (MRR of the month before P),
  ``mrr_new``, ``mrr_reactivation``, ``mrr_expansion``, ``mrr_contraction``, ``mrr_churn`` (sums
  of the monthly movements over the months of P), ``mrr_end`` (MRR of the last month of P),
  ``mrr_customers_start``/``mrr_customers_end`` (MRR > 0 in those months),
  ``mrr_end_of_start_customers`` and ``retained_mrr_capped`` (the numerators of net and gross
  revenue retention) and ``mrr_identity_gap`` = mrr_end − (mrr_start + new + reactivation +
  expansion − contraction − churn), computed in exact decimals: 0 in every row;
* ``recurring_12m`` — the same for the 12 months ending at each period's end (``t12_*``): the
  trailing-12-month basis of net and gross revenue retention;
* ``recognized`` — ``recognized_revenue``: invoice lines spread by day, summed per period.

Groups (metrics.md "Groups"): everything from the account (``rep`` = the account's owner,
``team``/``manager`` of that owner, ``region``/``segment``/``industry`` of the account), ``plan``
from the subscription or line (movements tracked per customer and plan), ``first_plan`` = the
customer's plan in its first month with MRR.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.metrics import customers
from salesmetrics.metrics.catalog.recurring import T12
from salesmetrics.metrics.families import Family
from salesmetrics.recurring import waterfall, with_account_attributes
from salesmetrics.recurring.movements import movements
from salesmetrics.recurring.mrr import CUSTOMER, CUSTOMER_PLAN
from salesmetrics.recurring.recognition import recognized_revenue
from salesmetrics.recurring.waterfall import waterfall_of

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context


#: waterfall column → component name.
WATERFALL = {
    "mrr_start": "mrr_start",
    "new": "mrr_new",
    "reactivation": "mrr_reactivation",
    "expansion": "mrr_expansion",
    "contraction": "mrr_contraction",
    "churn": "mrr_churn",
    "mrr_end": "mrr_end",
    "customers_start": "mrr_customers_start",
    "customers_end": "mrr_customers_end",
    "mrr_end_of_start_customers": "mrr_end_of_start_customers",
    "retained_mrr_capped": "retained_mrr_capped",
}
COMPONENTS = (*WATERFALL.values(), "mrr_identity_gap")
COMPONENTS_12M = tuple(T12 + c for c in COMPONENTS)


def _gap(wf: ir.Table) -> ir.DecimalValue:
    gained = wf.mrr_start + wf.new + wf.reactivation + wf.expansion
    return wf.mrr_end - (gained - wf.contraction - wf.churn)


def _components(ctx: Context, dims: Sequence[str], periods: ir.Table, prefix: str) -> ir.Table:
    wf = waterfall(ctx.recurring, periods, by=dims)
    return wf.select(
        "period",
        *dims,
        **{prefix + name: wf[col] for col, name in WATERFALL.items()},
        **{prefix + "mrr_identity_gap": _gap(wf)},
    )


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The MRR waterfall of every spine period and group."""
    spine = ctx.spine
    return _components(ctx, dims, spine.select("period", "start", "end"), "")


def build_12m(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The MRR waterfall of the 12 months ending at each spine period's end."""
    spine = ctx.spine
    periods = spine.select("period", start=spine.window_start, end=spine.end)
    return _components(ctx, dims, periods, T12)


def drill_customers(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Each customer's MRR at start and end of the period and its movements in it."""
    spine = ctx.spine
    periods = spine.select("period", "start", "end")
    data = ctx.recurring
    keys = CUSTOMER_PLAN if "plan" in dims else CUSTOMER
    rows = movements(data, keys=keys)
    attrs = [d for d in dims if d != "plan"]
    if attrs:
        rows = with_account_attributes(rows, data, attrs)
    group = list(dict.fromkeys([*keys, *dims]))
    wf = waterfall_of(rows, periods, keys=keys, by=group)
    accounts = ctx.table("accounts")
    names = accounts.select(_n_account=accounts.account_id, name=accounts.name)
    wf = wf.left_join(names, wf.account_id == names._n_account).drop("_n_account")
    return wf.select(
        "period",
        "account_id",
        "name",
        *(["plan"] if "plan" in keys else []),
        "mrr_start",
        "new",
        "reactivation",
        "expansion",
        "contraction",
        "churn",
        "mrr_end",
        **{gdims.col(d): wf[d] for d in dims},
    )


def _recognized_rows(ctx: Context, dims: Sequence[str], *, details: bool) -> ir.Table:
    periods = ctx.spine.select("period", "start", "end")
    return recognized_revenue(
        ctx.ws,
        periods,
        materialised=True,
        extend=lambda lines: _with_dims(ctx, lines, dims),
        details=details,
    )


def _with_dims(ctx: Context, rows: ir.Table, dims: Sequence[str]) -> ir.Table:
    """Invoice ``rows`` with the ``dim_*`` columns of ``dims``: the plan of the line, the
    rest from the customer."""
    if "plan" in dims:
        rows = rows.mutate(dim_plan=rows.plan)
    return customers.with_customer_dims(ctx, rows, rows.account_id, dims)


def build_recognized(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Recognized revenue per spine period and group (exact decimals): the lines' shares of
    the periods, with the group of their customer, summed in one aggregation. The engine asks
    once per spine, for the rep cube, and rolls every coarser grouping up from it
    (:mod:`salesmetrics.metrics.rollup`); an intermediate per account and plan would have
    about as many rows as the shares themselves (a million lines: 1.3 M of 2.2 M)."""
    # the plan is the one column of the line a grouping reads beside its account: without it
    # the engine's materialised lines leave out the lines' text columns
    rows = _recognized_rows(ctx, dims, details="plan" in dims)
    return rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        recognized=rows.amount.sum()
    )


def drill_recognized(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The invoice lines recognized in the period, with their share in it."""
    rows = _recognized_rows(ctx, dims, details=True)
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select(
        "period",
        "line_id",
        "account_id",
        "plan",
        "currency",
        "days",
        "amount_local",
        "amount",
        *dim_cols,
    )


TABLES = ("subscriptions", "invoice_lines", "accounts", "reps", "fx_rates")

FAMILY = Family(
    name="recurring",
    tables=TABLES,
    dims_supported=gdims.RECURRING_DIMS,
    components=COMPONENTS,
    build=build,
    drills={"customers": drill_customers},
    what="recurring revenue",
    additive=True,
)
FAMILY_12M = Family(
    name="recurring_12m",
    tables=TABLES,
    dims_supported=gdims.RECURRING_DIMS,
    components=COMPONENTS_12M,
    build=build_12m,
    what="recurring revenue",
    additive=True,
)
RECOGNIZED = Family(
    name="recognized",
    tables=("invoice_lines", "accounts", "reps", "fx_rates"),
    dims_supported=gdims.CUSTOMER_DIMS | {"plan"},
    components=("recognized",),
    build=build_recognized,
    drills={"lines": drill_recognized},
    what="invoice_lines.amount",
    additive=True,
)
