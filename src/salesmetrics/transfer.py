"""Export every table of a workspace to Parquet, and restore such an export exactly.

An export folder holds one ``<table>.parquet`` per canonical and internal table,
``manifest.json`` (format version, row counts) and ``raw/`` (the raw copies of import
batches). Restoring checks the manifest and the columns against the schema and loads every table
in one transaction, into a workspace whose tables are all empty; money stays exact (Parquet
decimals) and timestamps keep their microseconds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from salesmetrics import schema
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.workspace import Workspace

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


def export_workspace(ws: Workspace, directory: Path) -> list[Path]:
    """Write every table of ``ws`` to ``directory`` as Parquet; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    con = ws.duckdb
    files: list[Path] = []
    counts: dict[str, int] = {}
    for t in _all_tables():
        path = directory / f"{t.name}.parquet"
        rel = con.table(t.name).order(", ".join(f'"{k}"' for k in t.key))
        rel.write_parquet(str(path), compression="zstd")
        counts[t.name] = _count(con, t.name)
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


def _check_empty(con: duckdb.DuckDBPyConnection) -> None:
    for t in _all_tables():
        rows = _count(con, t.name)
        if rows:
            raise UserError(
                f"table {t.name} already has {rows} rows; restore into an empty workspace"
                " (salesmetrics init NEW_DIR)"
            )


def restore_workspace(ws: Workspace, directory: Path) -> dict[str, int]:
    """Load the export in ``directory`` into the empty workspace ``ws``; rows per table."""
    expected = _read_manifest(directory)
    con = ws.duckdb
    _check_empty(con)
    restored: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        for t in _all_tables():
            restored[t.name] = _restore_table(con, t, directory, expected.get(t.name, 0))
        con.execute("COMMIT").fetchall()
    except BaseException:
        con.execute("ROLLBACK").fetchall()
        raise
    if (directory / RAW_DIR).is_dir():
        shutil.copytree(directory / RAW_DIR, ws.root / RAW_DIR, dirs_exist_ok=True)
    return restored


def _restore_table(
    con: duckdb.DuckDBPyConnection, t: schema.Table, directory: Path, expected: int
) -> int:
    path = directory / f"{t.name}.parquet"
    if not path.exists():
        if expected:
            raise UserError(f"{path} is missing; the export is incomplete")
        return 0
    try:
        rel = con.read_parquet(str(path))
    except duckdb.Error as err:
        raise UserError(f"{path}: not a readable Parquet file ({err})") from None
    columns = _stored_columns(t)
    missing = [c for c in columns if c not in rel.columns]
    if missing:
        raise UserError(f"{path}: columns {missing} are missing; it is not an export of {t.name}")
    view = f"_restore_{t.name.strip('_')}"
    con.register(view, rel)
    try:
        cols = ", ".join(f'"{c}"' for c in columns)
        con.execute(f'INSERT INTO "{t.name}" ({cols}) SELECT {cols} FROM "{view}"')
    finally:
        con.unregister(view)
    count = _count(con, t.name)
    if count != expected:
        raise UserError(f"{path}: {count} rows read, the manifest says {expected}")
    return count
