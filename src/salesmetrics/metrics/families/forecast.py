"""The ``forecasts`` component family of the metric engine: the forecast used for each
(period, group), per method and category, for sales forecast accuracy and forecast bias.

Forecasts are kept per scope: company-wide rows read ``scope = company`` forecasts, ``--by
team`` reads ``scope = team`` (``scope_id`` = the team) and ``--by rep`` reads ``scope = rep``
(``scope_id`` = the rep_id; with ``--by team,rep`` the rep's team comes from ``reps``). Other
dimensions are not supported: forecasts are not kept by them.

Forecast periods are stored as strings in the CLI syntax. The distinct labels (a handful) are
read first and parsed with :mod:`salesmetrics.periods` into a small mapping table (label → start,
end, and the instants s and e at which the period starts and ends in the workspace timezone);
the backend joins it to the forecasts and to the period spine by (start, end), so a forecast for
2025-Q2 matches the spine's 2025-Q2 whatever the label's spelling.

The forecast used per (period, group, method, category) is the latest submitted before s, else
the latest submitted before e (``late``). The family pivots them into columns
``fc_<method>_<category>`` (amount), ``..._late`` (1.0 when submitted after s), ``..._at``
(submitted_at) and ``..._id`` (forecast_id) — not additive: a missing forecast stays missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from salesmetrics import dims as gdims
from salesmetrics.errors import UserError
from salesmetrics.metrics.families import Family
from salesmetrics.periods import parse_period
from salesmetrics.pipeline.asof import instant
from salesmetrics.pipeline.forecast_columns import (
    CATEGORIES,
    COLUMNS,
    DEFAULT_CATEGORY,
    DEFAULT_METHOD,
    METHODS,
    column,
)
from salesmetrics.portable import as_float

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = frozenset({"rep", "team"})
ROW_FIELDS = (
    "forecast_id",
    "scope",
    "scope_id",
    "forecast_period",
    "method",
    "category",
    "amount",
    "submitted_at",
    "late",
)


def scope_of(dims: Sequence[str]) -> str:
    """The forecast scope read for group dimensions ``dims``."""
    if "rep" in dims:
        return "rep"
    if "team" in dims:
        return "team"
    return "company"


def period_map(ctx: Context, forecasts: ir.Table) -> ir.Table:
    """The spine periods of the stored forecast period labels: ``label``, ``period``, ``s_at``,
    ``e_at``. One query for the distinct labels, parsed here (a handful, not data rows)."""
    labels = ctx.execute(forecasts.select("period").distinct(), "forecast periods")["period"]
    fy, tz = ctx.config.calendar, ctx.config.timezone
    spans: dict[str, list[object]] = {"label": [], "start": [], "end": [], "s_at": [], "e_at": []}
    for label in labels.tolist():  # distinct period labels only
        try:
            p = parse_period(str(label), fiscal_start_month=fy)
        except UserError:
            continue  # not a period in the CLI syntax: matches no period
        for name, value in (
            ("label", label),
            ("start", p.start),
            ("end", p.end),
            ("s_at", instant(p.start, tz)),
            ("e_at", instant(p.end, tz)),
        ):
            spans[name].append(value)
    mapping = ibis.memtable(
        pa.table(
            {
                "label": pa.array(spans["label"], pa.string()),
                "m_start": pa.array(spans["start"], pa.date32()),
                "m_end": pa.array(spans["end"], pa.date32()),
                "s_at": pa.array(spans["s_at"], pa.timestamp("us")),
                "e_at": pa.array(spans["e_at"], pa.timestamp("us")),
            }
        )
    )
    spine = ctx.spine
    return mapping.join(spine, [mapping.m_start == spine.start, mapping.m_end == spine.end]).select(
        "label", "period", "s_at", "e_at"
    )


def latest_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The forecast used per (period, group, method, category): ``period``, the ``dim_*``
    columns and :data:`ROW_FIELDS`."""
    scope = scope_of(dims)
    fc = ctx.table("forecasts")
    fc = fc.filter(fc.scope == scope)
    periods = period_map(ctx, fc)
    rows = fc.join(periods, fc.period == periods.label)
    rows = rows.filter(rows.submitted_at < rows.e_at)
    rows = rows.select(
        "forecast_id",
        "scope",
        "scope_id",
        "submitted_at",
        period=rows.period_right,
        forecast_period=rows.period,
        method=rows.method.fill_null(DEFAULT_METHOD),
        category=rows.category.fill_null(DEFAULT_CATEGORY),
        amount=rows.amount.cast("float64"),
        late=rows.submitted_at >= rows.s_at,
    )
    if scope == "rep":
        rows = gdims.with_rep_dims(rows, ctx.table("reps"), rows.scope_id, dims)
    elif scope == "team":
        rows = rows.mutate(**{gdims.col("team"): rows.scope_id})
    dim_cols = [gdims.col(d) for d in dims]
    order = ibis.row_number().over(
        group_by=[rows.period, *[rows[c] for c in dim_cols], rows.method, rows.category],
        order_by=[rows.late, ibis.desc(rows.submitted_at), ibis.desc(rows.forecast_id)],
    )
    rows = rows.mutate(_rank=order)
    rows = rows.filter(rows._rank == 0).drop("_rank")
    return rows.select("period", *dim_cols, *ROW_FIELDS)


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The forecast used per (period, group), one set of columns per method and category."""
    rows = latest_rows(ctx, dims)
    aggs: dict[str, ir.Value] = {}
    for method in METHODS:
        for category in CATEGORIES:
            hit = (rows.method == method) & (rows.category == category)
            aggs[column(method, category)] = rows.amount.max(where=hit)
            aggs[column(method, category, "_late")] = as_float(rows.late).max(where=hit)
            aggs[column(method, category, "_at")] = rows.submitted_at.max(where=hit)
            aggs[column(method, category, "_id")] = rows.forecast_id.max(where=hit)
    return rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(**aggs)


def drill_used(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The forecasts used (the latest per method and category)."""
    return latest_rows(ctx, dims)


FAMILY = Family(
    name="forecasts",
    tables=("forecasts",),
    dims_supported=DIMS,
    components=(),
    other=COLUMNS,
    build=build,
    drills={"used": drill_used},
    what="forecasts.amount",
)
