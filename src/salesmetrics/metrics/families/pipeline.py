"""The ``pipeline`` component family of the metric engine: the components of
:mod:`salesmetrics.pipeline.measures` per (period, group), one backend query.

Group dimensions: rep/team/manager/region from the deal's owner, segment/industry from its
account, source/product/type from the deal (as the ``deals`` family).
The whole-history part (the opportunity states between changes, with base-currency values) is
materialised once per data version (:func:`salesmetrics.pipeline.measures.spans`), the deal
rows of a set of periods once per spine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.incremental import PerUnit
from salesmetrics.metrics.families import Family
from salesmetrics.pipeline import measures

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = gdims.DEAL_DIMS
ROW_FIELDS = (
    "opportunity_id",
    "owner_id",
    "account_id",
    "stage_s",
    "status_s",
    "close_date_s",
    "amount_s",
    "probability_s",
    "stage_e",
    "status_e",
    "close_date_e",
    "amount_e",
)


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Pipeline components per (period, group), from the deal rows of the spine's periods,
    which do not depend on the grouping and are computed once per set of periods
    (:meth:`Context.shared`)."""
    rows = ctx.shared("pipeline_deals", lambda: measures.deal_rows(ctx.ws, ctx.periods, ()))
    return measures.aggregate(measures.with_dims(ctx.ws, rows, dims), dims)


def _drill(ctx: Context, dims: Sequence[str], flag: str) -> ir.Table:
    rows = measures.deal_rows(ctx.ws, ctx.periods, dims)
    if flag == "flow":
        rows = rows.filter(rows.in_s | rows.in_e | rows.flow_in.notnull())
    else:
        rows = rows.filter(rows[flag])
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select("period", *ROW_FIELDS, "slipped", "flow_in", "flow_out", *dim_cols)


def drill_expected(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The deals open at the period's start and expected to close in it."""
    return _drill(ctx, dims, "in_s")


def drill_open(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The deals open at the period's start."""
    return _drill(ctx, dims, "open_s")


def drill_flow(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The deals of the pipeline flow with their bucket (flow_in / flow_out)."""
    return _drill(ctx, dims, "flow")


FAMILY = Family(
    name="pipeline",
    tables=("opportunities", "opportunity_history", "reps", "accounts", "fx_rates"),
    dims_supported=DIMS,
    components=measures.COMPONENTS,
    build=build,
    drills={"expected": drill_expected, "open": drill_open, "flow": drill_flow},
    what="opportunities.amount (as of the period's start or end)",
    additive=True,
    grows=PerUnit("opportunity_id", ("opportunities", "opportunity_history")),
)
