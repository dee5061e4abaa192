"""Whole-history intermediates, materialised once per data version and shared by every query.

Several families start from tables that depend on the data and the configuration only, never on
the request: the stage visits of every deal (window functions over every history row), the
opportunity states between changes, the customer-month MRR, the recognised revenue per invoice
line and month. Inlined in each family query they were recomputed by every query of every
evaluation; a review of six requests computed each of them dozens of times.

:meth:`Derived.get` materialises such a table in the backend on first use
(:mod:`salesmetrics.backends.scratch`: a temporary table on DuckDB and PostgreSQL, a persisted
DataFrame on Spark) and hands the same table to every later query, until the data change. Ibis's
``cache()`` is not used: it drops its tables from weak-reference finalizers, at interpreter exit
too, when the connection may be half torn down. The definitions stay where they are; a module
wraps its builder's result with ``ws.derived.get(name, build)``.

**Per set of periods.** Some intermediates depend on the periods too, but not on the grouping:
the engagement score of every customer at each period's end, the customer flags per period,
the pipeline's deal rows. ``get(name, build, scope=key)`` keeps such a
table for one period spine (``key``: its periods), so that the same periods grouped another way
(company-wide, by team, by rep) read it instead of computing it again. These are data queries
of the evaluation that builds them (named ``_sm_periods_*``, counted as ``periods <name>``);
the tables of at most :data:`PERIOD_SCOPES` spines are kept, the least recently used dropped.
:meth:`Derived.frame` keeps small results of a spine the same way, as pandas frames, and
:meth:`Derived.value` a small Python value of the data version (the data's first and last
fact dates), computed once per session.

**Per period.** A result made of rows per period, each period's rows independent of the other
periods asked with it (a family's component cube, :mod:`salesmetrics.metrics.rollup`), is
computed period by period: :meth:`Derived.periodic` computes only the periods not computed
before under the same data version, in one query, and keeps them.

**Kept between sessions (embedded workspaces).** The whole-history tables and the per-period
rows are also written as Parquet files beside the database (:mod:`salesmetrics.kept`), under a
stamp of the data version and the code, so that the next session (the next CLI command, the web
app) reads them instead of computing them. Readers never write the database itself. PostgreSQL
and Spark workspaces keep them for the session only. A kept table declared ``grows`` is brought
up to date from the rows imported since it was kept instead of computed again, where the
imports only added or replaced rows of keys (:mod:`salesmetrics.incremental`); so are the kept
periods of a per-period result declared ``grows`` (a family that sums over deals or
activities), by adding the rows of the new units alone, where the imports only added units.

**The requests asked lately** (:meth:`Derived.remember`, :meth:`Derived.remembered`): the
facade notes every evaluated request in ``requests.json`` in the cache folder (the last
:data:`REMEMBERED` distinct ones), so that an import can compute their intermediates for the new
data before anyone asks again (:mod:`salesmetrics.metrics.warm`).

**When the data change.** :meth:`Derived.refresh` is given a *data version*: the row count of
every table (the import log included, which grows with every committed batch) and the
configuration; with the write generation (bumped whenever a store is opened for writing, see
:func:`salesmetrics.ingest.store.store_for`) it decides whether the session's tables still
hold. A different version drops the session's tables and reads or keeps under another stamp.
The engine refreshes at the start of every evaluation, after the connection has reopened its
reader on a newly swapped-in snapshot (:meth:`salesmetrics.connection.Connection.refresh`). A
write that replaces rows without changing any count or logging a batch (made with other tools)
is the one case the version cannot see; reopening the workspace clears the session's tables.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable, Hashable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics import incremental, kept, schema
from salesmetrics.backends import scratch
from salesmetrics.kept import Kept

if TYPE_CHECKING:
    import ibis.expr.types as ir

_counter = itertools.count()
_SCHEMA_TABLES = frozenset(t.name for t in (*schema.TABLES, *schema.INTERNAL_TABLES))

#: How many period spines keep their tables (a dashboard moving between a few views).
PERIOD_SCOPES = 4
#: How many distinct recent requests the cache folder remembers.
REMEMBERED = 16
#: The most rows of a whole-history intermediate compared with its earlier rows while per-period
#: rows are added to (a ranking of stages has a few; a larger one is taken as changed).
UNCHANGED_ROWS = 10_000
#: The file of the remembered requests, in the cache folder.
REQUESTS_FILE = "requests.json"


#: Narrowing a table to some of its rows (while an intermediate is brought up to date).
Narrow = Callable[["ir.Table"], "ir.Table"]


def ibis_union(tables: Sequence[ir.Table]) -> ir.Table:
    """The rows of every table of ``tables`` (at least one), duplicates kept."""
    first, *rest = tables
    return first.union(*rest, distinct=False) if rest else first


#: A small result kept for a period scope (a frame, an Arrow table).
T = TypeVar("T")


class Derived:
    """The materialised intermediates of one open workspace, by name."""

    def __init__(
        self,
        backend: Callable[[], Any],
        *,
        cache: Path | None = None,
        table: Callable[[str], ir.Table] | None = None,
        narrowed: Callable[[Mapping[str, Narrow]], AbstractContextManager[None]] | None = None,
    ) -> None:
        self._backend = backend
        self._table = table  # the connection's tables, and narrowing them (incremental updates)
        self._narrowed = narrowed
        self._growing = False  # while computing an intermediate for the new rows only
        # while it is computed for some keys (PerKey): the key and the narrowing of an
        # intermediate holding it to them (see _keyed_part)
        self._keying: tuple[str, Narrow] | None = None
        # while computing per-period rows for the new units only: the tables narrowed to them,
        # the unit, the versions the kept rows were computed from, and (a unit that replaces)
        # the narrowing of the intermediates holding its key (see _added)
        self._adding: _Adding | None = None
        # stored name (None: a kept table, not dropped with the session) and table
        self._tables: dict[tuple[str, Hashable], tuple[str | None, ir.Table]] = {}
        self._frames: dict[tuple[str, Hashable], Any] = {}  # of a period scope
        self._values: dict[str, Any] = {}  # small values of the data version (value())
        self._same: dict[Hashable, bool] = {}  # per-key values compared (_same_values)
        self._session_rows = SessionRows()  # per-period results, when not kept
        self._scopes: dict[Hashable, None] = {}  # period scopes, least recently used first
        self._version: Hashable | None = None
        self._cache = cache  # the folder of kept tables (embedded workspaces only)
        self._keep = False  # whether this session can write there (set by refresh)
        self._kept: Kept | None = None
        self._env = ""  # the stamp of the code and settings (kept tables)
        self._versions: Mapping[str, Hashable] = {}  # of each table, for the kept tables
        self._reads: dict[str, frozenset[str]] = {}  # materialised table -> tables it reads
        self.generation = 0
        #: Query labels of the tables materialised so far (in order): ``derived <name>`` for a
        #: whole-history one, ``periods <name>`` for one of a period scope.
        self.built: list[str] = []

    def refresh(
        self,
        version: Hashable,
        *,
        tables: Mapping[str, Hashable] | None = None,
        settings: Hashable = "",
    ) -> None:
        """Forget every materialised table when ``version`` (or the write generation) differs
        from the last one seen. ``tables`` (each table's version) and ``settings`` decide which
        kept tables are still valid: those whose tables are unchanged (every table counts when
        ``tables`` is not given)."""
        key = (version, self.generation)
        if key != self._version:
            self.clear()
            self._version = key
            self._versions = dict(tables) if tables is not None else {kept.ALL: version}
            self._env = kept.stamp(settings)
            if self._cache is not None:
                self._keep = _writable(self._cache)
                if self._keep:
                    self._kept_tables().tidy()

    @property
    def partial(self) -> bool:
        """Whether per-period rows are being computed for some units only (the tables, and
        some intermediates, narrowed to them): nothing read now describes the whole data."""
        return self._adding is not None

    @property
    def versions(self) -> Mapping[str, Hashable]:
        """Each table's version as the last :meth:`refresh` was given it."""
        return self._versions

    def bump(self) -> None:
        """Mark the data as changing (a store opened for writing): drop what was materialised
        (the kept tables of this data version stay: the new version has another stamp)."""
        self.generation += 1
        self.clear()

    def reset(self) -> None:
        """Drop every materialised table, the kept ones too: the next evaluation computes them
        again, as after an import."""
        self.clear()
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)

    def remember(self, request: Mapping[str, Any]) -> None:
        """Note ``request`` (a JSON-able mapping) as the most recent one asked; kept beside the
        database (embedded workspaces whose cache folder can be written), the last
        :data:`REMEMBERED` distinct ones."""
        if self._cache is None or not _writable(self._cache):
            return
        entry = dict(request)
        before = self.remembered()
        recent = [*[r for r in before if r != entry][-(REMEMBERED - 1) :], entry]
        if recent == before:
            return
        text = json.dumps(recent, sort_keys=True)
        kept.keep_file(self._cache / REQUESTS_FILE, lambda to: to.write_text(text, "utf-8"))

    def remembered(self) -> list[dict[str, Any]]:
        """The requests noted by :meth:`remember`, oldest first (none when nothing is kept)."""
        if self._cache is None:
            return []
        try:
            found = json.loads((self._cache / REQUESTS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def get(
        self,
        name: str,
        build: Callable[[], ir.Table],
        *,
        scope: Hashable | None = None,
        grows: incremental.Growth | None = None,
        keep: bool = True,
    ) -> ir.Table:
        """The materialised ``build()`` under ``name`` (and period ``scope``, when given),
        computed on first use (one query). A kept whole-history table declared ``grows`` is
        brought up to date from the rows imported since it was kept, where it can be
        (:mod:`salesmetrics.incremental`), instead of computed again. With ``keep=False`` a
        whole-history table is not kept between sessions (one that is about as quick to
        compute again as its file is to write and read)."""
        if self._growing:
            return self._keyed_part(name, scope)
        if self._adding is not None:
            return self._added_part(name, build, scope, grows)
        if scope is not None:
            self._enter(scope)
        entry = self._tables.get((name, scope))
        if entry is None and scope is None and keep and self._cache is not None and self._version:
            entry = self._tables[(name, None)] = (None, self._kept_table(name, build, grows))
        if entry is None:
            kind = "derived" if scope is None else "periods"
            stored = f"_sm_{kind}_{name}_{next(_counter)}"
            expr = build()
            table = scratch.materialise(self._backend(), stored, expr)
            self._reads[stored] = self.reads_of(expr)
            entry = self._tables[(name, scope)] = (stored, table)
            self.built.append(f"{kind} {name}")
        return entry[1]

    def reads_of(self, expr: ir.Table) -> frozenset[str]:
        """The tables of the schema ``expr`` reads, through the tables materialised here too;
        :data:`kept.ALL` for a table of neither kind (then every table counts)."""
        import ibis.expr.operations as ops

        reads: set[str] = set()
        for node in expr.op().find(ops.DatabaseTable):
            name = str(node.name)
            if name in self._reads:
                reads |= self._reads[name]
            else:
                reads.add(name if name in _SCHEMA_TABLES else kept.ALL)
        return frozenset(reads)

    def frame(self, name: str, compute: Callable[[], T], *, scope: Hashable) -> T:
        """The result of ``compute()`` (a small frame or Arrow table) under ``name`` for
        period ``scope``, computed on first use and kept like the tables of the scope."""
        if self._adding is not None:  # of the new units only: not kept
            return compute()
        self._enter(scope)
        key = (name, scope)
        if key not in self._frames:
            self._frames[key] = compute()
        kept: T = self._frames[key]
        return kept

    def value(self, name: str, compute: Callable[[], T]) -> T:
        """The small Python value ``compute()`` gives (read from the data, e.g. the data's
        dates), computed once per data version and session."""
        if name not in self._values:
            # while computing for some units only: computed from the whole data all the same
            self._values[name] = compute() if self._adding is None else self._of_whole(compute)
        found: T = self._values[name]
        return found

    def periodic(
        self,
        name: str,
        periods: Sequence[str],
        compute: Callable[[list[str]], tuple[pa.Table, frozenset[str]]],
        *,
        grows: incremental.Additive | None = None,
    ) -> pa.Table:
        """The rows of ``periods`` (period keys, :func:`kept.period_key`; at least one) of the
        per-period result ``name``. ``compute(missing)`` gives the rows (with column
        :data:`kept.PERIOD_KEY`) of the periods not computed before for the tables they read
        (and those tables, :meth:`reads_of`); they are kept, beside the database on DuckDB. At
        most two queries: the computation and one read of the periods kept before. A result
        declared ``grows`` whose periods were kept for the data before the last imports is
        brought up to date from the new units alone where it can be (:meth:`_added`)."""
        store: Kept | SessionRows = self._kept_tables() if self._keep else self._session_rows
        done = store.periods(name)
        before = [p for p in periods if p in done]
        missing = [p for p in periods if p not in done]
        parts = [store.read(name, before)] if before else []
        if missing and grows is not None and isinstance(store, Kept):
            grown = self._added(store, name, missing, compute, grows)
            if grown is not None:
                rows, ready = grown
                parts.append(rows)
                missing = [p for p in missing if p not in ready]
        if missing:
            rows, reads = compute(missing)
            store.append(name, missing, rows, reads)
            parts.append(rows)
        return pa.concat_tables(parts, promote_options="permissive")

    def periodic_reads(self, name: str) -> frozenset[str]:
        """The tables the per-period result ``name`` was computed from (as :meth:`periodic`
        recorded them): what a result computed from its rows reads. Every table
        (:data:`kept.ALL`) when unknown."""
        found = self._kept_tables().reads(name) if self._keep else None
        return frozenset({kept.ALL}) if found is None else found

    def _enter(self, scope: Hashable) -> None:
        """Make ``scope`` the most recently used; drop the tables of the oldest beyond
        :data:`PERIOD_SCOPES`."""
        self._scopes.pop(scope, None)
        self._scopes[scope] = None
        while len(self._scopes) > PERIOD_SCOPES:
            oldest = next(iter(self._scopes))
            del self._scopes[oldest]
            for key in [k for k in self._frames if k[1] == oldest]:
                del self._frames[key]
            for key in [k for k in self._tables if k[1] == oldest]:
                stored, _ = self._tables.pop(key)
                if stored is not None:
                    scratch.drop(self._backend(), stored)

    def clear(self) -> None:
        """Release every materialised table."""
        tables, self._tables = self._tables, {}
        self._frames = {}
        self._values = {}
        self._same = {}
        self._session_rows = SessionRows()
        self._scopes = {}
        self._kept = None  # listed again (another session may have kept more)
        self._reads = {}
        for stored, _ in tables.values():
            if stored is not None:
                scratch.drop(self._backend(), stored)

    def _kept_table(
        self, name: str, build: Callable[[], ir.Table], grows: incremental.Growth | None = None
    ) -> ir.Table:
        """The kept table ``name`` valid for the data now, computed (or brought up to date from
        an earlier one, see :meth:`get`) and kept first if there is none."""
        store = self._kept_tables()
        found = store.get(name)
        if found is None and grows is not None:
            found = self._grown(name, build, grows)
            if found is not None:
                self.built.append(f"derived {name}")
        if found is None:
            expr = build()
            reads = self.reads_of(expr)
            table = store.put(name, expr, reads)
            self.built.append(f"derived {name}")
        else:
            table, reads = found
        self._reads[str(table.op().name)] = reads
        return table

    def _grown(
        self, name: str, build: Callable[[], ir.Table], growth: incremental.Growth
    ) -> tuple[ir.Table, frozenset[str]] | None:
        """``name`` for the data now from its rows kept for earlier data and the rows imported
        since (None where that cannot be done: it is then computed whole)."""
        store = self._kept_tables()
        reads, previous = store.reads(name), store.previous(name)
        if self._table is None or reads is None or previous is None or kept.ALL in reads:
            return None
        parts, before = previous
        delta = incremental.plan(before, self._versions, reads, self._logged)
        if delta is None:
            return None
        self._growing = True
        try:
            if isinstance(growth, incremental.PerKey):
                table = self._per_key(name, build, growth.key, reads, parts, delta)
            else:
                table = self._summed(name, build, growth, reads, parts, delta)
        except incremental.NotIncrementalError:
            return None
        finally:
            self._growing = False
        if table is None:
            return None
        return table, reads

    def _per_key(
        self,
        name: str,
        build: Callable[[], ir.Table],
        key: str,
        reads: frozenset[str],
        parts: list[Path],
        delta: incremental.Delta,
    ) -> ir.Table | None:
        """:meth:`_grown` of a :class:`~salesmetrics.incremental.PerKey` intermediate: the
        keys the new batches wrote computed again, the kept rows of the others kept."""
        assert self._table is not None and self._narrowed is not None
        table = self._table
        if any(key not in table(t).columns for t in delta.batches):
            return None
        written = [
            table(t).filter(table(t)[schema.BATCH_ID].isin(ids)).select(key)
            for t, ids in delta.batches.items()
        ]
        stored = f"_sm_keys_{next(_counter)}"
        keys = scratch.materialise(self._backend(), stored, ibis_union(written).distinct())
        try:
            narrow = {
                t: incremental.key_filter(key, keys)
                for t in reads
                if t in _SCHEMA_TABLES and key in table(t).columns
            }
            self._keying = (key, incremental.key_filter(key, keys))
            try:
                with self._narrowed(narrow):
                    rows = build()
            finally:
                self._keying = None
            store = self._kept_tables()
            old = store.view(parts)
            rows = rows.select(*old.columns).cast(old.schema())
            replaced = old.filter(old[key].isin(keys[key])).count()
            if len(parts) < incremental.MAX_PARTS and not int(replaced.to_pyarrow().as_py()):
                return store.put_parts(name, reads, parts, rows)
            kept_rows = old.filter(~old[key].isin(keys[key]))
            return store.put_parts(name, reads, [], kept_rows.union(rows, distinct=False))
        finally:
            scratch.drop(self._backend(), stored)

    def _keyed_part(self, name: str, scope: Hashable | None) -> ir.Table:
        """:meth:`get` while an intermediate is computed for some keys (:meth:`_per_key`): a
        whole-history one already valid for the data now (of this session, or kept) that holds
        the key, narrowed to those keys (an account's months of MRR, while its customer spans
        are computed again): the rows the whole computation reads for them. Any other raises
        :class:`~salesmetrics.incremental.NotIncrementalError`: the intermediate growing is
        computed whole."""
        if self._keying is None or scope is not None:
            raise incremental.NotIncrementalError(name)
        key, keyed = self._keying
        entry = self._tables.get((name, None))
        if entry is None and self._cache is not None and self._version:
            found = self._kept_tables().get(name)
            if found is not None:
                self._reads[str(found[0].op().name)] = found[1]
                entry = self._tables[(name, None)] = (None, found[0])
        if entry is None or key not in entry[1].columns:
            raise incremental.NotIncrementalError(name)
        return keyed(entry[1])

    def _summed(
        self,
        name: str,
        build: Callable[[], ir.Table],
        growth: incremental.Summed,
        reads: frozenset[str],
        parts: list[Path],
        delta: incremental.Delta,
    ) -> ir.Table | None:
        """:meth:`_grown` of a :class:`~salesmetrics.incremental.Summed` intermediate: the
        new rows' sums kept beside the kept sums, as another part (merged into one when there
        would be too many), only when no key was replaced."""
        assert self._narrowed is not None
        if not delta.appended or len(delta.batches) != 1:
            return None
        ((fact, ids),) = delta.batches.items()
        with self._narrowed({fact: incremental.batch_filter(ids)}):
            rows = build()
        store = self._kept_tables()
        old = store.view(parts)
        if len(parts) < incremental.MAX_PARTS:  # readers sum: a group may repeat across parts
            return store.put_parts(name, reads, parts, rows.select(*old.columns).cast(old.schema()))
        return store.put_parts(name, reads, [], incremental.summed(old, rows, growth))

    def _added(
        self,
        store: Kept,
        name: str,
        missing: list[str],
        compute: Callable[[list[str]], tuple[pa.Table, frozenset[str]]],
        grows: incremental.Additive,
    ) -> tuple[pa.Table, list[str]] | None:
        """The rows of the periods of ``missing`` that the last slot of ``name`` kept, for the
        data now: the kept rows plus the rows of the units the new batches wrote, computed
        alone (:class:`~salesmetrics.incremental.PerUnit`), and kept; with those periods.
        Batches appended to a table read only through per-key values
        (:class:`~salesmetrics.incremental.Through`) are allowed when those values are
        unchanged (the kept rows alone, when no unit was written). None where that cannot be
        done (the periods are then computed again)."""
        reads, previous = store.reads(name), store.previous_periods(name)
        if self._table is None or self._narrowed is None or reads is None or previous is None:
            return None
        index, before = previous
        ready = [p for p in missing if p in index]
        unit = grows.unit
        if not ready or kept.ALL in reads:
            return None
        delta = incremental.plan(before, self._versions, reads, self._logged)
        if delta is None or not delta.appended:
            return None
        own = {t: ids for t, ids in delta.batches.items() if t in unit.tables}
        through = {t: ids for t, ids in delta.batches.items() if t not in unit.tables}
        if through and not self._same_values(grows.through, through):
            return None
        if not own:  # the units' parts are as they were: the kept rows hold
            old = kept.read_periods(index, ready)
            store.append(name, ready, old, reads)
            self.built.append(f"unchanged {name}")
            return old, ready
        delta = incremental.Delta(own, delta.appended)
        table = self._table
        if any(unit.key not in table(t).columns for t in unit.tables):
            return None
        written = [
            table(t).filter(table(t)[schema.BATCH_ID].isin(ids)).select(unit.key)
            for t, ids in delta.batches.items()
        ]
        stored = f"_sm_units_{next(_counter)}"
        keys = scratch.materialise(self._backend(), stored, ibis_union(written).distinct())
        self._reads[stored] = frozenset()  # the keys narrow the tables: they count as those
        try:
            if unit.replaces:
                found = self._replacing(unit, keys, delta, before, ready, compute)
            elif self._only_new(unit, keys, delta):
                # the units have no rows but the new batches' (checked): those batches' rows
                # are theirs, read by batch id (cheaper than matching every row's key)
                batches = delta.batches
                narrow = {t: incremental.batch_filter(batches.get(t, [])) for t in unit.tables}
                found = self._unit_rows(
                    narrow, (frozenset(unit.tables), unit, before, None), ready, compute
                )
            else:
                return None
        finally:
            del self._reads[stored]
            scratch.drop(self._backend(), stored)
        if found is None:
            return None
        old = kept.read_periods(index, ready)
        sums = [c for c in grows.sums if c in old.column_names]
        maxima = [c for c in grows.maxima if c in old.column_names]
        if isinstance(found, tuple):
            merged = None if maxima else incremental.replaced(old, *found, sums)
            if merged is None:
                return None
        else:
            merged = incremental.added(old, found, sums, maxima)
        store.append(name, ready, merged, reads)
        self.built.append(f"added {name}")
        return merged, ready

    def _unit_rows(
        self,
        narrow: Mapping[str, Narrow],
        adding: _Adding,
        ready: list[str],
        compute: Callable[[list[str]], tuple[pa.Table, frozenset[str]]],
    ) -> pa.Table | None:
        """``compute(ready)`` with the tables narrowed by ``narrow``, intermediates built as
        :meth:`_added_part` says (None when one cannot be)."""
        assert self._narrowed is not None
        self._adding = adding
        try:
            with self._narrowed(narrow):
                rows, _ = compute(ready)
        except incremental.NotIncrementalError:
            return None
        finally:
            self._adding = None
        return rows

    def _replacing(
        self,
        unit: incremental.PerUnit,
        keys: ir.Table,
        delta: incremental.Delta,
        before: Mapping[str, Any],
        ready: list[str],
        compute: Callable[[list[str]], tuple[pa.Table, frozenset[str]]],
    ) -> tuple[pa.Table, pa.Table] | None:
        """The rows of the units of ``keys`` (a unit that replaces, :attr:`PerUnit.replaces`)
        for the data now and for the data before the new batches (their rows but those
        batches', which only added rows): two queries."""
        keyed = incremental.key_filter(unit.key, keys)
        adding = (frozenset(unit.tables), unit, before, keyed)
        now = self._unit_rows(dict.fromkeys(unit.tables, keyed), adding, ready, compute)
        if now is None:
            return None
        older = {
            t: incremental.older_key_filter(unit.key, keys, delta.batches.get(t, []))
            for t in unit.tables
        }
        earlier = self._unit_rows(older, adding, ready, compute)
        return None if earlier is None else (now, earlier)

    def _same_values(
        self, through: incremental.Through | None, batches: Mapping[str, list[str]]
    ) -> bool:
        """Whether the new ``batches`` (table -> batch ids, each only appending rows) leave the
        values ``through`` reads those tables through as they were (one query comparing them
        with the values of the data without those batches); False when ``through`` does not
        cover every table of ``batches``, or its values read a materialised intermediate.
        Compared once per data version."""
        if through is None or not set(batches) <= set(through.tables):
            return False
        key = (through.name, tuple(sorted((t, tuple(ids)) for t, ids in batches.items())))
        if key not in self._same:
            self._same[key] = self._compared(through, batches)
        return self._same[key]

    def _compared(self, through: incremental.Through, batches: Mapping[str, list[str]]) -> bool:
        """:meth:`_same_values`, computed: one query."""
        assert self._narrowed is not None
        self._growing = True  # an intermediate would be of the data now, not before the batches
        try:
            now = through.values()
            gone = {t: incremental.without_batches(ids) for t, ids in batches.items()}
            with self._narrowed(gone):
                before = through.values()
        except incremental.NotIncrementalError:
            return False
        finally:
            self._growing = False
        found = self._backend().to_pyarrow(incremental.differing(now, before))
        return int(found.as_py()) == 0

    def _only_new(
        self, unit: incremental.PerUnit, keys: ir.Table, delta: incremental.Delta
    ) -> bool:
        """Whether none of the units of the one-column table ``keys`` has a row in the tables
        of ``unit`` other than the rows of the new batches ``delta`` (else the kept rows hold a
        part of theirs already). One query per data version and unit: the families of every
        period spine sharing the unit ask the same."""
        assert self._table is not None
        table = self._table

        def none_older() -> bool:
            older = [
                incremental.older_key_filter(unit.key, keys, delta.batches.get(t, []))(table(t))
                for t in unit.tables
            ]
            found = self._backend().to_pyarrow(
                ibis_union([o.select(unit.key) for o in older]).count()
            )
            return int(found.as_py()) == 0

        batches = sorted((t, tuple(ids)) for t, ids in delta.batches.items())
        return self.value(f"only new {unit.key} {sorted(unit.tables)} {batches}", none_older)

    def _added_part(
        self,
        name: str,
        build: Callable[[], ir.Table],
        scope: Hashable | None,
        grows: incremental.Growth | None,
    ) -> ir.Table:
        """:meth:`get` while per-period rows are computed for the new units only. An
        intermediate that reads none of the narrowed tables is the usual one (materialised
        when it already is, else inline); one that reads them is built inline from them, not
        kept, where the unit's declaration covers it: an intermediate of the period spine (part
        of the family declared per unit), a summed one, or one per the unit's key. Any other
        raises :class:`~salesmetrics.incremental.NotIncrementalError`."""
        assert self._adding is not None
        narrowed, unit, _, keyed = self._adding
        entry = self._tables.get((name, None)) if scope is None else None
        if entry is not None:
            reads = self._reads.get(str(entry[1].op().name))
            if reads is not None and kept.ALL not in reads and not reads & narrowed:
                return _narrowed_to(entry[1], unit.key, keyed)
        expr = build()
        reads = self.reads_of(expr)
        if kept.ALL in reads:
            raise incremental.NotIncrementalError(name)
        per_unit = isinstance(grows, incremental.Summed) or (
            isinstance(grows, incremental.PerKey) and grows.key == unit.key
        )
        if not reads & narrowed:
            return _narrowed_to(expr, unit.key, keyed)
        if scope is not None or per_unit:
            return expr
        return self._unchanged(name, build)

    def _unchanged(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """The whole-history intermediate ``name`` for the data now (kept, computed if need
        be), while per-period rows are computed for new units, if its rows are those it had for
        the data the kept periods were computed from (a ranking of the stages the new deals did
        not change): the kept rows of the other units then still hold. Else (or when it is
        large, or that earlier slot is gone) raises
        :class:`~salesmetrics.incremental.NotIncrementalError`."""
        import pyarrow.parquet as pq

        assert self._adding is not None
        before = self._adding[2]
        if self._cache is None:
            raise incremental.NotIncrementalError(name)
        table = self._of_whole(lambda: self.get(name, build))
        store = self._kept_tables()
        reads, previous = store.reads(name), store.previous(name)
        if reads is None or previous is None:
            raise incremental.NotIncrementalError(name)
        parts, versions = previous
        if any(versions.get(t) != before.get(t) for t in reads):
            raise incremental.NotIncrementalError(name)  # kept for other data than the rows'
        if int(self._backend().to_pyarrow(table.count()).as_py()) > UNCHANGED_ROWS:
            raise incremental.NotIncrementalError(name)
        now = self._backend().to_pyarrow(table)
        old = pa.concat_tables([pq.read_table(p) for p in parts]).select(now.column_names)
        order = [(c, "ascending") for c in now.column_names]
        if not now.sort_by(order).equals(old.cast(now.schema).sort_by(order)):
            raise incremental.NotIncrementalError(name)
        return table

    def _of_whole(self, compute: Callable[[], T]) -> T:
        """``compute()`` over the whole data while per-period rows are computed for some units
        only: the tables' narrowing undone, intermediates the usual ones."""
        assert self._adding is not None and self._narrowed is not None
        adding = self._adding
        self._adding = None
        try:
            with self._narrowed(dict.fromkeys(adding[0], _whole)):
                return compute()
        finally:
            self._adding = adding

    def _logged(self, table: str, n: int) -> list[tuple[str, int]]:
        """The last ``n`` batches imported into ``table``: batch id, rows loaded (read once
        per data version: every intermediate and family brought up to date asks)."""
        assert self._table is not None
        log = self._table(schema.IMPORT_LOG.name)

        def read() -> list[tuple[str, int]]:
            mine = log.filter(log.table_name == table)
            last = mine.order_by([mine.finished_at.desc(), mine.started_at.desc()]).limit(n)
            found = self._backend().to_pyarrow(last.select("batch_id", "rows_loaded"))
            return [(str(r["batch_id"]), int(r["rows_loaded"] or 0)) for r in found.to_pylist()]

        return self.value(f"import log {table} {n}", read)

    def _kept_tables(self) -> Kept:
        if self._kept is None:
            assert self._cache is not None
            self._kept = Kept(self._backend, self._cache, self._env, self._versions)
        return self._kept


#: While per-period rows are computed for some units only (:meth:`Derived._added`): the tables
#: narrowed, the unit, the versions the kept rows were computed from, and (a unit that
#: replaces) the narrowing of an intermediate holding the unit's key that reads none of them.
_Adding = tuple[frozenset[str], incremental.PerUnit, Mapping[str, Any], Narrow | None]


def _narrowed_to(table: ir.Table, key: str, keyed: Narrow | None) -> ir.Table:
    """``table`` narrowed by ``keyed`` when given and ``table`` has the column ``key``."""
    return keyed(table) if keyed is not None and key in table.columns else table


def _whole(table: ir.Table) -> ir.Table:
    """A table as it is (undoing a narrowing while an intermediate of every row is read)."""
    return table


def _writable(folder: Path) -> bool:
    """Whether ``folder`` (or, before it exists, the folder it would be made in) is writable."""
    existing = folder if folder.exists() else folder.parent
    return os.access(existing, os.W_OK)


class SessionRows:
    """Per-period results kept for the session only (where :class:`Kept` does not apply): the
    same interface as its per-period tables (the session's rows are dropped when the data
    version changes)."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[set[str], list[pa.Table]]] = {}

    def periods(self, name: str) -> set[str]:
        """The periods kept under ``name``."""
        return set(self._rows.get(name, (set(), []))[0])

    def append(
        self, name: str, periods: Sequence[str], rows: pa.Table, reads: frozenset[str]
    ) -> None:
        """Keep ``rows``, the rows of ``periods``, under ``name``."""
        done, parts = self._rows.setdefault(name, (set(), []))
        parts.append(rows)
        done.update(periods)

    def read(self, name: str, periods: Sequence[str]) -> pa.Table:
        """The rows of ``periods`` kept under ``name``."""
        rows = pa.concat_tables(self._rows[name][1], promote_options="permissive")
        return rows.filter(pc.is_in(rows[kept.PERIOD_KEY], pa.array(periods, pa.string())))
