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

Kept per-period rows grow the same way (:class:`PerUnit`: the rows of the new units alone
added to the kept rows). A family may read a table only through per-key values
(:class:`Through`: a lead's outcome among the deals); batches appended to that table which
leave those values as they were (one query comparing them with and without the batches) leave
the kept rows valid.

:func:`plan` decides from the tables' versions (:mod:`salesmetrics.inventory`: rows, batches
imported, writes counted) whether the data now differ from the data of a kept slot only by
batches of the import log: every other table the intermediate reads has the same version, no
write other than those batches happened (the writes counted grew by the batches, and none was
counted for every table), and, for the summed kind, each table grew by exactly the rows its new
batches loaded. Anything else returns None and the intermediate is computed again, whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from salesmetrics import schema

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

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


@dataclass(frozen=True)
class PerUnit:
    """Per-period rows that are sums (or maxima) over units named by ``key``, each unit's part
    depending only on its rows in ``tables`` (every table of ``tables`` has the column
    ``key``); the other tables they read must not change (see the module's docstring).

    ``replaces``: the new batches may add rows to units that had rows before (new deals of an
    existing customer). The kept rows then get the written units' part for the data now added
    and their part for the data before (their rows but the new batches') subtracted; sums only,
    and an intermediate holding ``key`` that reads none of ``tables`` is narrowed to those
    units too (:func:`replaced`)."""

    key: str
    tables: tuple[str, ...]
    replaces: bool = False


@dataclass(frozen=True)
class Through:
    """Per-period rows that read the tables ``tables`` only through the per-key values that
    ``values()`` gives (an expression of one row per key: a lead's deal outcome), whatever the
    grouping. Batches that only appended rows to those tables and leave those values as they
    were leave every unit's part of the rows as it was. ``name`` names the values (the same
    for every grouping and period spine: they are compared once per data version)."""

    name: str
    tables: tuple[str, ...]
    values: Callable[[], ir.Table]


@dataclass(frozen=True)
class Additive:
    """How a per-period result grows by :class:`PerUnit`: its ``unit``, the columns that are
    sums and those that are maxima over the units (every other column is a group key), and
    the tables it reads only through per-key values (:class:`Through`), if any."""

    unit: PerUnit
    sums: tuple[str, ...]
    maxima: tuple[str, ...] = ()
    through: Through | None = None


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


def without_batches(ids: list[str]) -> Callable[[ir.Table], ir.Table]:
    """Narrow a table to the rows of batches other than ``ids`` (the data before them, when
    they only appended rows)."""

    def narrow(table: ir.Table) -> ir.Table:
        return table.filter(~table[schema.BATCH_ID].isin(ids))

    return narrow


def differing(now: ir.Table, before: ir.Table) -> ir.IntegerScalar:
    """How many rows one of ``now`` and ``before`` (of the same columns, no duplicate rows)
    holds and the other does not."""
    before = before.select(*now.columns).cast(now.schema())
    return now.difference(before).union(before.difference(now), distinct=False).count()


def key_filter(key: str, keys: ir.Table) -> Callable[[ir.Table], ir.Table]:
    """Narrow a table to the rows whose ``key`` is in the one-column table ``keys``."""

    def narrow(table: ir.Table) -> ir.Table:
        return table.filter(table[key].isin(keys[key]))

    return narrow


def older_key_filter(key: str, keys: ir.Table, ids: list[str]) -> Callable[[ir.Table], ir.Table]:
    """Narrow a table to the rows whose ``key`` is in ``keys`` and not of the batches ``ids``:
    those units' rows before the batches (when the batches only added rows)."""
    of_keys = key_filter(key, keys)

    def narrow(table: ir.Table) -> ir.Table:
        return of_keys(table).filter(~table[schema.BATCH_ID].isin(ids)) if ids else of_keys(table)

    return narrow


def summed(old: ir.Table, delta: ir.Table, growth: Summed) -> ir.Table:
    """The kept sums ``old`` and the new rows' sums ``delta`` added per group (the columns and
    types of ``old``)."""
    both = old.union(delta.select(*old.columns).cast(old.schema()), distinct=False)
    merged = both.group_by(list(growth.by)).aggregate(**{s: both[s].sum() for s in growth.sums})
    return merged.select(*old.columns).cast(old.schema())


def added(old: pa.Table, new: pa.Table, sums: Sequence[str], maxima: Sequence[str]) -> pa.Table:
    """The rows ``old`` and ``new`` (of the same columns) combined per group: the columns
    ``sums`` added, ``maxima`` the larger, grouped by every other column (nulls a group of their
    own); a group absent from one side keeps the other side's values, and a value null on both
    stays null, as SQL's ``SUM`` and ``MAX`` over both sides' rows give. The types of ``old``.

    Floating-point sums are added through their shortest decimal forms: a money component is
    an exact decimal sum cast to a float by its query, and the float of the two decimals' sum
    is then the float the query gives over both sides' rows (two floats added directly may be
    one unit in the last place off it, which flips the cent of a sum ending in half a cent)."""
    import pyarrow as pa

    new = new.select(old.column_names).cast(old.schema)
    both = pa.concat_tables([old, new])
    keys = [c for c in old.column_names if c not in sums and c not in maxima]
    floats = [c for c in sums if pa.types.is_floating(old.schema.field(c).type)]
    aggregates = [(c, "list" if c in floats else "sum") for c in sums]
    aggregates += [(c, "max") for c in maxima]
    merged = both.group_by(keys, use_threads=False).aggregate(aggregates)
    named = {f"{c}_{how}": c for c, how in aggregates}
    merged = merged.rename_columns([named.get(c, c) for c in merged.column_names])
    for name in floats:
        total = [_decimal_sum(values) for values in merged[name].to_pylist()]
        merged = merged.set_column(
            merged.column_names.index(name), name, pa.array(total, pa.float64())
        )
    return merged.select(old.column_names).cast(old.schema)


def _decimal_sum(values: list[float | None]) -> float | None:
    """The float of the exact sum of ``values``' shortest decimal forms (None when all are)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return float(sum((Decimal(repr(v)) for v in present), Decimal(0)))


def replaced(
    old: pa.Table, now: pa.Table, before: pa.Table, sums: Sequence[str]
) -> pa.Table | None:
    """The kept rows ``old`` with some units' rows for the data now ``now`` added and their
    rows for the data before ``before`` taken away (as :func:`added`, the sums ``sums``
    grouped by every other column). None when a group or value of ``before`` is missing from
    ``now`` (the units left a group: a fresh computation might have no row, or a null, where
    this gives zeros), which units that only grew cannot do."""
    import pyarrow as pa
    import pyarrow.compute as pc

    before = before.select(old.column_names).cast(old.schema)
    now = now.select(old.column_names).cast(old.schema)
    if not _covers(now, before, sums):
        return None
    negated = before
    for name in sums:
        at = negated.column_names.index(name)
        negated = negated.set_column(at, name, pc.negate(negated[name]))
    return added(old, pa.concat_tables([now, negated]), sums, ())


def _covers(now: pa.Table, before: pa.Table, sums: Sequence[str]) -> bool:
    """Whether every group of ``before`` (grouped by its columns but ``sums``, nulls a group of
    their own) is in ``now``, with a value in each column of ``sums`` where ``before`` has one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not before.num_rows:
        return True
    keys = [c for c in before.column_names if c not in sums]
    marks = []
    for rows, sign in ((now, 1), (before, -1)):
        mark = rows.select(keys).append_column("_row", pa.array([sign] * rows.num_rows, pa.int64()))
        for name in sums:
            valid = pc.cast(pc.is_valid(rows[name]), pa.int64())
            mark = mark.append_column(f"_v_{name}", pc.multiply(valid, sign))
        marks.append(mark)
    flags = ["_row", *(f"_v_{n}" for n in sums)]
    # per group (one row on each side at most): negative where before has a row or value and
    # now has not
    grouped = pa.concat_tables(marks).group_by(keys, use_threads=False)
    counts = grouped.aggregate([(f, "sum") for f in flags])
    return not any(pc.any(pc.less(counts[f"{f}_sum"], 0)).as_py() for f in flags)
