"""Component families: one backend query each, shared by every metric that reads it.

A family joins the period spine to its facts (``start <= date < end``) and aggregates them by
(period, group dimensions) into *components*: counts and sums from which metrics are computed
(won, lost, won_amount, ...). The engine runs each family a metric needs exactly once per
evaluation, whatever the number of metrics, periods and groups.

A family also exposes its row-level tables (``drills``): the deals, leads, customers or reps a
result row was computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import fx
from salesmetrics.incremental import PerUnit

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

BuildFn = Callable[["Context", Sequence[str]], ir.Table]
DrillFn = Callable[["Context", Sequence[str]], ir.Table]


@dataclass(frozen=True)
class Family:
    """A family of components computed by one query.

    ``build(ctx, dims)`` returns the aggregated table: ``period``, one column per dimension of
    ``dims`` (a subset of ``dims_supported``, plus the family's own ``inherent`` dimensions),
    the ``components`` (additive: a missing group counts 0) and ``other`` columns (medians:
    missing stays missing). ``drills`` map a row kind to a function returning the row-level
    table (``period``, ``dim_*`` columns and the row's fields). ``additive``: every component
    is a count or sum over rows each in exactly one group, so that the family grouped by rep
    dimensions can be summed up from its finest grouping (:mod:`salesmetrics.metrics.rollup`);
    ``maxima``: the ``other`` columns that are a maximum over the rows (rolled up by max).
    ``grows``: every component is a sum (or maximum) over units (deals, activities), each
    unit's part depending only on its own rows in the tables named there (the other tables the
    family reads, and the intermediates of other kinds it reads, must not change), so that a
    kept period's rows are brought up to date by adding the new units' rows
    (:class:`~salesmetrics.incremental.PerUnit`). Declared, never guessed: a family that ranks,
    takes medians or thresholds over units, or reads a unit through another (a customer through
    its deals), has none. ``through``: tables the family reads, for every grouping, only
    through per-key values that ``through[1](ctx)`` gives (``through[0]``; a lead's deal
    outcome), so that an import appending to them that leaves the values as they were leaves
    each unit's part as it was (:class:`~salesmetrics.incremental.Through`).
    """

    name: str
    tables: tuple[str, ...]
    dims_supported: frozenset[str]
    components: tuple[str, ...]
    build: BuildFn
    drills: Mapping[str, DrillFn] = field(default_factory=dict)
    other: tuple[str, ...] = ()
    inherent: tuple[str, ...] = ()
    what: str = ""
    additive: bool = False
    maxima: tuple[str, ...] = ()
    grows: PerUnit | None = None
    through: tuple[tuple[str, ...], Callable[[Context], ir.Table]] | None = None

    def dims_for(self, by: Sequence[str]) -> tuple[str, ...]:
        """The dimensions of ``by`` this family groups by, then its inherent ones."""
        return tuple(d for d in by if d in self.dims_supported) + self.inherent


def in_period(spine: ir.Table, facts: ir.Table, day: ir.DateValue) -> ir.Table:
    """The range join of the spine to ``facts``: one row per (period, fact) with the fact's
    ``day`` in [start, end). Facts are filtered to the spine's overall range first."""
    return spine.join(facts, [day >= spine.start, day < spine.end])


def regroup(
    keys: Sequence[str], parts: Sequence[ir.Table], sums: Sequence[str], maxes: Sequence[str] = ()
) -> ir.Table:
    """Combine aggregates of different row sets into one row per key (null-safe).

    Each part has the ``keys`` and some of the ``sums``/``maxes`` columns; missing ones are
    filled with null, the parts are stacked and summed (``maxes``: the one non-null value kept).
    Group-by treats null keys as equal, which a join on nullable dimension keys would not.
    """
    columns = [*sums, *maxes, fx.MISSING_COUNT, fx.MISSING_EXAMPLE]
    typed: dict[str, object] = {}
    for part in parts:
        for name in columns:
            if name in part.columns and name not in typed:
                typed[name] = part[name].type()
    aligned = []
    for part in parts:
        values = {
            name: part[name] if name in part.columns else ibis.null(typed[name])
            for name in columns
            if name in typed
        }
        aligned.append(part.select(*keys, **values))
    stacked = ibis.union(*aligned) if len(aligned) > 1 else aligned[0]
    aggs: dict[str, ir.Value] = {}
    for name in columns:
        if name not in typed:
            continue
        if name in maxes or name == fx.MISSING_EXAMPLE:
            aggs[name] = stacked[name].max()
        else:
            aggs[name] = stacked[name].sum()
    return stacked.group_by(list(keys)).aggregate(**aggs)


def registry() -> dict[str, Family]:
    """Every family by name."""
    from salesmetrics.metrics.families import (
        activities,
        costs,
        customers,
        deals,
        engagement,
        forecast,
        leads,
        pipeline,
        recurring,
        stages,
        surveys,
        team,
    )

    families = (
        deals.FAMILY,
        deals.CYCLES,
        leads.FAMILY,
        customers.FAMILY,
        costs.FAMILY,
        team.FAMILY,
        activities.FAMILY,
        engagement.FAMILY,
        surveys.ENPS,
        surveys.PULSE,
        pipeline.FAMILY,
        stages.FAMILY,
        forecast.FAMILY,
        recurring.FAMILY,
        recurring.FAMILY_12M,
        recurring.RECOGNIZED,
    )
    return {f.name: f for f in families}
