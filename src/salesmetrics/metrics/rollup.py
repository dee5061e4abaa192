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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics.dims import DIMENSIONS, REP_DIMS

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
    summed by ``period`` and ``dims``, its maxima the largest value; missing group values form
    their own group. Decimals are summed exactly (Arrow); numbers of other types by pandas,
    whose compensated float sums barely depend on the order of the cube's rows (which differs
    between backends), so that every backend rounds the same sums to the same cents."""
    keys = ["period", *dims]
    sums = [c for c in family.components if c in cube.column_names]
    maxima = [c for c in family.maxima if c in cube.column_names]
    extra = set(cube.column_names) - {"period", *cube_dims(family), *sums, *maxima}
    if extra:
        raise ValueError(f"cube columns {sorted(extra)} are neither components nor maxima")
    if not cube.num_rows:
        return cube.select([*keys, *sums, *maxima])
    group, first = _groups(cube, keys)
    out: dict[str, pa.Array | pa.ChunkedArray] = {k: cube[k].take(pa.array(first)) for k in keys}
    exact = [c for c in sums if pa.types.is_decimal(cube[c].type)]
    in_arrow = [(c, "sum") for c in exact] + [(c, "max") for c in maxima]
    if in_arrow:
        coded = cube.select([c for c, _ in in_arrow]).append_column(_GROUP, pa.array(group))
        rolled = coded.group_by([_GROUP], use_threads=False).aggregate(in_arrow).sort_by(_GROUP)
        out.update({c: rolled[f"{c}_{how}"] for c, how in in_arrow})
    numbers = [c for c in sums if c not in exact]
    if numbers:
        values = np.column_stack(
            [cube[c].to_numpy(zero_copy_only=False).astype("float64") for c in numbers]
        )
        summed = pd.DataFrame(values).groupby(group, sort=True).sum(min_count=1).to_numpy()
        for i, name in enumerate(numbers):
            column = summed[:, i]
            if pa.types.is_integer(cube[name].type) and not cube[name].null_count:
                column = column.astype("int64")  # counts stay integers
            out[name] = pa.array(column)
    return pa.table({c: out[c] for c in [*keys, *sums, *maxima]})


def _groups(cube: pa.Table, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The group number (0, 1, ... in order of appearance) of each of ``cube``'s rows by
    ``keys`` (nulls a value of their own), and each group's first row."""
    combined = np.zeros(cube.num_rows, dtype=np.int64)
    for key in keys:
        encoded = pc.dictionary_encode(cube[key].combine_chunks(), null_encoding="encode")
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        combined = combined * (len(encoded.dictionary) + 1) + codes
    group = pd.factorize(combined)[0]
    return group, np.unique(group, return_index=True)[1]


#: The group number column of a cube being rolled up.
_GROUP = "_sm_group"
