"""Component cubes: a family computed once per period spine at the finest rep grouping, then
summed up to any coarser one.

Company-wide, by team, by manager, by region and by rep are the groupings every review asks
for, one after the other, over the same periods. For an *additive* family (every component is
a count or a sum over rows each of which lies in exactly one group: a deal has one owner, a
customer one account owner, a seller is one rep) the components grouped by any subset of
:data:`CUBE_DIMS` are the sums of the components grouped by all of them. So the engine runs
such a family's query once per spine, grouped by :data:`CUBE_DIMS` (the *cube*: one row per
period and combination present, a few thousand rows), keeps it with the spine's other
intermediates (:meth:`salesmetrics.derived.Derived.frame`) and answers every grouping of those
dimensions from it (:func:`roll`), without another query.

A family is additive when it says so (``Family.additive``) and has no ``other`` columns (a
median is not a sum of medians) and no inherent dimension; a distinct count qualifies only when
the counted entity lies in one group (``team``'s sellers: one row per rep). Groups absent from
the cube are absent from the rollup, as from the query; a group whose cells are all null gets
null, as SQL's ``SUM`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from salesmetrics.metrics.families import Family

#: The cube's dimensions: the rep, and what the family takes from the rep or its account.
CUBE_DIMS: tuple[str, ...] = ("rep", "team", "manager", "region")


def applies(family: Family, dims: Sequence[str]) -> bool:
    """Whether ``family`` grouped by ``dims`` can be read from its cube."""
    return (
        family.additive
        and not family.other
        and not family.inherent
        and set(CUBE_DIMS) <= family.dims_supported
        and set(dims) <= set(CUBE_DIMS)
    )


def roll(cube: pd.DataFrame, dims: Sequence[str], components: Sequence[str]) -> pd.DataFrame:
    """The ``components`` of ``cube`` (grouped by ``period`` and :data:`CUBE_DIMS`) summed by
    ``period`` and ``dims``; missing group values form their own group."""
    keys = ["period", *dims]
    extra = set(cube.columns) - {"period", *CUBE_DIMS, *components}
    if extra:
        raise ValueError(f"cube columns {sorted(extra)} are not additive components")
    columns = [c for c in components if c in cube.columns]
    if not len(cube):
        return cube[[*keys, *columns]].copy()
    grouped = cube.groupby(keys, dropna=False, sort=False)[columns]
    return grouped.sum(min_count=1).reset_index()
