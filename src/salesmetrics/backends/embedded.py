"""The embedded DuckDB backend: ``duckdb:///FILE``, FILE relative to the workspace folder.

Readers open FILE read-only; writers write a copy and swap it in
(:mod:`salesmetrics.backends.snapshot`), so readers never wait and never see half a write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from salesmetrics import schema
from salesmetrics.backends import snapshot, spare
from salesmetrics.errors import UserError
from salesmetrics.progress import quiet_duckdb

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend

    from salesmetrics.config import Config

DEFAULT_FILE = "workspace.duckdb"


def database_path(config: Config, root: Path) -> Path:
    """The DuckDB database file a ``duckdb://`` backend URL names."""
    path = config.backend.split("://", 1)[1].lstrip("/") or DEFAULT_FILE
    return Path(path) if Path(path).is_absolute() else root / path


def connect(config: Config, root: Path) -> Backend:
    """Open the workspace's DuckDB file read-only, with the configured memory limit (beyond it
    DuckDB spills to ``FILE.tmp`` beside the file). A file that does not exist yet, or lacks a
    table of this version's schema, is first created or completed by a write."""
    target = database_path(config, root)
    if snapshot.identity(target) is not None:
        con = _open(config, target, read_only=True)
        if _complete(con):
            return con
        _close(con)
    with snapshot.writer_lock(target):
        copy = snapshot.begin(target)
        try:
            open_writer(config, copy).disconnect()
            snapshot.commit(copy, target)
        finally:
            snapshot.abort(copy)
    return _open(config, target, read_only=True)


def open_writer(config: Config, path: Path) -> Backend:
    """Open ``path`` (a writer's snapshot, see :mod:`.snapshot`) for writing, its tables
    created."""
    con = _open(config, path, read_only=False)
    for t in schema.TABLES:
        # No PRIMARY KEY index: the importer keeps keys unique itself (see ingest/store.py),
        # and maintaining the index would slow every large import.
        con.con.execute(schema.create_table_sql(t, primary_key=False))
    for t in schema.INTERNAL_TABLES:
        con.con.execute(schema.internal_create_sql(t))
    _add_new_columns(con)
    con.con.execute(snapshot.GENERATIONS_SQL)
    _drop_old_cache(con)
    return con


def _stored_columns(con: Backend) -> set[tuple[str, str]]:
    rows = con.con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = current_schema()"
        " AND database_name = current_database()"
    ).fetchall()
    return {(str(t), str(c)) for t, c in rows}


def _missing_columns(con: Backend) -> list[tuple[str, str, str]]:
    """(table, column, SQL type) of the schema's columns that a table of an older version lacks."""
    stored = _stored_columns(con)
    tables = {t for t, _ in stored}
    return [
        (t.name, c.name, c.sql)
        for t in (*schema.TABLES, *schema.INTERNAL_TABLES)
        if t.name in tables
        for c in t.columns
        if (t.name, c.name) not in stored
    ]


def _add_new_columns(con: Backend) -> None:
    """Add the optional columns a later version declared to a workspace's existing tables
    (empty in the rows stored before), so that an upgraded workspace keeps working."""
    for table, column, sql in _missing_columns(con):
        con.con.execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{column}" {sql}')


def _drop_old_cache(con: Backend) -> None:
    """Drop the tables in which earlier versions kept intermediates inside the database (they
    are kept beside it now, see salesmetrics.kept): dead weight in an upgraded workspace."""
    old = con.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        " AND starts_with(table_name, '_sm_kept')"
    ).fetchall()
    for (name,) in old:
        con.con.execute(f'DROP TABLE "{name}"')


def _close(con: Backend) -> None:
    """Close a connection :func:`connect` opened, and release the pin on the file it read."""
    con.disconnect()
    spare.release(con)


def _open(config: Config, path: Path, *, read_only: bool) -> Backend:
    """A connection to ``path``; read-only, it pins the file it reads (see :mod:`.spare`)."""
    import ibis

    def opener() -> Backend:
        return ibis.duckdb.connect(str(path), memory_limit=config.memory_limit, read_only=read_only)

    try:
        if read_only:
            con = spare.pinned(path, opener, lambda c: c.disconnect())
            spare.hold(con, path)
        else:
            con = opener()
    except Exception as err:  # duckdb raises IOException subclasses for locks and corruption
        raise UserError(f"cannot open the workspace database {path}: {err}") from None
    quiet_duckdb(con.con)
    return con


def _complete(con: Backend) -> bool:
    """Whether every table of this version's schema exists in ``con``'s database."""
    present = {
        row[0]
        for row in con.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
    }
    wanted = {t.name for t in (*schema.TABLES, *schema.INTERNAL_TABLES)} | {snapshot.GENERATIONS}
    return wanted <= present and not _missing_columns(con)
