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
the revenue recognised per account and period. ``get(name, build, scope=key)`` keeps such a
table for one period spine (``key``: its periods), so that the same periods grouped another way
(company-wide, by team, by rep) read it instead of computing it again. These are data queries
of the evaluation that builds them (named ``_sm_periods_*``, counted as ``periods <name>``);
the tables of at most :data:`PERIOD_SCOPES` spines are kept, the least recently used dropped.
:meth:`Derived.frame` keeps small results of a spine the same way, as pandas frames.

**Per period.** A result made of rows per period, each period's rows independent of the other
periods asked with it (a family's component cube, :mod:`salesmetrics.metrics.rollup`), is
computed period by period: :meth:`Derived.periodic` computes only the periods not computed
before under the same data version, in one query, and keeps them. On DuckDB they are kept in
the workspace file (:meth:`Kept.append`), so a later session asking for periods an earlier one
asked for reads their rows; elsewhere for the session.

**Kept between sessions (DuckDB).** In a DuckDB workspace the whole-history tables are
ordinary tables of the database file (:mod:`salesmetrics.kept`), stamped with the data version
and the code, so that the next session (the next CLI command, the web app when it starts) reads
them instead of computing them: the first evaluation after an import computes and keeps them
(writing them costs about a third more than a temporary table), later sessions skip that work.
PostgreSQL and Spark workspaces keep them for the session only (several processes may write
there at once).

**When the data change.** :meth:`Derived.refresh` is given a *data version*: the row count of
every table (the import log included, which grows with every committed batch) and the
configuration; with the workspace's write generation (bumped whenever a store is opened for
writing, see :func:`salesmetrics.ingest.store.store_for`, which also drops the kept tables) it
decides whether the session's tables still hold. A different version drops every materialised
table, and kept tables of another stamp. The engine refreshes at the start of every evaluation,
so a write by another process (PostgreSQL, Spark) is seen by the next evaluation once it changes
a row count or logs a batch; a write that replaces rows without changing any count or logging (a
restore of an export of the same size, by another process) is the one case it cannot see, and
reopening the workspace clears the cache. Every write through salesmetrics drops the kept
tables of a DuckDB workspace, so there the blind spot is limited to writes made with other
tools.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics import kept
from salesmetrics.backends import scratch
from salesmetrics.kept import Kept

if TYPE_CHECKING:
    import ibis.expr.types as ir

_counter = itertools.count()

#: How many period spines keep their tables (a dashboard moving between a few views).
PERIOD_SCOPES = 4


#: A small result kept for a period scope (a frame, an Arrow table).
T = TypeVar("T")


class Derived:
    """The materialised intermediates of one open workspace, by name."""

    def __init__(self, backend: Callable[[], Any], *, cache: Path | None = None) -> None:
        self._backend = backend
        # stored name (None: a kept table, not dropped with the session) and table
        self._tables: dict[tuple[str, Hashable], tuple[str | None, ir.Table]] = {}
        self._frames: dict[tuple[str, Hashable], Any] = {}  # of a period scope
        self._session_rows = SessionRows()  # per-period results, when not kept
        self._scopes: dict[Hashable, None] = {}  # period scopes, least recently used first
        self._version: Hashable | None = None
        self._cache = cache  # the folder of kept tables (embedded workspaces only)
        self._keep = False  # whether this session can write there (set by refresh)
        self._kept: Kept | None = None
        self._stamp: str | None = None  # of the data version, once refreshed (kept tables)
        self.generation = 0
        #: Query labels of the tables materialised so far (in order): ``derived <name>`` for a
        #: whole-history one, ``periods <name>`` for one of a period scope.
        self.built: list[str] = []

    def refresh(self, version: Hashable) -> None:
        """Forget every materialised table when ``version`` (or the write generation) differs
        from the last one seen; kept tables of another version are dropped."""
        key = (version, self.generation)
        if key != self._version:
            self.clear()
            self._version = key
            if self._cache is not None:
                self._keep = _writable(self._cache)
                self._stamp = kept.stamp(version)
                if self._keep:
                    self._kept_tables().keep_only(self._stamp)

    def bump(self) -> None:
        """Mark the data as changing (a store opened for writing): drop what was materialised
        (the kept tables of this data version stay: the new version has another stamp)."""
        self.generation += 1
        self.clear()

    def reset(self) -> None:
        """Drop every materialised table, the kept ones too: the next evaluation computes them
        again, as after an import."""
        self.clear()
        if self._keep:
            self._kept_tables().forget()

    def get(
        self, name: str, build: Callable[[], ir.Table], *, scope: Hashable | None = None
    ) -> ir.Table:
        """The materialised ``build()`` under ``name`` (and period ``scope``, when given),
        computed on first use (one query)."""
        if scope is not None:
            self._enter(scope)
        entry = self._tables.get((name, scope))
        if entry is None and scope is None and self._stamp is not None:
            entry = self._tables[(name, None)] = (None, self._kept_table(name, build))
        if entry is None:
            kind = "derived" if scope is None else "periods"
            stored = f"_sm_{kind}_{name}_{next(_counter)}"
            table = scratch.materialise(self._backend(), stored, build())
            entry = self._tables[(name, scope)] = (stored, table)
            self.built.append(f"{kind} {name}")
        return entry[1]

    def frame(self, name: str, compute: Callable[[], T], *, scope: Hashable) -> T:
        """The result of ``compute()`` (a small frame or Arrow table) under ``name`` for
        period ``scope``, computed on first use and kept like the tables of the scope."""
        self._enter(scope)
        key = (name, scope)
        if key not in self._frames:
            self._frames[key] = compute()
        kept: T = self._frames[key]
        return kept

    def periodic(
        self, name: str, periods: Sequence[str], compute: Callable[[list[str]], pa.Table]
    ) -> pa.Table:
        """The rows of ``periods`` (period keys, :func:`kept.period_key`; at least one) of the
        per-period result ``name``. ``compute(missing)`` gives the rows (with column
        :data:`kept.PERIOD_KEY`) of the periods not computed before under this data version;
        they are kept, in the workspace file on DuckDB. At most two queries: the computation
        and one read of the periods kept before."""
        store: Kept | SessionRows = self._kept_tables() if self._keep else self._session_rows
        stamp = self._stamp or ""
        done = store.periods(name, stamp)
        before = [p for p in periods if p in done]
        missing = [p for p in periods if p not in done]
        parts = [store.read(name, stamp, before)] if before else []
        if missing:
            rows = compute(missing)
            store.append(name, stamp, missing, rows)
            parts.append(rows)
        return pa.concat_tables(parts, promote_options="permissive")

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
        self._session_rows = SessionRows()
        self._scopes = {}
        self._kept = None  # the stamps are read again (the workspace may have been reopened)
        for stored, _ in tables.values():
            if stored is not None:
                scratch.drop(self._backend(), stored)

    def _kept_table(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """The kept table ``name`` of the current data version, computed and kept first if
        there is none."""
        assert self._stamp is not None
        store = self._kept_tables()
        table = store.get(name, self._stamp)
        if table is None:
            table = store.put(name, self._stamp, build())
            self.built.append(f"derived {name}")
        return table

    def _kept_tables(self) -> Kept:
        if self._kept is None:
            assert self._cache is not None
            self._kept = Kept(self._backend, self._cache)
        return self._kept


def _writable(folder: Path) -> bool:
    """Whether ``folder`` (or, before it exists, the folder it would be made in) is writable."""
    existing = folder if folder.exists() else folder.parent
    return os.access(existing, os.W_OK)


class SessionRows:
    """Per-period results kept for the session only (where :class:`Kept` does not apply): the
    same interface as its per-period tables, the stamp ignored (the session's tables are
    dropped when the data version changes)."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[set[str], list[pa.Table]]] = {}

    def periods(self, name: str, stamp: str) -> set[str]:
        """The periods kept under ``name``."""
        return set(self._rows.get(name, (set(), []))[0])

    def append(self, name: str, stamp: str, periods: Sequence[str], rows: pa.Table) -> None:
        """Keep ``rows``, the rows of ``periods``, under ``name``."""
        done, parts = self._rows.setdefault(name, (set(), []))
        parts.append(rows)
        done.update(periods)

    def read(self, name: str, stamp: str, periods: Sequence[str]) -> pa.Table:
        """The rows of ``periods`` kept under ``name``."""
        rows = pa.concat_tables(self._rows[name][1], promote_options="permissive")
        return rows.filter(pc.is_in(rows[kept.PERIOD_KEY], pa.array(periods, pa.string())))
