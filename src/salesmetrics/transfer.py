"""Export every table of a workspace to Parquet, and restore such an export exactly.

An export folder holds one ``<table>.parquet`` per canonical and internal table,
``manifest.json`` (format version, row counts) and ``raw/`` (the raw copies of import
batches). Restoring checks the manifest and the columns against the schema and loads every table
in one transaction, into a workspace whose tables are all empty; money stays exact (Parquet
decimals) and timestamps keep their microseconds.

Both work on every backend: the export reads the tables through Ibis (Arrow batches), the
restore reads the files in the import store's DuckDB engine and has the store write them
(:meth:`salesmetrics.ingest.store.Store.upsert`, one transaction).
"""

from __future__ import annotations

import json
import shutil
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow.parquet as pq

from salesmetrics import schema
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.connection import Connection
    from salesmetrics.ingest.store import Store

MANIFEST = "manifest.json"
RAW_DIR = "raw"  # raw copies of import batches, referenced by _import_log.raw_copy
FORMAT_VERSION = 1


def _all_tables() -> tuple[schema.Table, ...]:
    return (*schema.TABLES, *schema.INTERNAL_TABLES)


def _stored_columns(t: schema.Table) -> list[str]:
    names = list(t.column_names)
    if t.name in schema.SCHEMA:
        names += [n for n, _ in schema.META_COLUMNS]
    return names


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open on the connection.
    return int(con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])


def export_workspace(ws: Connection, directory: Path) -> list[Path]:
    """Write every table of ``ws`` to ``directory`` as Parquet; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    counts: dict[str, int] = {}
    for t in _all_tables():
        path = directory / f"{t.name}.parquet"
        expr = ws.table(t.name).select(*_stored_columns(t)).order_by(list(t.key))
        reader = expr.to_pyarrow_batches()
        rows = 0
        with pq.ParquetWriter(path, reader.schema, compression="zstd") as writer:
            for batch in reader:  # batches may differ from the schema in nullability only
                writer.write_batch(batch.cast(reader.schema))
                rows += batch.num_rows
        counts[t.name] = rows
        files.append(path)
    if (ws.root / RAW_DIR).is_dir():
        shutil.copytree(ws.root / RAW_DIR, directory / RAW_DIR, dirs_exist_ok=True)
    manifest = {"format_version": FORMAT_VERSION, "tables": counts}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return files


def _read_manifest(directory: Path) -> dict[str, int]:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"{directory}: no {MANIFEST}; restore reads a folder written by 'salesmetrics export'"
        ) from None
    except json.JSONDecodeError as err:
        raise UserError(f"{path}: not valid JSON ({err})") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise UserError(
            f"{path}: export format {manifest.get('format_version')!r} is not supported"
            f" (this version reads format {FORMAT_VERSION})"
        )
    tables: dict[str, int] = manifest.get("tables", {})
    return tables


def _check_empty(ws: Connection) -> None:
    for t in _all_tables():
        rows = ws.count(t.name)
        if rows:
            raise UserError(
                f"table {t.name} already has {rows} rows; restore into an empty workspace"
                " (salesmetrics init NEW_DIR)"
            )


def restore_workspace(ws: Connection, directory: Path) -> dict[str, int]:
    """Load the export in ``directory`` into the empty workspace ``ws``; rows per table."""
    from salesmetrics.ingest.store import store_for

    expected = _read_manifest(directory)
    _check_empty(ws)
    restored: dict[str, int] = {}
    with closing(store_for(ws)) as store:
        views: list[str] = []
        try:
            items = []
            for t in _all_tables():
                found = _stage_table(store, t, directory, expected.get(t.name, 0))
                if found is not None:
                    view, restored[t.name] = found
                    views.append(view)
                    items.append((t.name, _stored_columns(t), f'"{view}"'))
                else:
                    restored[t.name] = 0
            store.upsert(items)
        finally:
            store.drop(views)
    if (directory / RAW_DIR).is_dir():
        shutil.copytree(directory / RAW_DIR, ws.root / RAW_DIR, dirs_exist_ok=True)
    return restored


def _stage_table(
    store: Store, t: schema.Table, directory: Path, expected: int
) -> tuple[str, int] | None:
    """A view of the store's engine over ``t``'s Parquet file and its row count, checked against
    the schema and the manifest; None when the export has no file (and no rows) for ``t``."""
    path = directory / f"{t.name}.parquet"
    if not path.exists():
        if expected:
            raise UserError(f"{path} is missing; the export is incomplete")
        return None
    con = store.engine
    try:
        rel = con.read_parquet(str(path))
    except duckdb.Error as err:
        raise UserError(f"{path}: not a readable Parquet file ({err})") from None
    columns = _stored_columns(t)
    missing = [c for c in columns if c not in rel.columns]
    if missing:
        raise UserError(f"{path}: columns {missing} are missing; it is not an export of {t.name}")
    view = store.temp_name(f"restore_{t.name.strip('_')}")
    rel.create_view(view)
    count = _count(con, view)
    if count != expected:
        store.drop([view])
        raise UserError(f"{path}: {count} rows read, the manifest says {expected}")
    return view, count
