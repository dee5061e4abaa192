"""Component cubes: a family computed once per period spine at the finest rep grouping, then
summed up to any coarser one.

Company-wide, by team, by manager, by region and by rep are the groupings every review asks
for, one after the other, over the same periods. For an *additive* family (every component is
a count or a sum over rows each of which lies in exactly one group: a deal has one owner, a
customer one account owner, a seller is one rep) the components grouped by any subset of
:data:`CUBE_DIMS` are the sums of the components grouped by all of them. So the engine runs
such a family's query grouped by :data:`CUBE_DIMS` (the *cube*: one row per period and
combination present, a few thousand rows), keeps its rows per period and data version
(:meth:`salesmetrics.derived.Derived.periodic`, computed once for each period) and answers
every grouping of those dimensions from it (:func:`roll`), without another query.

A family is additive when it says so (``Family.additive``) and its ``other`` columns, if any,
are maxima over its rows (``Family.maxima``: the next stage of a stage, the event types scored
in a period), whose value for a coarser group is the largest of its parts; a median is not (a
family with one runs its own query). A distinct count qualifies only when the counted entity
lies in one group (``team``'s sellers: one row per rep). A family's inherent dimensions (the
stage of ``stages``) stay in the cube's keys. Groups absent from the cube are absent from the
rollup, as from the query; a group whose cells are all null gets null, as SQL's ``SUM`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from salesmetrics.metrics.dims import DIMENSIONS, REP_DIMS

if TYPE_CHECKING:
    from salesmetrics.metrics.families import Family

#: The cube's dimensions: the rep dimensions (the rep, and what a family takes from the rep or
#: its account), in the order results list them.
CUBE_DIMS: tuple[str, ...] = tuple(d for d in DIMENSIONS if d in REP_DIMS)


def cube_dims(family: Family) -> tuple[str, ...]:
    """The dimensions ``family``'s cube is grouped by: :data:`CUBE_DIMS` and its inherent ones."""
    return (*CUBE_DIMS, *family.inherent)


def applies(family: Family, dims: Sequence[str]) -> bool:
    """Whether ``family`` grouped by ``dims`` (its inherent dimensions included) can be read
    from its cube."""
    return (
        family.additive
        and set(family.other) <= set(family.maxima)
        and family.dims_supported >= REP_DIMS
        and set(dims) - set(family.inherent) <= REP_DIMS
    )


def roll(cube: pa.Table, family: Family, dims: Sequence[str]) -> pa.Table:
    """``family``'s components of ``cube`` (grouped by ``period`` and :func:`cube_dims`)
    summed by ``period`` and ``dims`` (decimals exactly), its maxima the largest value; missing
    group values form their own group."""
    keys = ["period", *dims]
    sums = [c for c in family.components if c in cube.column_names]
    maxima = [c for c in family.maxima if c in cube.column_names]
    extra = set(cube.column_names) - {"period", *cube_dims(family), *sums, *maxima}
    if extra:
        raise ValueError(f"cube columns {sorted(extra)} are neither components nor maxima")
    aggregates = [(c, "sum") for c in sums] + [(c, "max") for c in maxima]
    out = cube.group_by(keys, use_threads=False).aggregate(aggregates)
    names = [f"{c}_{how}" for c, how in aggregates]
    return out.select([*keys, *names]).rename_columns([*keys, *sums, *maxima])
