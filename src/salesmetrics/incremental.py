"""Bringing a kept whole-history intermediate up to date from the rows the last imports wrote.

An import changes the versions of the tables it writes, so every kept intermediate reading
them is stale (:mod:`salesmetrics.kept`). Some can be brought up to date from the rows the new
batches wrote instead of being computed again over the whole history:

* **per key** (:class:`PerKey`): the intermediate's rows of one key (a deal's stage visits, its
  state intervals) depend only on the rows of that key in the tables it reads. The keys the new
  batches wrote are computed again (every row of those keys, old and new), and the kept rows of
  the other keys stay. Replacing existing keys (an upsert) is covered too: their old rows are
  left out.
* **summed** (:class:`Summed`): the intermediate is sums and counts per group over the rows of
  one fact table (activities per rep and day), and every reader sums its rows again by group.
  The new batches' rows are summed alone and kept as another part beside the kept sums (a
  group may then appear in several parts; past :data:`MAX_PARTS` parts they are merged into
  one), which holds only when those batches only added rows: every row they loaded has a new
  key (an upsert would subtract the replaced rows, so it is computed again whole).

:func:`plan` decides from the tables' versions (:mod:`salesmetrics.inventory`: rows, batches
imported, writes counted) whether the data now differ from the data of a kept slot only by
batches of the import log: every other table the intermediate reads has the same version, no
write other than those batches happened (the writes counted grew by the batches, and none was
counted for every table), and, for the summed kind, each table grew by exactly the rows its new
batches loaded. Anything else returns None and the intermediate is computed again, whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from salesmetrics import schema

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Where an incremental update would be worse than computing again: a slot whose parts would
#: exceed this many is rewritten as one part.
MAX_PARTS = 8


@dataclass(frozen=True)
class PerKey:
    """An intermediate whose rows of each value of ``key`` depend only on the rows with that
    ``key`` in the tables it reads (tables without the column must not change)."""

    key: str


@dataclass(frozen=True)
class Summed:
    """An intermediate of sums ``sums`` (counts included) per ``by`` over one fact table, whose
    readers sum its rows by group (a group may appear more than once)."""

    by: tuple[str, ...]
    sums: tuple[str, ...]


#: How an intermediate can grow.
Growth = PerKey | Summed


class NotIncrementalError(Exception):
    """Raised while building a delta that cannot be one (the build asked for another
    intermediate): the intermediate is computed whole instead."""


@dataclass(frozen=True)
class Delta:
    """The batches written since a kept slot: each changed table's new batch ids, and whether
    every row they loaded was new (no key replaced)."""

    batches: dict[str, list[str]]
    appended: bool


def as_json(versions: Mapping[str, Hashable]) -> dict[str, Any]:
    """``versions`` as JSON keeps them (tuples as lists), for comparing with a kept one."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(versions), default=str))
    return loaded


def plan(
    before: Mapping[str, Any],
    now: Mapping[str, Hashable],
    reads: frozenset[str],
    logged: Callable[[str, int], list[tuple[str, int]]],
) -> Delta | None:
    """The batches that turn the data of versions ``before`` into the data of ``now`` for the
    tables ``reads``; None when something else changed. ``logged(table, n)`` gives the last
    ``n`` batches of ``table`` in the import log (batch id, rows loaded)."""
    current = as_json({t: now.get(t) for t in reads})
    batches: dict[str, list[str]] = {}
    appended = True
    for table in sorted(reads):
        old, new = before.get(table), current.get(table)
        if old == new:
            continue
        if not isinstance(old, list) or not isinstance(new, list) or not _is_version(old, new):
            return None
        rows_added, added, writes, everything = (n - o for n, o in zip(new, old, strict=True))
        if added < 1 or writes != added or everything != 0 or rows_added < 0:
            return None
        found = logged(table, added)
        if len(found) != added:
            return None
        batches[table] = [b for b, _ in found]
        appended = appended and rows_added == sum(n for _, n in found)
    return Delta(batches, appended) if batches else None


def _is_version(*values: list[Any]) -> bool:
    """Whether ``values`` are embedded tables' versions: rows, batches, writes, writes of all."""
    return all(len(v) == 4 and all(isinstance(x, int) for x in v) for v in values)


def batch_filter(ids: list[str]) -> Callable[[ir.Table], ir.Table]:
    """Narrow a table to the rows of the batches ``ids``."""

    def narrow(table: ir.Table) -> ir.Table:
        return table.filter(table[schema.BATCH_ID].isin(ids))

    return narrow


def key_filter(key: str, keys: ir.Table) -> Callable[[ir.Table], ir.Table]:
    """Narrow a table to the rows whose ``key`` is in the one-column table ``keys``."""

    def narrow(table: ir.Table) -> ir.Table:
        return table.filter(table[key].isin(keys[key]))

    return narrow


def summed(old: ir.Table, delta: ir.Table, growth: Summed) -> ir.Table:
    """The kept sums ``old`` and the new rows' sums ``delta`` added per group (the columns and
    types of ``old``)."""
    both = old.union(delta.select(*old.columns).cast(old.schema()), distinct=False)
    merged = both.group_by(list(growth.by)).aggregate(**{s: both[s].sum() for s in growth.sums})
    return merged.select(*old.columns).cast(old.schema())
