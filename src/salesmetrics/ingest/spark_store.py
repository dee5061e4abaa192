"""Imports into a Spark workspace.

The importer stages, converts and validates in a private in-memory DuckDB engine, as for any
workspace. This store hands the relations it is given to Spark (Arrow tables turned into Spark
DataFrames) and writes a batch as new Parquet parts of the tables it touches (see
:mod:`salesmetrics.backends.spark_storage`): the target table, ``_quarantine`` and
``_import_log``. Nothing is visible until one manifest replace switches all of them at once, so a
process killed at any point before it leaves the workspace as it was.

Upsert by key: when no accepted key is stored yet, the accepted rows are one more part of the
table; otherwise the table is rewritten as one part (the stored rows whose key is not accepted,
plus the accepted rows). Append-only tables (``_quarantine``, ``_import_log``) get one part per
batch, and are compacted into one when they have :data:`MAX_PARTS` of them. Writers hold the
workspace's write lock from reading the manifest to switching it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb

from salesmetrics import schema
from salesmetrics.backends.spark import backend_of
from salesmetrics.backends.spark_storage import spark_schema
from salesmetrics.connection import Connection
from salesmetrics.ingest.sql import ident
from salesmetrics.ingest.store import drop_relations, engine_session, pause_before_commit, table_of
from salesmetrics.progress import quiet_duckdb
from salesmetrics.schema import Table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

#: A table with this many parts is rewritten as one by its next write.
MAX_PARTS = 16


class SparkStore:
    """A Spark workspace, fed from a private DuckDB engine."""

    def __init__(self, ws: Connection, *, dry_run: bool = False) -> None:
        self.root = ws.root
        self.con = backend_of(ws.backend)
        self.spark = self.con._session
        self.storage = self.con.storage
        self.engine = quiet_duckdb(duckdb.connect())
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
        rows = self.spark.sql(
            "SELECT batch_id, rows_rejected FROM _import_log WHERE table_name = :t"
            " AND file_hash = :h ORDER BY started_at DESC",
            args={"t": table, "h": file_hash},
        ).collect()
        return [(str(r[0]), int(r[1] or 0)) for r in rows]

    def logged(self, batch_id: str) -> bool:
        """True when ``_import_log`` has a row for ``batch_id``."""
        rows = self.spark.sql(
            "SELECT count(*) FROM _import_log WHERE batch_id = :b", args={"b": batch_id}
        ).collect()
        return bool(rows and rows[0][0])

    def differs(self, table: Table, accepted: str) -> int:
        """Rows of ``accepted`` that are new to ``table`` or would change a stored row (counted
        in Spark, against the accepted rows uploaded)."""
        from pyspark.sql import functions as sf

        new = self._upload(table, f"SELECT * FROM {accepted}", table.column_names)
        stored = self.spark.table(table.name).select(
            *(sf.col(c).alias(f"_t_{c}") for c in table.column_names)
        )
        on = [new[k] == stored[f"_t_{k}"] for k in table.key]
        joined = new.join(stored, on, "left")
        changed = sf.col(f"_t_{table.key[0]}").isNull()
        for c in table.column_names:
            changed = changed | ~new[c].eqNullSafe(stored[f"_t_{c}"])
        return int(joined.filter(changed).count())

    def write_batch(
        self, table: Table, accepted: str, quarantine: str, log: dict[str, Any]
    ) -> None:
        """Upsert ``accepted``, append ``quarantine`` and the log row, switched at once."""
        columns = [*table.column_names, schema.BATCH_ID, schema.LOADED_AT]
        rows = self._upload(
            table,
            f"SELECT *, $b AS {ident(schema.BATCH_ID)}, $at AS {ident(schema.LOADED_AT)}"
            f" FROM {accepted}",
            columns,
            {"b": log["batch_id"], "at": log["finished_at"]},
        )
        rejected = self._upload(
            schema.QUARANTINE,
            f'SELECT $b AS batch_id, $t AS table_name, $f AS file, "row", "column", "value",'
            f' "reason" FROM {quarantine}',
            [c.name for c in schema.QUARANTINE.columns],
            {"b": log["batch_id"], "t": table.name, "f": log["file"]},
        )
        # the log row goes through the engine too: one conversion of naive timestamps to Spark
        lcols = schema.IMPORT_LOG.columns
        entry = self._upload(
            schema.IMPORT_LOG,
            "SELECT " + ", ".join(f"CAST(${c.name} AS {c.sql}) AS {ident(c.name)}" for c in lcols),
            [c.name for c in lcols],
            {c.name: log.get(c.name) for c in lcols},
        )
        self._write({table.name: rows, schema.QUARANTINE.name: rejected, "_import_log": entry})

    def upsert(self, items: Sequence[tuple[str, Sequence[str], str]]) -> None:
        """Replace-by-key inserts of several engine relations into their tables, switched at
        once."""
        frames = {}
        for name, columns, relation in items:
            select = f"SELECT {', '.join(ident(c) for c in columns)} FROM {relation}"
            frames[name] = self._upload(table_of(name), select, columns)
        self._write(frames)

    def drop(self, names: Sequence[str]) -> None:
        """Drop temporary views and tables of the engine, ignoring missing ones."""
        drop_relations(self.engine, names)

    def close(self) -> None:
        """Close the private engine (the workspace's Spark session stays open)."""
        self.engine.close()

    # -- internals ---------------------------------------------------------------------------

    def _upload(
        self,
        table: Table,
        select: str,
        columns: Sequence[str],
        params: Mapping[str, Any] | None = None,
    ) -> DataFrame:
        """The engine's ``select`` as a Spark DataFrame with ``table``'s stored schema (columns
        not in ``columns`` are null)."""
        from pyspark.sql import functions as sf
        from pyspark.sql.types import StructType

        struct = spark_schema(table)
        given = StructType([f for f in struct.fields if f.name in columns])
        arrow = self.engine.execute(select, dict(params or {})).fetch_arrow_table()
        arrow = arrow.select([f.name for f in given.fields])
        frame = self.spark.createDataFrame(arrow, schema=given)
        full: DataFrame = frame.select(
            *(
                sf.col(f.name) if f.name in columns else sf.lit(None).cast(f.dataType).alias(f.name)
                for f in struct.fields
            )
        )
        return full

    def _write(self, frames: Mapping[str, DataFrame]) -> None:
        """Write each table's new rows as parts and switch them all in one manifest replace."""
        with self.storage.lock():
            current = self.storage.parts()
            switched: dict[str, list[str]] = {}
            for name, rows in frames.items():
                t = table_of(name)
                parts = current.get(name, [])
                if parts and (len(parts) >= MAX_PARTS or self._overlaps(t, parts, rows)):
                    stored = self.storage.frame(self.spark, t, parts)
                    keep = stored.join(rows.select(*t.key), list(t.key), "left_anti")
                    part = self.storage.new_part(name)
                    self.storage.write(keep.unionByName(rows), part)
                    switched[name] = [part]
                elif not rows.isEmpty():
                    part = self.storage.new_part(name)
                    self.storage.write(rows, part)
                    switched[name] = [*parts, part]
            pause_before_commit()
            self.storage.switch(switched)
        self.con.refresh(list(frames))

    def _overlaps(self, t: Table, parts: Sequence[str], rows: DataFrame) -> bool:
        """True when some key of ``rows`` is already stored in ``parts``."""
        stored = self.storage.frame(self.spark, t, parts).select(*t.key)
        return not stored.join(rows.select(*t.key), list(t.key), "left_semi").isEmpty()
