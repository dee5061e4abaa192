"""Where batches are written: the seam between the importer and the workspace backend.

The importer stages, converts and validates in a DuckDB connection (:attr:`Store.engine`) and
hands the store SQL relations to write. :class:`DuckDBStore` writes them into a new snapshot of
the workspace's DuckDB database in ONE transaction (accepted rows upserted by key, quarantine
rows, the import log row), swapped in when the store closes: either all of it is committed or
none. Other backends stage in a private in-memory DuckDB
engine and write the batch in one transaction of their own (:mod:`.postgres_store`), or as
Parquet parts switched by one manifest replace (:mod:`.spark_store`);
:func:`store_for` picks the store of a workspace.

Test hook: when ``SALESMETRICS_TEST_PAUSE_BEFORE_COMMIT`` names a file, :meth:`write_batch` creates
that file once every row is written, then sleeps (up to a minute) before ``COMMIT``, so a test can
kill the process inside the transaction and check that nothing was committed.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb

from salesmetrics import schema
from salesmetrics.connection import Connection
from salesmetrics.errors import UserError
from salesmetrics.ingest.sql import ident
from salesmetrics.schema import Table

PAUSE_ENV = "SALESMETRICS_TEST_PAUSE_BEFORE_COMMIT"
_counter = itertools.count()


class Store(Protocol):
    """What the importer needs from a workspace backend."""

    engine: duckdb.DuckDBPyConnection
    root: Path

    def temp_name(self, stem: str) -> str:
        """A fresh name for a temporary relation in :attr:`engine`."""
        ...

    def session(self, timezone: str, progress: bool) -> contextlib.AbstractContextManager[None]:
        """Settings (time zone, progress reporting) for the duration of one import."""
        ...

    def batches_with_hash(self, table: str, file_hash: str) -> list[tuple[str, int]]:
        """(batch id, rows rejected) of earlier imports of the same bytes into ``table``,
        newest first."""
        ...

    def differs(self, table: Table, accepted: str) -> int:
        """Rows of relation ``accepted`` missing from ``table`` or stored with other values."""
        ...

    def write_batch(
        self, table: Table, accepted: str, quarantine: str, log: dict[str, Any]
    ) -> None:
        """Write a batch atomically: accepted rows, quarantine rows and the log row."""
        ...

    def drop(self, names: Sequence[str]) -> None:
        """Drop temporary relations (views or tables) if they exist."""
        ...

    def logged(self, batch_id: str) -> bool:
        """True when the import log records batch ``batch_id`` (it was committed)."""
        ...

    def upsert(self, items: Sequence[tuple[str, Sequence[str], str]]) -> None:
        """In one transaction, for each (table, columns, relation of :attr:`engine`): delete the
        stored rows whose key the relation holds, then insert the relation's ``columns``."""
        ...

    def close(self) -> None:
        """Release what the store opened itself (never the workspace's connection)."""
        ...


#: The store class of each backend scheme, as ``module:Class`` (imported when used).
STORES = {
    "duckdb": "salesmetrics.ingest.store:DuckDBStore",
    "postgresql": "salesmetrics.ingest.postgres_store:PostgresStore",
    "pyspark": "salesmetrics.ingest.spark_store:SparkStore",
}


def store_for(ws: Connection, *, dry_run: bool = False) -> Store:
    """The store that writes imports into ``ws``'s backend; the workspace's materialised
    intermediates are dropped, since the data are about to change (unless ``dry_run``: the
    import only validates)."""
    module, name = STORES[ws.config.backend_scheme].split(":")
    store: Store = getattr(importlib.import_module(module), name)(ws, dry_run=dry_run)
    if not dry_run:
        ws.derived.bump()
    return store


@contextlib.contextmanager
def engine_session(con: duckdb.DuckDBPyConnection, timezone: str, progress: bool) -> Iterator[None]:
    """Read naive timestamps in ``timezone`` in the DuckDB engine ``con``; enable query progress
    when asked; the settings are restored afterwards."""
    names = ("TimeZone", "enable_progress_bar", "enable_progress_bar_print")
    saved = {n: _setting(con, n) for n in names}
    con.execute("SET TimeZone = $v", {"v": timezone})
    # DuckDB's own progress bar would print into the command's output: never; ours (on
    # stderr, see ingest.phases) polls query_progress(), which needs the bar enabled.
    con.execute("SET enable_progress_bar_print = false")
    con.execute("SET enable_progress_bar = $v", {"v": progress})
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # must not replace the error (see restore)
            _restore(con, saved)
        raise
    _restore(con, saved)


def _restore(con: duckdb.DuckDBPyConnection, saved: dict[str, Any]) -> None:
    """Set the settings ``saved`` back. After a failure the connection may refuse every
    statement (a fatal error invalidates it); that follow-on error must never hide the cause."""
    for name, value in saved.items():
        if value is not None:
            con.execute(f"SET {name} = $v", {"v": value})


def pause_before_commit() -> None:
    """The test hook of the module docstring (does nothing unless the variable is set)."""
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(60)


def table_of(name: str) -> Table:
    """The canonical or internal table called ``name``."""
    internal = {t.name: t for t in schema.INTERNAL_TABLES}
    return internal[name] if name in internal else schema.table(name)


def drop_relations(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    """Drop the temporary views and tables ``names`` of ``con``, ignoring missing ones."""
    for name in names:
        for kind in ("VIEW", "TABLE"):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP {kind} IF EXISTS {ident(name)}")


class DuckDBStore:
    """The workspace's embedded DuckDB database: a write goes to a new snapshot of its file,
    swapped in when the store closes after a commit (see :meth:`Connection.writing`); a dry run
    only reads."""

    def __init__(self, ws: Connection, *, dry_run: bool = False) -> None:
        self._ws: Connection | None = None if dry_run else ws
        self.engine = ws.begin_write().con if self._ws else ws.duckdb
        self.root = ws.root
        self.committed = False

    def temp_name(self, stem: str) -> str:
        """A fresh name for a temporary relation (unique within this process)."""
        return f"__sm_{stem}_{os.getpid()}_{next(_counter)}"

    def session(self, timezone: str, progress: bool) -> contextlib.AbstractContextManager[None]:
        """Read naive timestamps in ``timezone``; enable query progress when asked."""
        return engine_session(self.engine, timezone, progress)

    def batches_with_hash(self, table: str, file_hash: str) -> list[tuple[str, int]]:
        """(batch id, rows rejected) of earlier imports of the same bytes into ``table``,
        newest first."""
        rows = self.engine.execute(
            'SELECT batch_id, rows_rejected FROM "_import_log" WHERE table_name = $t'
            " AND file_hash = $h ORDER BY started_at DESC",
            {"t": table, "h": file_hash},
        ).fetchall()
        return [(str(r[0]), int(r[1] or 0)) for r in rows]

    def differs(self, table: Table, accepted: str) -> int:
        """Rows of ``accepted`` that are new to ``table`` or would change a stored row."""
        on = " AND ".join(f"t.{ident(k)} = a.{ident(k)}" for k in table.key)
        changed = " OR ".join(
            f"a.{ident(c)} IS DISTINCT FROM t.{ident(c)}" for c in table.column_names
        )
        first_key = ident(table.key[0])
        row = self.engine.execute(
            f"SELECT count(*) FROM {accepted} a LEFT JOIN {ident(table.name)} t ON {on}"
            f" WHERE t.{first_key} IS NULL OR {changed}"
        ).fetchone()
        return int(row[0]) if row else 0

    def write_batch(
        self, table: Table, accepted: str, quarantine: str, log: dict[str, Any]
    ) -> None:
        """Upsert ``accepted``, append ``quarantine`` and the log row in one transaction."""
        con = self.engine
        target = ident(table.name)
        cols = [*table.column_names, schema.BATCH_ID, schema.LOADED_AT]
        col_list = ", ".join(ident(c) for c in cols)
        select = ", ".join(ident(c) for c in table.column_names)
        meta = {"b": log["batch_id"], "at": log["finished_at"]}
        qcols = [c.name for c in schema.QUARANTINE.columns]
        lcols = [c.name for c in schema.IMPORT_LOG.columns]
        # Stored rows have no order (keys are unique, duplicates already resolved): let DuckDB
        # write them in parallel without keeping the file's order (quality bar P3).
        saved_order = _setting(con, "preserve_insertion_order")
        con.execute("SET preserve_insertion_order = false")
        con.execute("BEGIN TRANSACTION")
        try:
            verb = "INSERT"
            if self._overlaps(table, accepted):
                if self._has_primary_key(table.name):
                    verb = "INSERT OR REPLACE"
                else:  # keys kept unique by the importer alone: replace = delete + insert
                    on = " AND ".join(f"t.{ident(k)} = a.{ident(k)}" for k in table.key)
                    con.execute(
                        f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM {accepted} a"
                        f" WHERE {on})"
                    )
            con.execute(
                f"{verb} INTO {target} ({col_list}) SELECT {select}, $b, $at FROM {accepted}",
                meta,
            )
            con.execute(
                f'INSERT INTO "_quarantine" ({", ".join(ident(c) for c in qcols)})'
                f' SELECT $b, $t, $f, "row", "column", "value", "reason" FROM {quarantine}',
                {"b": log["batch_id"], "t": table.name, "f": log["file"]},
            )
            con.execute(
                f'INSERT INTO "_import_log" ({", ".join(ident(c) for c in lcols)})'
                f" VALUES ({', '.join('$' + c for c in lcols)})",
                {c: log.get(c) for c in lcols},
            )
            pause_before_commit()
            con.execute("COMMIT")
            self._committed(table.name, schema.QUARANTINE.name, schema.IMPORT_LOG.name)
        except BaseException:
            # DuckDB may have ended the transaction already (a failed COMMIT): then ROLLBACK
            # fails too, and that follow-on error must not replace the cause
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
                con.execute("SET preserve_insertion_order = $v", {"v": bool(saved_order)})
            raise
        con.execute("SET preserve_insertion_order = $v", {"v": bool(saved_order)})

    def _has_primary_key(self, name: str) -> bool:
        row = self.engine.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = $t"
            " AND constraint_type = 'PRIMARY KEY'",
            {"t": name},
        ).fetchone()
        return bool(row and row[0])

    def _overlaps(self, table: Table, accepted: str) -> bool:
        """True when some accepted key is already stored (then the insert must replace)."""
        target = ident(table.name)
        stored = self.engine.execute(f"SELECT EXISTS (SELECT 1 FROM {target})").fetchone()
        if not (stored and stored[0]):
            return False
        on = " AND ".join(f"t.{ident(k)} = a.{ident(k)}" for k in table.key)
        row = self.engine.execute(
            f"SELECT EXISTS (SELECT 1 FROM {accepted} a JOIN {target} t ON {on})"
        ).fetchone()
        return bool(row and row[0])

    def drop(self, names: Sequence[str]) -> None:
        """Drop temporary views and tables, ignoring those that do not exist."""
        drop_relations(self.engine, names)

    def logged(self, batch_id: str) -> bool:
        """True when ``_import_log`` has a row for ``batch_id``."""
        row = self.engine.execute(
            'SELECT count(*) FROM "_import_log" WHERE batch_id = $b', {"b": batch_id}
        ).fetchone()
        return bool(row and row[0])

    def upsert(self, items: Sequence[tuple[str, Sequence[str], str]]) -> None:
        """Replace-by-key inserts of several relations into their tables, in one transaction."""
        con = self.engine
        con.execute("BEGIN TRANSACTION")
        try:
            for name, columns, relation in items:
                on = " AND ".join(f"t.{ident(k)} = a.{ident(k)}" for k in table_of(name).key)
                con.execute(
                    f"DELETE FROM {ident(name)} t WHERE EXISTS (SELECT 1 FROM {relation} a"
                    f" WHERE {on})"
                )
                cols = ", ".join(ident(c) for c in columns)
                con.execute(f"INSERT INTO {ident(name)} ({cols}) SELECT {cols} FROM {relation}")
            con.execute("COMMIT")
            self._committed(*(name for name, _, _ in items))
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise

    def _committed(self, *tables: str) -> None:
        self.committed = True
        if self._ws is not None:
            self._ws.wrote(*tables)

    def close(self) -> None:
        """End the write: the new snapshot is swapped in if a batch was committed."""
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.end_write(commit=self.committed)


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> Any:
    row = con.execute("SELECT current_setting($n)", {"n": name}).fetchone()
    return row[0] if row else None


def user_error(err: duckdb.Error, what: str) -> UserError:
    """A DuckDB error while reading a file, as a one-line user error."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return UserError(f"{what}: {first}")
