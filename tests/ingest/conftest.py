"""Helpers of the importer tests: write small files, read tables and the quarantine back."""

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


def rows(ws: Workspace, table: str, columns: str = "*", order: str = "1") -> list[tuple[Any, ...]]:
    """Rows of ``table`` (canonical or internal), ordered."""
    return [
        tuple(r)
        for r in ws.duckdb.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
    ]


def rejects(ws: Workspace) -> list[tuple[int, str, str | None, str]]:
    """(row, column, value, reason) of every quarantine row, ordered by row and column."""
    return [
        (int(r[0]), str(r[1]), r[2], str(r[3]))
        for r in ws.duckdb.execute(
            'SELECT "row", "column", "value", "reason" FROM _quarantine ORDER BY 1, 2'
        ).fetchall()
    ]


def snapshot(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's full contents, for before/after comparisons."""
    names = [
        str(r[0])
        for r in ws.duckdb.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1"
        ).fetchall()
    ]
    return {n: rows(ws, f'"{n}"', order="ALL") for n in names}


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    """A fresh workspace (base currency USD, time zone UTC)."""
    return workspace
