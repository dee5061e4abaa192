"""The metric engine: many metrics × periods × groups in one query per component family.

:func:`evaluate` resolves the request (metrics, periods, groups, comparison, bases), builds one
period spine holding every period needed (the requested ones, their comparison periods and, for
revenue growth, the periods before), runs each needed family's query once, then computes every
metric from the component columns with the :mod:`salesmetrics.formulas` functions, vectorised
over all (period, group) rows at once. Comparisons, targets and status are added to the same
rows. Python never loops over data rows, periods or groups. Whole-history intermediates (stage
visits, ...) are materialised once per data version and shared by every family and evaluation
(:mod:`salesmetrics.derived`); their queries are counted as ``derived <name>``. Intermediates
of the periods but not of the grouping are materialised once per period spine
(:meth:`Context.shared`, counted as ``periods <name>``), so that the same periods grouped
another way reuse them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics import fx
from salesmetrics.kept import PERIOD_KEY
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics import rollup
from salesmetrics.metrics import targets as tgt
from salesmetrics.metrics.compute import Computed, Inputs, render
from salesmetrics.metrics.context import Context, read_inventory
from salesmetrics.metrics.families import Family
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.metrics.plan import Plan, plan_request, seller_basis, spine_periods
from salesmetrics.metrics.result import COMPARE_KEYS, ROW_KEYS, MetricResult
from salesmetrics.periods import Grain

if TYPE_CHECKING:
    from salesmetrics.workspace import Workspace

#: One metric's result rows as columns (equal-length arrays), assembled once at the end.
Columns = dict[str, np.ndarray]


def evaluate(
    ws: Workspace,
    metrics: str | Iterable[str] | None = None,
    *,
    period: str | None = None,
    from_period: str | None = None,
    to_period: str | None = None,
    grain: str | Grain | None = None,
    by: str | Iterable[str] | None = None,
    compare: str | None = None,
    basis: Mapping[str, str] | None = None,
) -> MetricResult:
    """Compute ``metrics`` (default: every metric the workspace has data for) for ``period``
    (or ``from_period``..``to_period``) split by ``grain``, grouped ``by`` dimensions, with an
    optional comparison (``previous`` or ``year``) and bases per metric."""
    queries: list[str] = []
    inventory = read_inventory(ws, queries)
    plan, notes = plan_request(
        ws,
        inventory,
        queries,
        metrics=metrics,
        period=period,
        from_period=from_period,
        to_period=to_period,
        grain=grain,
        by=by,
        compare=compare,
        basis=basis,
    )
    config = ws.config
    spine = spine_periods(plan, config.fiscal_year_start_month, config.engagement_window_days)
    ctx = Context(ws, spine, inventory, queries)
    ctx.seller_basis = seller_basis(inventory)
    families = family_registry()

    runnable: list[reg.Metric] = []
    parts: list[Columns] = []
    for m in plan.metrics:
        missing = inventory.missing(m.tables)
        if missing:
            parts.append(
                _placeholder(m, spine, f"no data: the workspace has no {', '.join(missing)}")
            )
            continue
        unsupported = _unsupported_dims(m, plan, families)
        if unsupported:
            parts.append(_placeholder(m, spine, unsupported))
            continue
        runnable.append(m)

    needed: dict[str, Family] = {}
    for m in runnable:
        for name in m.families_for(plan.bases.get(m.id, m.default_basis)):
            needed[name] = families[name]
    materialised = len(ws.derived.built)
    frames = {name: _run_family(ctx, fam, plan.by) for name, fam in needed.items()}
    queries.extend(ws.derived.built[materialised:])

    grids: dict[tuple[Any, ...], _Grid] = {}
    for m in runnable:
        parts.append(_metric_rows(ctx, m, plan, spine, frames, families, grids))

    frame = _assemble(parts, plan)
    return MetricResult(
        base_currency=config.base_currency,
        frame=frame,
        by=plan.by,
        compare=plan.compare,
        notes=notes,
        queries=list(queries),
        families=list(needed),
    )


def _run_family(ctx: Context, family: Family, by: Sequence[str]) -> pd.DataFrame:
    """One family's components grouped by its dimensions of ``by``: summed up from its cube
    when it has one for them (:mod:`salesmetrics.metrics.rollup`), else grouped by those
    dimensions themselves; kept per period (:func:`_kept_rows`); group columns normalised."""
    dims = family.dims_for(by)
    if rollup.applies(family, dims):
        cube = _kept_rows(ctx, family, rollup.cube_dims(family))
        frame = rollup.roll(cube, family, dims)
    else:
        frame = _kept_rows(ctx, family, dims).copy()
    for d in dims:
        frame[d] = _object(frame[d])
    frame["period"] = frame["period"].astype(object)
    return frame


def _kept_rows(ctx: Context, family: Family, dims: Sequence[str]) -> pd.DataFrame:
    """``family``'s components grouped by ``dims`` for the spine's periods. A period's rows
    depend on that period only, so they are computed once per data version (one query for the
    periods not computed before) and kept (:meth:`salesmetrics.derived.Derived.periodic`);
    the frame of the spine is kept for the session too (:meth:`Context.shared_frame`)."""
    name = "_".join((family.name, "by", *dims))

    def compute(missing: list[str]) -> pa.Table:
        sub = ctx.restricted(missing)
        rows = _query_arrow(sub, family, dims)
        labels = pa.array(list(sub.period_keys), pa.string())
        keys = pa.array(list(sub.period_keys.values()), pa.string())
        at = pc.index_in(rows["period"].cast(pa.string()), value_set=labels)
        return rows.append_column(PERIOD_KEY, keys.take(at))

    def read() -> pd.DataFrame:
        periods = list(ctx.period_keys.values())
        rows = ctx.ws.derived.periodic(name, periods, compute)
        frame: pd.DataFrame = rows.drop_columns([PERIOD_KEY]).to_pandas()
        return frame

    return ctx.shared_frame(name, read)


def _query_arrow(ctx: Context, family: Family, dims: Sequence[str]) -> pa.Table:
    """Run ``family``'s query grouped by ``dims``; check currency conversion."""
    rows = ctx.execute_arrow(family.build(ctx, dims), family.name)
    checks = [c for c in (fx.MISSING_COUNT, fx.MISSING_EXAMPLE) if c in rows.column_names]
    if checks:
        fx.raise_missing(rows.select(checks).to_pandas(), family.what or family.name)
    return rows.drop_columns(checks)


def _object(series: pd.Series[Any]) -> pd.Series[Any]:
    """Group values as Python objects with None for missing (pandas may give NaN)."""
    out = series.astype(object)
    return out.where(out.notna(), None)


def _unsupported_dims(metric: reg.Metric, plan: Plan, families: Mapping[str, Family]) -> str | None:
    """Why ``metric`` cannot be grouped by the requested dimensions, or None."""
    basis = plan.bases.get(metric.id, metric.default_basis)
    primary = [families[f] for f in metric.families_for(basis) if f not in metric.broadcast]
    for dim in plan.by:
        lacking = [f.name for f in primary if dim not in f.dims_supported]
        if lacking:
            return f"not available by {dim}: {', '.join(lacking)} data carry no {dim}"
    return None


def _placeholder(metric: reg.Metric, spine: pd.DataFrame, note: str) -> Columns:
    """Rows with a null value and ``note`` for every output period (no groups)."""
    output = np.flatnonzero(spine["output"].to_numpy(dtype=bool))
    rows = _at(spine, ("period", "start", "end"), output)
    n = len(output)
    rows.update(
        metric=_repeat(metric.id, n),
        unit=_repeat(str(metric.unit), n),
        note=_repeat(note, n),
        group=_objects(_empty(n)),
        components=_objects(_empty(n)),
    )
    return rows


def _metric_rows(
    ctx: Context,
    metric: reg.Metric,
    plan: Plan,
    spine: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    families: Mapping[str, Family],
    grids: dict[tuple[Any, ...], _Grid],
) -> Columns:
    """Compute ``metric`` for every (spine period, group) row, then keep the output rows.
    ``grids`` keeps the component grid of each set of families (several metrics share one)."""
    basis = plan.bases.get(metric.id, metric.default_basis)
    names = metric.families_for(basis)
    keys = [*plan.by, *metric.dims]
    grid_key = (tuple(names), tuple(n for n in names if n in metric.broadcast), tuple(keys))
    grid = grids.get(grid_key)
    if grid is None:
        data = _grid(metric, plan.by, names, keys, spine, frames, families)
        grid = grids[grid_key] = _Grid(data, keys)
    data = grid.data
    if metric.previous:
        prev = data[["period", *keys, *metric.previous]].rename(
            columns={"period": "prev_period", **{c: f"prev_{c}" for c in metric.previous}}
        )
        data = data.merge(prev, on=["prev_period", *keys], how="left")
        prev_cols = [f"prev_{c}" for c in metric.previous]
        data[prev_cols] = data[prev_cols].fillna(0)

    extra = {"seller_basis": ctx.seller_basis, "customer_basis": ctx.customer_basis_name}
    computed = metric.compute(Inputs(data, ctx.config, basis, extra))
    output = data["output"].to_numpy(dtype=bool)
    if plan.compare:  # the comparison periods' values are read from the other spine rows
        rows = _add_compare(_values(metric, data, keys, computed, np.arange(len(data))), keys)
        rows = {c: column[output] for c, column in rows.items()}
    else:
        rows = _values(metric, data, keys, computed, np.flatnonzero(output))
    # the per-row dicts, for the output rows only (a spine also holds earlier periods)
    kept = rows.pop("_row")
    rows["group"] = grid.groups[kept]
    rows["components"] = _objects(_components(computed, kept))
    target = tgt.resolve(metric, rows, len(kept), keys, ctx.config)
    targets = target.astype(object)
    targets[np.isnan(target)] = None
    rows["target"] = targets
    rows["status"] = tgt.status(metric, rows["value"], target)
    return rows


class _Grid:
    """A component grid grouped by ``keys`` (its rows in result order: by period, then group)
    and, built on first use, its rows' group dicts (the same for every metric read from it:
    metric previous-period merges keep its row order)."""

    def __init__(self, data: pd.DataFrame, keys: Sequence[str]) -> None:
        self.data = data
        self.keys = list(keys)

    @cached_property
    def groups(self) -> np.ndarray:
        """One dict of the keys per grid row (one object per row, shared by the metrics)."""
        return _objects(_records(self.data, self.keys) if self.keys else _empty(len(self.data)))


def _grid(
    metric: reg.Metric,
    by: Sequence[str],
    names: Sequence[str],
    keys: Sequence[str],
    spine: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    families: Mapping[str, Family],
) -> pd.DataFrame:
    """The components of families ``names`` (those of ``metric``'s basis) for every (spine
    period, group ``keys``) row: the primary families' groups crossed with the periods,
    broadcast families joined on their own dimensions of the request's ``by``, missing
    additive components 0. The rows are in result order (spine order, then the groups'
    :func:`_sort_key`), which the left merges after the cross product keep."""
    primary = [n for n in names if n not in metric.broadcast]

    merged: pd.DataFrame | None = None
    for name in primary:
        part = frames[name]
        merged = part if merged is None else merged.merge(part, on=["period", *keys], how="outer")
    assert merged is not None
    for key in keys:  # an outer merge may turn a missing group value (None) into NaN
        merged[key] = _object(merged[key])
    periods_frame = spine[["period", "start", "end", "output", "compare_period", "prev_period"]]
    if keys:
        groups = merged[keys].drop_duplicates()
        order = np.argsort(_sort_key(groups, keys).to_numpy(dtype=object), kind="stable")
        grid = periods_frame.merge(groups.iloc[order].reset_index(drop=True), how="cross")
    else:
        grid = periods_frame.copy()
    data = grid.merge(merged, on=["period", *keys], how="left")
    for name in names:
        if name in metric.broadcast:
            fam = families[name]
            on = ["period", *fam.dims_for(by)]
            data = data.merge(frames[name], on=on, how="left")
    additive = [c for n in names for c in families[n].components if c in data.columns]
    data[additive] = data[additive].fillna(0)
    return data


def _values(
    metric: reg.Metric,
    data: pd.DataFrame,
    keys: Sequence[str],
    computed: Computed,
    positions: np.ndarray,
) -> Columns:
    """Result rows (value, note) of a computed metric for the grid rows at ``positions``, with
    the row's position in the grid (``_row``)."""
    value = np.asarray(computed.value, dtype="float64")[positions]
    value = np.where(np.isfinite(value), value, np.nan)
    if metric.unit in (reg.Unit.MONEY, reg.Unit.MONEY_PER_DAY):
        value = np.round(value, 2)
    note = (
        np.asarray(computed.notes, dtype=object)[positions]
        if computed.notes is not None
        else np.full(len(positions), None, dtype=object)
    )
    rows = _at(data, ("period", "start", "end", "compare_period", *keys), positions)
    fallback = np.isnan(value) & pd.isna(note)
    if fallback.any():  # the metric's note for an undefined value without its own
        periods = pd.Series(rows["period"][fallback], dtype=object).astype(str)
        note[fallback] = render(metric.null_note, periods).to_numpy(dtype=object)
    rows.update(
        metric=_repeat(metric.id, len(positions)),
        unit=_repeat(str(metric.unit), len(positions)),
        value=value,
        note=note,
        _row=positions,
    )
    return rows


def _components(computed: Computed, kept: np.ndarray) -> list[dict[str, Any]]:
    """The components shown with each kept row (grid positions ``kept``), hidden ones left
    out."""
    names = list(computed.components)
    values = [_take(column, kept) for column in computed.components.values()]
    records = [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    if computed.hidden is not None:
        hidden = np.asarray(computed.hidden, dtype=bool)[kept]
        shown = computed.hidden_components
        records = [
            {k: v for k, v in r.items() if k in shown} if h else r
            for r, h in zip(records, hidden, strict=True)
        ]
    return records


def _take(column: Any, kept: np.ndarray) -> list[Any]:
    """Positions ``kept`` of a component column (a constant repeated), as Python scalars."""
    if not np.ndim(column):
        return [column] * len(kept)
    if isinstance(column, pd.Series):
        return column.iloc[kept].tolist()
    return np.asarray(column)[kept].tolist()  # type: ignore[no-any-return]


def _empty(n: int) -> list[dict[str, Any]]:
    """``n`` empty dicts (the group of company-wide rows, a placeholder's components)."""
    return [{} for _ in range(n)]


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """``frame[columns]`` as one dict per row, with Python scalars (what
    ``DataFrame.to_dict("records")`` gives, several times faster)."""
    names = list(columns)
    values = [frame[c].tolist() for c in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _sort_key(data: pd.DataFrame, keys: Sequence[str]) -> pd.Series[Any]:
    """The group's order in the result: its values as text (missing first), joined by NUL, so
    that comparing keys compares the values one after the other."""
    if not keys:
        return pd.Series("", index=data.index, dtype=object)
    text = [data[k].astype(object).where(data[k].notna(), "").astype(str) for k in keys]
    joined = text[0]
    for part in text[1:]:
        joined = joined + "\x00" + part
    return joined


def _objects(values: Sequence[Any]) -> np.ndarray:
    """An array of Python objects (dicts), one per value."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _at(frame: pd.DataFrame, columns: Sequence[str], positions: np.ndarray) -> Columns:
    """``frame``'s ``columns`` at row ``positions``, as object arrays."""
    return {c: frame[c].to_numpy(dtype=object)[positions] for c in columns}


def _repeat(value: Any, n: int) -> np.ndarray:
    """``value`` ``n`` times, as an object array."""
    return np.full(n, value, dtype=object)


def _add_compare(rows: Columns, keys: Sequence[str]) -> Columns:
    """Add the comparison period's value and the change to every row."""
    frame = pd.DataFrame({c: rows[c] for c in ("period", "compare_period", *keys, "value")})
    other = frame[["period", *keys, "value"]].rename(
        columns={"period": "compare_period", "value": "compare_value"}
    )
    # (period, group) is unique, so the left merge keeps one row per row, in order
    compare = frame.merge(other, on=["compare_period", *keys], how="left")["compare_value"]
    compare_value = compare.to_numpy(dtype="float64")
    change = rows["value"] - compare_value
    base = np.abs(compare_value)
    with np.errstate(invalid="ignore", divide="ignore"):
        change_rate = np.where(base > 0, change / np.where(base > 0, base, 1.0), np.nan)
    return {**rows, "compare_value": compare_value, "change": change, "change_rate": change_rate}


#: Columns holding a missing value as None in the result frame.
_NULLABLE = ("value", "note", "target", "status", *COMPARE_KEYS)
#: Columns of text in the result frame (the others hold Python objects).
_TEXT = ("metric", "start", "end", "unit")


def _assemble(parts: Sequence[Columns], plan: Plan) -> pd.DataFrame:
    """Concatenate per-metric rows in request order (each part is one metric's rows, already
    by period and group: see :func:`_grid`)."""
    columns = [*ROW_KEYS, *COMPARE_KEYS]
    if not parts:
        return pd.DataFrame(columns=columns)
    order = {m.id: i for i, m in enumerate(plan.metrics)}
    ordered = sorted(
        parts, key=lambda part: order[part["metric"][0]] if len(part["metric"]) else -1
    )
    data: dict[str, pd.Series[Any]] = {}
    for col in columns:
        merged = np.concatenate(
            [p[col] if col in p else np.full(len(p["metric"]), None) for p in ordered]
        ).astype(object)
        if col in _NULLABLE:
            merged[pd.isna(merged)] = None
        if col in ("start", "end"):  # a few distinct days: formatted once each
            codes, days = pd.factorize(merged)
            text = [d.isoformat() if hasattr(d, "isoformat") else d for d in days]
            merged = np.asarray(text, dtype=object)[codes]
        data[col] = pd.Series(merged, dtype="str" if col in _TEXT else object, copy=False)
    return pd.DataFrame(data)
