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


def check_export_target(ws: Connection, directory: Path) -> None:
    """One-line errors for an export target that would hurt data: an empty path, a folder
    inside the workspace, an existing file, or a folder holding anything but an earlier export
    (whose files an export replaces)."""
    if not str(directory).strip():
        raise UserError("export: the target folder is empty; name a folder outside the workspace")
    target = directory.resolve()
    root = ws.root.resolve()
    if target == root or root in target.parents:
        raise UserError(
            f"export {directory}: the target is inside the workspace {ws.root}; export to a"
            " folder outside it"
        )
    if target.exists() and not target.is_dir():
        raise UserError(f"export {directory}: a file of that name exists; name a new folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise UserError(
            f"export {directory}: the folder is not empty and holds no earlier export; name a"
            " new or empty folder"
        )


def export_workspace(ws: Connection, directory: Path) -> list[Path]:
    """Write every table of ``ws`` to ``directory`` as Parquet; returns the files written."""
    check_export_target(ws, directory)
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
    # an export made before a version added an optional column lacks it: restored empty
    absent = [c for c in columns if c not in rel.columns]
    missing = [c for c in absent if c in t.key or c not in t.column_names or t.column(c).required]
    if missing:
        raise UserError(f"{path}: columns {missing} are missing; it is not an export of {t.name}")
    view = store.temp_name(f"restore_{t.name.strip('_')}")
    types = {c.name: c.sql for c in t.columns} | dict(schema.META_COLUMNS)
    casts = ", ".join(
        f'CAST(NULL AS {types[c]}) AS "{c}"'
        if c in absent
        else f'TRY_CAST("{c}" AS {types[c]}) AS "{c}"'
        for c in columns
    )
    literal = "'" + str(path).replace("'", "''") + "'"  # a view cannot take parameters
    con.execute(f'CREATE TEMP VIEW "{view}" AS SELECT {casts} FROM read_parquet({literal})')
    try:
        for c in (c for c in columns if c not in absent):  # a value the type cannot hold: refused
            bad = con.execute(
                f'SELECT CAST(r."{c}" AS VARCHAR) FROM read_parquet($p) r WHERE r."{c}" IS NOT NULL'
                f' AND TRY_CAST(r."{c}" AS {types[c]}) IS NULL LIMIT 1',
                {"p": str(path)},
            ).fetchall()
            if bad:
                raise UserError(
                    f"{path}: column {c} holds {str(bad[0][0])[:50]!r}, which cannot be read as"
                    f" {types[c]}; it is not an export of {t.name}"
                )
        count = _count(con, view)
        if count != expected:
            raise UserError(f"{path}: {count} rows read, the manifest says {expected}")
        keys = ", ".join(f'"{k}"' for k in t.key)
        doubled = con.execute(
            f'SELECT {keys} FROM "{view}" GROUP BY {keys} HAVING count(*) > 1 LIMIT 1'
        ).fetchall()
        if doubled:
            shown = ", ".join(str(v) for v in doubled[0])
            raise UserError(
                f"{path}: key ({', '.join(t.key)}) = ({shown}) is not unique; an export holds"
                " each row once"
            )
    except BaseException:
        store.drop([view])
        raise
    return view, count
