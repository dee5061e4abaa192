"""The metric engine: many metrics × periods × groups in one query per component family.

:func:`evaluate` resolves the :class:`~salesmetrics.metrics.request.Request` (metrics, periods,
groups, comparison, bases), builds one
period spine holding every period needed (the requested ones, their comparison periods and, for
revenue growth, the periods before), runs each needed family's query once (or reads its kept
rows), lays the family rows out on component grids (:mod:`salesmetrics.metrics.grid`), then
computes every metric from the component columns with the :mod:`salesmetrics.formulas`
functions, vectorised over all (period, group) rows at once. Comparisons, targets and status
are added as columns; the result's frame of dict rows is built on first use
(:class:`MetricResult`). Python never loops over data rows, periods or groups. Whole-history
intermediates (stage
visits, ...) are materialised once per data version and shared by every family and evaluation
(:mod:`salesmetrics.derived`); their queries are counted as ``derived <name>``. Intermediates
of the periods but not of the grouping are materialised once per period spine
(:meth:`Context.shared`, counted as ``periods <name>``), so that the same periods grouped
another way reuse them.
"""

from __future__ import annotations

import functools
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics import fx, incremental
from salesmetrics.kept import PERIOD_KEY
from salesmetrics.metrics import anonymity, rollup
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics import targets as tgt
from salesmetrics.metrics.compute import Computed, Inputs, combine_notes, render
from salesmetrics.metrics.context import Context, read_inventory
from salesmetrics.metrics.families import Family
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.metrics.grid import Components, Grid, gather
from salesmetrics.metrics.plan import Plan, plan_request, seller_basis, spine_periods
from salesmetrics.metrics.request import Request
from salesmetrics.metrics.result import COMPARE_KEYS, ROW_KEYS, MetricResult

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from salesmetrics.config import Config
    from salesmetrics.connection import Connection

#: One metric's result rows as columns (equal-length arrays), assembled once at the end.
Columns = dict[str, np.ndarray]


def evaluate(ws: Connection, request: Request) -> MetricResult:
    """Compute ``request``'s metrics (default: every metric the workspace has data for) for its
    periods split by its grain, grouped by its dimensions, with its comparison and bases.

    A filter (``request.where``: ``region=EMEA``) is a group selected: the families are grouped
    by the filtered dimensions too (:attr:`Plan.grouped`; an additive family's from its kept
    cube, as ``--by`` would), everything is computed as for that grouping (comparisons, targets,
    the anonymity of small survey groups) and only the rows of the filtered value's group are
    kept, its value in their ``group``. So a filtered row is exactly the row of that group in the
    grouped result, whatever the metric (a median, a distinct count, a share of a suppressed
    group), and the kept intermediates are those of the grouping, shared by every filter. A
    metric whose facts do not carry a filtered dimension is not filtered silently: it says so
    (:func:`_unsupported_dims`); one with no rows of the value in the periods says that."""
    queries: list[str] = []
    inventory = read_inventory(ws, queries)
    materialised = len(ws.derived.built)
    plan, notes = plan_request(ws, inventory, queries, request)
    config = ws.config
    spine = spine_periods(plan, config.calendar, config.engagement_window_days)
    ctx = Context(ws, spine, inventory, queries)
    ctx.seller_basis = seller_basis(inventory)
    families = family_registry()
    rows_spine = _with_text_days(spine)
    period_notes = plan.period_notes()
    rows_spine["period_note"] = rows_spine["period"].map(period_notes).astype(object)

    runnable: list[reg.Metric] = []
    parts: list[_Part] = []
    for m in plan.metrics:
        missing = inventory.missing(m.tables)
        if missing:
            parts.append(
                _placeholder(m, rows_spine, f"no data: the workspace has no {', '.join(missing)}")
            )
            continue
        unsupported = _unsupported_dims(m, plan, families, config)
        if unsupported:
            parts.append(_placeholder(m, rows_spine, unsupported, dict(plan.where)))
            continue
        runnable.append(m)

    needed: dict[str, Family] = {}
    for m in runnable:
        for name in m.families_for(m.chosen_basis(plan.bases, config)):
            needed[name] = families[name]
    frames = {
        name: (_run_family(ctx, fam, plan.grouped), fam.dims_for(plan.grouped))
        for name, fam in needed.items()
    }
    components = Components(rows_spine, frames)
    queries.extend(ws.derived.built[materialised:])

    grids: dict[tuple[Any, ...], Grid] = {}
    for m in runnable:
        part = _metric_rows(ctx, m, plan, components, families, grids)
        filtered = {d for d, _ in plan.where}
        if not part.size and filtered and filtered >= set(plan.by):  # the one group is empty
            what = ", ".join(f"{d}={v}" for d, v in plan.where)
            part = _placeholder(m, rows_spine, f"no data for {what} in these periods", part.where)
        parts.append(part)

    return MetricResult(
        config.base_currency,
        lambda: _assemble(parts, plan, rows_spine),
        sum(p.size for p in parts),
        by=plan.by,
        compare=plan.compare,
        notes=notes,
        queries=list(queries),
        families=list(needed),
        period_notes=period_notes,
        where=dict(plan.where),
    )


def _with_text_days(spine: pd.DataFrame) -> pd.DataFrame:
    """The spine with ``start`` and ``end`` as ISO dates, as result rows show them."""
    out = spine.copy()
    for name in ("start", "end"):
        out[name] = [d.isoformat() for d in spine[name]]
    return out


def _run_family(ctx: Context, family: Family, by: Sequence[str]) -> pa.Table:
    """One family's components grouped by its dimensions of ``by``: summed up from its cube
    when it has one for them (:mod:`salesmetrics.metrics.rollup`), else grouped by those
    dimensions themselves; kept per period (:func:`_kept_rows`)."""
    dims = family.dims_for(by)
    if rollup.applies(family, dims):
        return _rolled_rows(ctx, family, dims)
    return _kept_rows(ctx, family, dims)


def _kept_rows(ctx: Context, family: Family, dims: Sequence[str]) -> pa.Table:
    """``family``'s components grouped by ``dims`` for the spine's periods. A period's rows
    depend on that period only, so they are computed once per data version (one query for the
    periods not computed before) and kept (:meth:`salesmetrics.derived.Derived.periodic`);
    the rows of the spine are kept for the session too (:meth:`Context.shared_frame`)."""
    name = _kept_name(family, "by", dims)

    def read() -> pa.Table:
        periods = list(ctx.period_keys.values())
        rows = _periodic_rows(ctx, family, dims, periods)
        return rows.drop_columns([PERIOD_KEY])

    return ctx.shared_frame(name, read)


def _rolled_rows(ctx: Context, family: Family, dims: Sequence[str]) -> pa.Table:
    """``family``'s components grouped by ``dims``, summed up from its cube
    (:func:`salesmetrics.metrics.rollup.roll`), kept per period like the cube's own rows: a
    later session reads the rolled rows instead of reading the cube and rolling it up again
    (each period's rows are a roll-up of that period's cube rows alone, in the same order, so
    they are the rows the whole spine's roll-up has)."""
    name = _kept_name(family, "rolled", dims)
    cube = rollup.cube_dims(family)

    def compute(missing: list[str]) -> tuple[pa.Table, frozenset[str]]:
        rows = _periodic_rows(ctx, family, cube, missing)
        rolled = rollup.roll(rows.drop_columns([PERIOD_KEY]), family, dims)
        reads = ctx.ws.derived.periodic_reads(_kept_name(family, "by", cube))
        return _with_period_keys(ctx, rolled), reads

    def read() -> pa.Table:
        periods = list(ctx.period_keys.values())
        rows = ctx.ws.derived.periodic(name, periods, compute)
        return rows.drop_columns([PERIOD_KEY])

    return ctx.shared_frame(name, read)


def _kept_name(family: Family, how: str, dims: Sequence[str]) -> str:
    """The name of ``family``'s per-period rows grouped by ``dims``: ``by`` (computed by its
    query) or ``rolled`` (summed up from its cube)."""
    return "_".join((family.name, how, *dims))


def _periodic_rows(
    ctx: Context, family: Family, dims: Sequence[str], periods: Sequence[str]
) -> pa.Table:
    """``family``'s kept rows grouped by ``dims`` for ``periods`` (period keys of the spine),
    with column :data:`PERIOD_KEY`; the periods not kept are computed (one query)."""

    def compute(missing: list[str]) -> tuple[pa.Table, frozenset[str]]:
        sub = ctx.restricted(missing)
        expr = family.build(sub, dims)
        rows = _query_arrow(sub, family, expr)
        return _with_period_keys(sub, rows), ctx.ws.derived.reads_of(expr)

    name = _kept_name(family, "by", dims)
    return ctx.ws.derived.periodic(name, periods, compute, grows=_additive(ctx, family))


def _with_period_keys(ctx: Context, rows: pa.Table) -> pa.Table:
    """``rows`` (of ``ctx``'s spine periods) with the key of each one's period
    (:data:`PERIOD_KEY`)."""
    labels = pa.array(list(ctx.period_keys), pa.string())
    keys = pa.array(list(ctx.period_keys.values()), pa.string())
    at = pc.index_in(rows["period"].cast(pa.string()), value_set=labels)
    return rows.append_column(PERIOD_KEY, keys.take(at))


def _additive(ctx: Context, family: Family) -> incremental.Additive | None:
    """How ``family``'s kept per-period rows grow by new units (deals, activities, leads), if
    it declares it and every column besides its keys is a sum or a maximum; with the values it
    reads some tables through (:class:`~salesmetrics.incremental.Through`), if it declares
    them."""
    if family.grows is None or not family.additive or not set(family.other) <= set(family.maxima):
        return None
    through = None
    if family.through is not None:
        tables, values = family.through
        through = incremental.Through(family.name, tables, lambda: values(ctx))
    return incremental.Additive(family.grows, family.components, family.maxima, through)


def _query_arrow(ctx: Context, family: Family, expr: ir.Table) -> pa.Table:
    """Run ``family``'s query ``expr``; check currency conversion."""
    rows = ctx.execute_arrow(expr, family.name)
    checks = [c for c in (fx.MISSING_COUNT, fx.MISSING_EXAMPLE) if c in rows.column_names]
    if checks:
        fx.raise_missing(rows.select(checks).to_pandas(), family.what or family.name)
    return rows.drop_columns(checks)


def _unsupported_dims(
    metric: reg.Metric, plan: Plan, families: Mapping[str, Family], config: Config
) -> str | None:
    """Why ``metric`` cannot be grouped by the requested dimensions, or None."""
    basis = metric.chosen_basis(plan.bases, config)
    primary = [families[f] for f in metric.families_for(basis) if f not in metric.broadcast]
    for dim in plan.grouped:
        lacking = [f.name for f in primary if dim not in f.dims_supported]
        if lacking:
            how = "by" if dim in plan.by else "filtered by"
            return f"not available {how} {dim}: {', '.join(lacking)} data carry no {dim}"
    return None


def _placeholder(
    metric: reg.Metric, spine: pd.DataFrame, note: str, group: Mapping[str, str] | None = None
) -> _Part:
    """Rows with a null value and ``note`` for every output period, in ``group`` (the filters,
    else none)."""
    output = np.flatnonzero(spine["output"].to_numpy(dtype=bool))
    rows = _at(spine, ("period",), output)
    n = len(output)
    groups = (dict(group or {}) for _ in range(n))
    rows.update(note=_repeat(note, n), group=_objects(groups, n))
    return _Part(
        metric, n, output, rows, lambda: _objects(({} for _ in range(n)), n), dict(group or {})
    )


@dataclass(frozen=True)
class _Part:
    """The ``size`` result rows of ``metric`` as ``columns``, at spine positions ``periods``
    (its id and unit, the same on every row, the periods' start and end dates and the
    components' dicts ``components()`` gives are added when the result's frame is built)."""

    metric: reg.Metric
    size: int
    periods: np.ndarray
    columns: Columns
    components: Callable[[], np.ndarray]
    #: The filters (dimension → value) the rows are restricted to.
    where: dict[str, str] = field(default_factory=dict)


def _metric_rows(
    ctx: Context,
    metric: reg.Metric,
    plan: Plan,
    components: Components,
    families: Mapping[str, Family],
    grids: dict[tuple[Any, ...], Grid],
) -> _Part:
    """Compute ``metric`` for every (spine period, group) row, then keep the output rows.
    ``grids`` keeps the component grid of each set of families (several metrics share one)."""
    basis = metric.chosen_basis(plan.bases, ctx.config)
    names = metric.families_for(basis)
    keys = (*plan.grouped, *metric.dims)
    grid_key = (tuple(names), tuple(n for n in names if n in metric.broadcast), keys)
    grid = grids.get(grid_key)
    if grid is None:
        grid = grids[grid_key] = _grid(metric, names, plan.grouped, families, components)
    columns = grid.columns
    if metric.previous:
        before = grid.shifted("prev_period")
        previous = {f"prev_{c}": _previous(columns[c], before) for c in metric.previous}
        columns = ChainMap(previous, columns)  # type: ignore[arg-type]

    extra = {"seller_basis": ctx.seller_basis, "customer_basis": ctx.customer_basis_name}
    computed = metric.compute(Inputs(columns, ctx.config, basis, extra))
    if metric.respondents:  # before anything reads the values: comparisons, targets, status
        counts = columns[metric.respondents]
        minimum = ctx.config.min_survey_group
        computed = anonymity.protect(computed, grid, counts, metric.dims, minimum)
    value = _value(metric, computed)
    kept = grid.output
    if plan.where:  # the filtered value's group only (see evaluate)
        chosen = np.ones(grid.width, dtype=bool)
        for dim, wanted in plan.where:
            chosen &= grid.groups[dim] == wanted
        kept = kept[chosen[grid.group_at[kept]]]
    rows = grid.at(kept, ("period", "compare_period", *keys))
    note = combine_notes(
        _notes(metric, computed, value, rows["period"], kept),
        grid.spine["period_note"][grid.period_at[kept]],  # the data ends before the period does
    )
    assert note is not None
    rows.update(value=value[kept], note=note)
    if plan.compare:  # the comparison periods' values are read from the other spine rows
        rows.update(_compare(value, grid.shifted("compare_period")[kept], value[kept]))
    rows["group"] = grid.group_dicts[grid.group_at[kept]]
    target = tgt.resolve(metric, rows, len(kept), keys, ctx.config)
    targets = target.astype(object)
    targets[np.isnan(target)] = None
    rows["target"] = targets
    rows["status"] = tgt.status(metric, rows["value"], target)
    periods = grid.period_at[kept]
    return _Part(
        metric,
        len(kept),
        periods,
        rows,
        lambda: _components(computed, kept),
        dict(plan.where),
    )


def _grid(
    metric: reg.Metric,
    names: Sequence[str],
    by: Sequence[str],
    families: Mapping[str, Family],
    components: Components,
) -> Grid:
    """The components of families ``names`` (those of ``metric``'s basis) for every (spine
    period, group) row: the primary families' groups crossed with the periods, broadcast
    families read on their own dimensions, missing additive components 0."""
    primary = [n for n in names if n not in metric.broadcast]
    broadcast = [n for n in names if n in metric.broadcast]
    additive = {c for n in names for c in families[n].components}
    keys = (*by, *metric.dims)
    return components.grid(keys, primary, broadcast, additive)


def _previous(column: np.ndarray, before: np.ndarray) -> np.ndarray:
    """``column``'s value in each row's previous period (grid rows ``before``), 0 where none."""
    out = gather(np.asarray(column, dtype="float64"), before)
    return np.where(np.isnan(out), 0.0, out)


def _value(metric: reg.Metric, computed: Computed) -> np.ndarray:
    """A computed metric's values as floats (NaN where undefined), money to the cent."""
    value = np.asarray(computed.value, dtype="float64")
    value = np.where(np.isfinite(value), value, np.nan)
    if metric.unit in (reg.Unit.MONEY, reg.Unit.MONEY_PER_DAY):
        value = np.round(value, 2)
    return value


def _notes(
    metric: reg.Metric, computed: Computed, value: np.ndarray, period: np.ndarray, kept: np.ndarray
) -> np.ndarray:
    """The note of each kept row: the metric's own, else its null note where undefined."""
    note = (
        np.asarray(computed.notes, dtype=object)[kept]
        if computed.notes is not None
        else np.full(len(kept), None, dtype=object)
    )
    fallback = np.isnan(value[kept]) & pd.isna(note)
    if fallback.any():  # the metric's note for an undefined value without its own
        periods = pd.Series(period[fallback], dtype=object).astype(str)
        note[fallback] = render(metric.null_note, periods).to_numpy(dtype=object)
    return note


def _compare(value: np.ndarray, other: np.ndarray, own: np.ndarray) -> Columns:
    """The comparison value (``value`` at grid rows ``other``) and the change from it of each
    row's ``own`` value."""
    compare_value = gather(value, other)
    change = own - compare_value
    base = np.abs(compare_value)
    with np.errstate(invalid="ignore", divide="ignore"):
        change_rate = np.where(base > 0, change / np.where(base > 0, base, 1.0), np.nan)
    return {"compare_value": compare_value, "change": change, "change_rate": change_rate}


def _components(computed: Computed, kept: np.ndarray) -> np.ndarray:
    """The components shown with each kept row (grid positions ``kept``), hidden ones left
    out, as an array of dicts."""
    names = tuple(computed.components)
    columns = [_take(column, kept) for column in computed.components.values()]
    records = map(_record_maker(names), *columns) if columns else ({} for _ in range(len(kept)))
    if computed.hidden is not None:
        hidden = np.asarray(computed.hidden, dtype=bool)[kept]
        shown = computed.hidden_components
        records = (
            {k: v for k, v in r.items() if k in shown} if h else r
            for r, h in zip(records, hidden, strict=True)
        )
    return _objects(records, len(kept))


@functools.cache
def _record_maker(names: tuple[str, ...]) -> Callable[..., dict[str, Any]]:
    """A function of one value per name returning the dict of ``names`` to those values.

    It is a dict display compiled for ``names`` (the names are the lambda's globals, never
    put in its source): CPython builds such a dict in one step, about twice as fast as ``dict()``
    of zipped pairs, and a result holds one dict per row and metric (a quarter of a million
    in a review by rep and month).
    """
    params = [f"v{i}" for i in range(len(names))]
    keys = {f"k{i}": name for i, name in enumerate(names)}
    items = ", ".join(f"k{i}: {p}" for i, p in enumerate(params))
    maker: Callable[..., dict[str, Any]] = eval(  # the source holds only generated identifiers
        f"lambda {', '.join(params)}: {{{items}}}", keys
    )
    return maker


def _take(column: Any, kept: np.ndarray) -> list[Any]:
    """Positions ``kept`` of a component column (a constant repeated), as Python scalars."""
    if not np.ndim(column):
        return [column] * len(kept)
    if isinstance(column, pd.Series):
        return column.iloc[kept].tolist()
    return np.asarray(column)[kept].tolist()  # type: ignore[no-any-return]


def _objects(values: Iterable[Any], n: int) -> np.ndarray:
    """An array of the ``n`` Python objects (dicts) ``values`` gives."""
    return np.fromiter(values, dtype=object, count=n)


def _at(frame: pd.DataFrame, columns: Sequence[str], positions: np.ndarray) -> Columns:
    """``frame``'s ``columns`` at row ``positions``, as object arrays."""
    return {c: frame[c].to_numpy(dtype=object)[positions] for c in columns}


def _repeat(value: Any, n: int) -> np.ndarray:
    """``value`` ``n`` times, as an object array."""
    return np.full(n, value, dtype=object)


#: Columns holding a missing value as None in the result frame.
_NULLABLE = ("value", "note", "target", "status", *COMPARE_KEYS)


def _assemble(parts: Sequence[_Part], plan: Plan, spine: pd.DataFrame) -> pd.DataFrame:
    """Concatenate per-metric rows in request order (each part is one metric's rows, already
    by period and group: see :mod:`salesmetrics.metrics.grid`). The text columns (the metric,
    its unit, the period's start and end) are built from their few distinct values."""
    columns = [*ROW_KEYS, *COMPARE_KEYS]
    if not parts:
        return pd.DataFrame(columns=columns)
    order = {m.id: i for i, m in enumerate(plan.metrics)}
    ordered = sorted(parts, key=lambda p: order[p.metric.id])
    which = np.repeat(np.arange(len(ordered)), [p.size for p in ordered])
    periods = np.concatenate([p.periods for p in ordered])
    data: dict[str, pd.Series[Any]] = {
        "metric": _text(which, [p.metric.id for p in ordered]),
        "unit": _text(which, [str(p.metric.unit) for p in ordered]),
        "start": _text(periods, spine["start"].tolist()),
        "end": _text(periods, spine["end"].tolist()),
        "components": pd.Series(
            np.concatenate([p.components() for p in ordered]), dtype=object, copy=False
        ),
    }
    for col in columns:
        if col not in data:
            pieces = [p.columns.get(col) for p in ordered]
            data[col] = _merged(pieces, [p.size for p in ordered], col in _NULLABLE)
    # not copied into one block per type: each column is built for the frame alone
    return pd.DataFrame({col: data[col] for col in columns}, copy=False)


def _text(codes: np.ndarray, values: Sequence[str]) -> pd.Series[Any]:
    """A text column holding ``values[code]`` for each of ``codes`` (taken in Arrow: much
    faster than converting one Python string per row)."""
    taken = pa.array(values, pa.large_string()).take(pa.array(codes, pa.int32()))
    return pd.Series(taken, dtype="str")


def _merged(
    pieces: Sequence[np.ndarray | None], sizes: Sequence[int], nullable: bool
) -> pd.Series[Any]:
    """One object column from each part's piece (None where a part has none); a ``nullable``
    column's missing values (NaN, NA) are None."""
    if all(p is None for p in pieces):  # the comparison columns of a result without one
        return pd.Series(np.full(sum(sizes), None, dtype=object), dtype=object, copy=False)
    if nullable and all(p is None or p.dtype.kind == "f" for p in pieces):
        # numbers, and None for the parts without (placeholders): NaN found among the floats
        numbers: np.ndarray = np.concatenate(
            [np.full(n, np.nan) if p is None else p for p, n in zip(pieces, sizes, strict=True)]
        )
        merged = numbers.astype(object)
        merged[np.isnan(numbers)] = None
    else:
        merged = np.concatenate(
            [np.full(n, None) if p is None else p for p, n in zip(pieces, sizes, strict=True)]
        ).astype(object)
        if nullable:
            merged[pd.isna(merged)] = None
    return pd.Series(merged, dtype=object, copy=False)
