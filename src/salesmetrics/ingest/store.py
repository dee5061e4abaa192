"""Where batches are written: the seam between the importer and the workspace backend.

The importer stages, converts and validates in a DuckDB connection (:attr:`Store.engine`) and
hands the store SQL relations to write. :class:`DuckDBStore` writes them into the workspace's own
DuckDB database in ONE transaction (accepted rows upserted by key, quarantine rows, the import log
row): either all of it is committed or none. A PostgreSQL store can implement the same protocol
later, attaching the database to a local DuckDB engine.

Test hook: when ``SALESMETRICS_TEST_PAUSE_BEFORE_COMMIT`` names a file, :meth:`write_batch` creates
that file once every row is written, then sleeps (up to a minute) before ``COMMIT``, so a test can
kill the process inside the transaction and check that nothing was committed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb

from salesmetrics import schema
from salesmetrics.errors import UserError
from salesmetrics.ingest.sql import ident
from salesmetrics.schema import Table
from salesmetrics.workspace import Workspace

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

    def batches_with_hash(self, table: str, file_hash: str) -> list[str]:
        """Batch ids of earlier imports of the same bytes into ``table``, newest first."""
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


class DuckDBStore:
    """The workspace's embedded DuckDB database."""

    def __init__(self, ws: Workspace) -> None:
        self.engine = ws.duckdb
        self.root = ws.root

    def temp_name(self, stem: str) -> str:
        """A fresh name for a temporary relation (unique within this process)."""
        return f"__sm_{stem}_{os.getpid()}_{next(_counter)}"

    @contextlib.contextmanager
    def session(self, timezone: str, progress: bool) -> Iterator[None]:
        """Read naive timestamps in ``timezone``; enable query progress when asked."""
        con = self.engine
        names = ("TimeZone", "enable_progress_bar", "enable_progress_bar_print")
        saved = {n: _setting(con, n) for n in names}
        con.execute("SET TimeZone = $v", {"v": timezone})
        # DuckDB's own progress bar would print into the command's output: never; ours (on
        # stderr, see ingest.progress) polls query_progress(), which needs the bar enabled.
        con.execute("SET enable_progress_bar_print = false")
        con.execute("SET enable_progress_bar = $v", {"v": progress})
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is not None:
                    con.execute(f"SET {name} = $v", {"v": value})

    def batches_with_hash(self, table: str, file_hash: str) -> list[str]:
        """Batch ids of earlier imports of the same bytes into ``table``, newest first."""
        rows = self.engine.execute(
            'SELECT batch_id FROM "_import_log" WHERE table_name = $t AND file_hash = $h'
            " ORDER BY started_at DESC",
            {"t": table, "h": file_hash},
        ).fetchall()
        return [str(r[0]) for r in rows]

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
            marker = os.environ.get(PAUSE_ENV)
            if marker:
                Path(marker).write_text(str(os.getpid()), encoding="utf-8")
                time.sleep(60)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise

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
        for name in names:
            for kind in ("VIEW", "TABLE"):
                with contextlib.suppress(duckdb.Error):
                    self.engine.execute(f"DROP {kind} IF EXISTS {ident(name)}")


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> Any:
    row = con.execute("SELECT current_setting($n)", {"n": name}).fetchone()
    return row[0] if row else None


def user_error(err: duckdb.Error, what: str) -> UserError:
    """A DuckDB error while reading a file, as a one-line user error."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return UserError(f"{what}: {first}")
