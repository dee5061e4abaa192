"""Fixtures of the demo tests: the small demo generated once per session (``small``, as Arrow
tables, from tests/demos.py) in an in-memory DuckDB, and the demo loaded through the importer
(the session's cached build)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pytest

from salesmetrics import Workspace
from salesmetrics.demo import DemoResult
from tests.demos import DemoBuild, collect

__all__ = ["collect", "in_duckdb", "needs_importer", "one"]


def in_duckdb(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding ``tables``."""
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(f"_{name}", table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM "_{name}"')
    return con


@pytest.fixture(scope="session")
def db(small: dict[str, pa.Table]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The small demo in an in-memory DuckDB, one table per canonical table."""
    con = in_duckdb(small)
    yield con
    con.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[object, ...]:
    """The single row of a query."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def _importer_ready() -> bool:
    try:
        from salesmetrics.ingest import load_arrow  # noqa: F401
    except ImportError:
        return False
    return True


needs_importer = pytest.mark.skipif(
    not _importer_ready(), reason="salesmetrics.ingest.load_arrow is not available yet"
)


@pytest.fixture(scope="session")
def loaded(shared_demo: Workspace, demo_build: DemoBuild) -> tuple[Workspace, DemoResult]:
    """A workspace holding the small demo loaded through the importer, and what the build
    loaded (the session's shared copy of the cached build: tests here only read it)."""
    return shared_demo, demo_build.result
