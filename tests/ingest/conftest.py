"""Helpers of the importer tests: write small files, read tables and the quarantine back.

The readers run plain SQL through the workspace's backend, so the same helpers serve DuckDB and
PostgreSQL and Spark workspaces (tests/ingest/test_postgres_store.py and test_spark_store.py rerun
tests with those).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from salesmetrics import Workspace

DATA = Path(__file__).parent / "data"


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path`` (text in ``encoding``, bytes as they are)."""
    data = content if isinstance(content, bytes) else content.encode(encoding)
    path.write_bytes(data)
    return path


def query(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` run on the workspace's backend."""
    cur = ws.backend.raw_sql(sql)
    if hasattr(cur, "collect"):  # Spark answers with a DataFrame
        return [tuple(r) for r in cur.collect()]
    try:
        return [tuple(r) for r in cur.fetchall()]
    finally:
        if cur is not ws.backend.con:  # DuckDB answers with the connection itself: keep it open
            cur.close()


def rows(ws: Workspace, table: str, columns: str = "*", order: str = "1") -> list[tuple[Any, ...]]:
    """Rows of ``table`` (canonical or internal), ordered."""
    return query(ws, f"SELECT {columns} FROM {table} ORDER BY {order}")


def rejects(ws: Workspace) -> list[tuple[int, str, str | None, str]]:
    """(row, column, value, reason) of every quarantine row, ordered by row and column."""
    return [
        (int(r[0]), str(r[1]), r[2], str(r[3]))
        for r in query(
            ws, 'SELECT "row", "column", "value", "reason" FROM _quarantine ORDER BY 1, 2'
        )
    ]


def snapshot(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's full contents, for before/after comparisons."""
    tables = {}
    for name in sorted(ws.backend.list_tables()):
        every = ", ".join(str(i + 1) for i in range(len(ws.backend.table(name).columns)))
        tables[name] = rows(ws, f'"{name}"', order=every)
    return tables


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    """A fresh workspace (base currency USD, time zone UTC)."""
    return workspace
