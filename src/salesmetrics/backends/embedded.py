"""The embedded DuckDB backend: ``duckdb:///FILE``, FILE relative to the workspace folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ibis

from salesmetrics import schema
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend

    from salesmetrics.config import Config

DEFAULT_FILE = "workspace.duckdb"


def database_path(config: Config, root: Path) -> Path:
    """The DuckDB database file a ``duckdb://`` backend URL names."""
    path = config.backend.split("://", 1)[1].lstrip("/") or DEFAULT_FILE
    return Path(path) if Path(path).is_absolute() else root / path


def connect(config: Config, root: Path) -> Backend:
    """Open (creating if needed) the workspace's DuckDB file and its tables, with the
    configured memory limit (beyond it DuckDB spills to ``FILE.tmp`` beside the file)."""
    target = database_path(config, root)
    try:
        con = ibis.duckdb.connect(str(target), memory_limit=config.memory_limit)
    except Exception as err:  # duckdb raises IOException subclasses for locks and corruption
        raise UserError(f"cannot open the workspace database {target}: {err}") from None
    for t in schema.TABLES:
        # No PRIMARY KEY index: the importer keeps keys unique itself (see ingest/store.py),
        # and maintaining the index was a third of a large import's time (quality bar P3).
        con.con.execute(schema.create_table_sql(t, primary_key=False))
    for t in schema.INTERNAL_TABLES:
        con.con.execute(schema.internal_create_sql(t))
    return con
