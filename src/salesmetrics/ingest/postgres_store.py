"""Imports into a PostgreSQL workspace.

The importer stages, converts and validates in a private in-memory DuckDB engine, as for any
workspace; this store then streams the relations it is handed into PostgreSQL (Arrow record
batches written as CSV into ``COPY ... FROM STDIN``) and writes a batch in ONE PostgreSQL
transaction: the accepted rows into a temporary table, the stored rows with the same keys
deleted, the accepted rows inserted, the quarantine rows and the import log row appended, then
``COMMIT``. A process killed before the commit leaves the workspace as it was.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from typing import Any

import duckdb
import psycopg
import pyarrow.csv as pacsv

from salesmetrics import schema
from salesmetrics.connection import Connection
from salesmetrics.ingest.sql import ident
from salesmetrics.ingest.store import (
    drop_relations,
    engine_session,
    pause_before_commit,
    table_of,
)
from salesmetrics.progress import quiet_duckdb
from salesmetrics.schema import Table

#: Rows per Arrow record batch streamed into ``COPY`` (bounds the memory of a large import).
COPY_BATCH_ROWS = 100_000
_CSV = pacsv.WriteOptions(include_header=False)
#: Where the private engine spills, inside the workspace folder (created only when needed).
SPILL_DIR = ".import-spill"


class PostgresStore:
    """A PostgreSQL workspace, fed from a private DuckDB engine."""

    def __init__(self, ws: Connection, *, dry_run: bool = False) -> None:
        self.root = ws.root
        self.pg: psycopg.Connection[Any] = ws.backend.con
        self.engine = quiet_duckdb(duckdb.connect())
        # a large batch spills to the workspace folder (by default: .tmp in the current folder)
        self.engine.execute("SET temp_directory = $d", {"d": str(ws.root / SPILL_DIR)})
        self._temps = 0

    def temp_name(self, stem: str) -> str:
        """A fresh name for a temporary relation of the engine."""
        self._temps += 1
        return f"__sm_{stem}_{os.getpid()}_{self._temps}"

    def session(self, timezone: str, progress: bool) -> contextlib.AbstractContextManager[None]:
        """Read naive timestamps in ``timezone`` in the engine; query progress when asked."""
        return engine_session(self.engine, timezone, progress)

    def batches_with_hash(self, table: str, file_hash: str) -> list[tuple[str, int]]:
        """(batch id, rows rejected) of earlier imports of the same bytes into ``table``,
        newest first."""
        with self.pg.cursor() as cur:
            cur.execute(
                'SELECT batch_id, rows_rejected FROM "_import_log" WHERE table_name = %s'
                " AND file_hash = %s ORDER BY started_at DESC",
                (table, file_hash),
            )
            return [(str(r[0]), int(r[1] or 0)) for r in cur.fetchall()]

    def differs(self, table: Table, accepted: str) -> int:
        """Rows of ``accepted`` that are new to ``table`` or would change a stored row (counted
        in PostgreSQL, against a temporary copy of ``accepted``)."""
        with self.pg.transaction(), self.pg.cursor() as cur:
            tmp = self._upload(cur, table, table.column_names, f"SELECT * FROM {accepted}")
            on = " AND ".join(f"t.{ident(k)} = a.{ident(k)}" for k in table.key)
            changed = " OR ".join(
                f"a.{ident(c)} IS DISTINCT FROM t.{ident(c)}" for c in table.column_names
            )
            cur.execute(
                f"SELECT count(*) FROM {tmp} a LEFT JOIN {ident(table.name)} t ON {on}"
                f" WHERE t.{ident(table.key[0])} IS NULL OR {changed}"
            )
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def write_batch(
        self, table: Table, accepted: str, quarantine: str, log: dict[str, Any]
    ) -> None:
        """Upsert ``accepted``, append ``quarantine`` and the log row in one transaction."""
        cols = ", ".join(ident(c) for c in table.column_names)
        qcols = [c.name for c in schema.QUARANTINE.columns]
        lcols = [c.name for c in schema.IMPORT_LOG.columns]
        with self.pg.transaction(), self.pg.cursor() as cur:
            tmp = self._upload(cur, table, table.column_names, f"SELECT * FROM {accepted}")
            self._delete_keys(cur, table, tmp)
            cur.execute(
                f"INSERT INTO {ident(table.name)} ({cols}, {ident(schema.BATCH_ID)},"
                f" {ident(schema.LOADED_AT)}) SELECT {cols}, %s, %s FROM {tmp}",
                (log["batch_id"], log["finished_at"]),
            )
            rejected = self.engine.execute(  # only now: a new engine query ends the previous one
                'SELECT $b, $t, $f, "row", "column", "value", "reason" FROM ' + quarantine,
                {"b": log["batch_id"], "t": table.name, "f": log["file"]},
            )
            _copy(cur, "_quarantine", qcols, rejected)
            cur.execute(
                f'INSERT INTO "_import_log" ({", ".join(ident(c) for c in lcols)})'
                f" VALUES ({', '.join(['%s'] * len(lcols))})",
                [log.get(c) for c in lcols],
            )
            pause_before_commit()

    def drop(self, names: Sequence[str]) -> None:
        """Drop temporary views and tables of the engine, ignoring missing ones."""
        drop_relations(self.engine, names)

    def logged(self, batch_id: str) -> bool:
        """True when ``_import_log`` has a row for ``batch_id``."""
        with self.pg.cursor() as cur:
            cur.execute('SELECT count(*) FROM "_import_log" WHERE batch_id = %s', (batch_id,))
            row = cur.fetchone()
        return bool(row and row[0])

    def upsert(self, items: Sequence[tuple[str, Sequence[str], str]]) -> None:
        """Replace-by-key inserts of several engine relations into their tables, in one
        PostgreSQL transaction."""
        with self.pg.transaction(), self.pg.cursor() as cur:
            for name, columns, relation in items:
                t = table_of(name)
                select = f"SELECT {', '.join(ident(c) for c in columns)} FROM {relation}"
                tmp = self._upload(cur, t, columns, select)
                self._delete_keys(cur, t, tmp)
                cols = ", ".join(ident(c) for c in columns)
                cur.execute(f"INSERT INTO {ident(name)} ({cols}) SELECT {cols} FROM {tmp}")

    def close(self) -> None:
        """Close the private engine (the workspace's PostgreSQL connection stays open)."""
        self.engine.close()

    def _upload(
        self, cur: psycopg.Cursor[Any], table: Table, columns: Sequence[str], select: str
    ) -> str:
        """Copy the engine's ``select`` into a new temporary table shaped like ``table``
        (dropped at commit); returns its quoted name."""
        tmp = ident(self.temp_name("pg"))
        cur.execute(
            f"CREATE TEMP TABLE {tmp} (LIKE {ident(table.name)} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        _copy(cur, tmp, columns, self.engine.execute(select), quoted=True)
        cur.execute(f"ANALYZE {tmp}")
        return tmp

    @staticmethod
    def _delete_keys(cur: psycopg.Cursor[Any], table: Table, tmp: str) -> None:
        """Delete the stored rows of ``table`` whose key is in ``tmp`` (the upsert's first half)."""
        on = " AND ".join(f"t.{ident(k)} = a.{ident(k)}" for k in table.key)
        cur.execute(f"DELETE FROM {ident(table.name)} t USING {tmp} a WHERE {on}")


def _copy(
    cur: psycopg.Cursor[Any],
    target: str,
    columns: Sequence[str],
    result: duckdb.DuckDBPyConnection,
    *,
    quoted: bool = False,
) -> None:
    """Stream a DuckDB result into PostgreSQL table ``target`` with ``COPY``: Arrow batches as
    CSV (strings are always quoted, so an empty string stays distinct from NULL)."""
    name = target if quoted else ident(target)
    reader = result.to_arrow_reader(COPY_BATCH_ROWS)
    cols = ", ".join(ident(c) for c in columns)
    with cur.copy(f"COPY {name} ({cols}) FROM STDIN (FORMAT csv)") as copy:
        for batch in reader:
            if batch.num_rows:
                buf = io.BytesIO()
                pacsv.write_csv(batch, buf, _CSV)
                copy.write(buf.getbuffer())
