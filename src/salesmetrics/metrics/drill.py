"""Drill-down: the rows a result was computed from (deals, leads, customers or reps).

``drill(ws, row)`` takes a result row (as in ``MetricResult.rows()``, or a row of
``to_pandas()``) and returns an Ibis table of the underlying rows of its period and group; the
metric's registry entry names which (``deals.won``, ``customers.states``, ...).
:func:`drill_result` does the same for every row of a result with one query per metric. Survey
metrics have no drill-down: answers are anonymous.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ibis.expr.types as ir
import pandas as pd

from salesmetrics import dims as gdims
from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.context import Context, read_inventory, spine_frame
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.periods import Period

if TYPE_CHECKING:
    from salesmetrics.connection import Connection
    from salesmetrics.metrics.result import MetricResult

GROUP_DIMS = (*gdims.DIMENSIONS, "question")


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"drill: {key} {value!r} is not a date (YYYY-MM-DD)") from None


def _group(row: Mapping[str, Any]) -> dict[str, Any]:
    group = row.get("group")
    named = group if isinstance(group, Mapping) else {d: row[d] for d in GROUP_DIMS if d in row}
    out = dict(named)
    for name in out:
        if name not in GROUP_DIMS:
            raise UserError(f"drill: unknown group dimension {name!r}")
    return {k: (None if pd.isna(v) else v) for k, v in out.items()}


def drillable(metric: reg.Metric) -> reg.Metric:
    """``metric`` if it has a drill-down; a UserError otherwise. A survey metric has none, for
    any row: its answers are anonymous, and listing a shown group's answers beside the groups
    suppressed would need the same suppression again on finer rows."""
    if not metric.drill or metric.respondents:
        raise UserError(f"{metric.id}: no drill-down, survey answers are anonymous")
    return metric


def rows_table(
    ws: Connection, metric: reg.Metric, periods: Sequence[Period], dims: Sequence[str]
) -> ir.Table:
    """The underlying rows of ``metric`` for ``periods``, with ``period`` and ``dim_*``."""
    from salesmetrics.metrics.plan import seller_basis

    drillable(metric)
    family_name, kind = metric.drill.split(".", 1)
    queries: list[str] = []
    inventory = read_inventory(ws, queries)
    spine = spine_frame(list(periods), ws.config.engagement_window_days)
    ctx = Context(ws, spine, inventory, queries, seller_basis=seller_basis(inventory))
    family = family_registry()[family_name]
    return family.drills[kind](ctx, tuple(d for d in dims if d != "question"))


def _tidy(rows: ir.Table) -> ir.Table:
    """``dim_x`` columns renamed ``x`` (dropped where the row has an ``x`` already)."""
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    renames = {
        c.removeprefix("dim_"): c for c in dim_cols if c.removeprefix("dim_") not in rows.columns
    }
    rows = rows.rename(renames) if renames else rows
    leftover = [c for c in rows.columns if c.startswith("dim_")]
    return rows.drop(*leftover) if leftover else rows


def drill(ws: Connection, row: Mapping[str, Any]) -> ir.Table:
    """The deals, leads, customers or reps counted for result ``row``."""
    metric = drillable(reg.get(str(row.get("metric", ""))))
    start, end = _date(row.get("start"), "start"), _date(row.get("end"), "end")
    if end <= start:
        raise UserError(f"drill: end {end} is not after start {start}")
    period = Period(str(row.get("period") or f"{start}..{end}"), start, end)
    group = _group(row)
    rows = rows_table(ws, metric, [period], tuple(group))
    return _tidy(gdims.group_filter(rows, group))


def drill_result(
    ws: Connection, result: MetricResult
) -> list[tuple[dict[str, Any], pd.DataFrame | None]]:
    """Every row of ``result`` with its underlying rows (None for survey metrics), one query
    per metric for all its periods and groups."""
    return drill_rows(ws, result.rows())


def drill_rows(
    ws: Connection, rows: Sequence[dict[str, Any]]
) -> list[tuple[dict[str, Any], pd.DataFrame | None]]:
    """Every result row of ``rows`` (as :meth:`MetricResult.rows` gives them) with its
    underlying rows (None for survey metrics), one query per metric for all its periods and
    groups."""
    frames: dict[str, pd.DataFrame] = {}
    for metric_id in dict.fromkeys(r["metric"] for r in rows):
        metric = reg.get(metric_id)
        if not metric.drill:
            continue
        mine = [r for r in rows if r["metric"] == metric_id]
        periods = {
            r["period"]: Period(r["period"], _date(r["start"], "start"), _date(r["end"], "end"))
            for r in mine
        }
        dims = tuple(dict.fromkeys(k for r in mine for k in r["group"]))
        table = rows_table(ws, metric, list(periods.values()), dims)
        # in a fixed order (every column), the same on every backend
        table = table.order_by(list(table.columns))
        frames[metric_id] = ws.backend.to_pyarrow(table).to_pandas()
    out: list[tuple[dict[str, Any], pd.DataFrame | None]] = []
    for r in rows:
        frame = frames.get(r["metric"])
        if frame is None:
            out.append((r, None))
            continue
        mask = frame["period"] == r["period"]
        for name, value in r["group"].items():
            column = frame[gdims.col(name)]
            mask &= column.isna() if value is None else column == value
        part = frame[mask]
        dim_cols = [c for c in part.columns if c.startswith("dim_")]
        part = part.rename(
            columns={c: c.removeprefix("dim_") for c in dim_cols if c[4:] not in part.columns}
        )
        part = part.drop(columns=[c for c in part.columns if c.startswith("dim_")])
        out.append((r, part.reset_index(drop=True)))
    return out
