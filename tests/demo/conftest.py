"""Fixtures of the demo tests: the small demo generated once per session (as Arrow tables and
in an in-memory DuckDB), and loaded once into a workspace through the importer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from salesmetrics import Workspace, init_workspace
from salesmetrics.demo import DemoResult, build_demo, generate

SEED = 7


def collect(scale: str, seed: int) -> dict[str, pa.Table]:
    """Every table of a generated demo, as Arrow tables."""
    batches: dict[str, list[pa.RecordBatch]] = defaultdict(list)
    for name, batch in generate(scale, seed):
        batches[name].append(batch)
    return {name: pa.Table.from_batches(b) for name, b in batches.items()}


@pytest.fixture(scope="session")
def small() -> dict[str, pa.Table]:
    """The small demo (seed 7), generated once."""
    return collect("small", SEED)


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
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, DemoResult]]:
    """A workspace holding the small demo, loaded through the importer (once per session)."""
    if not _importer_ready():
        pytest.skip("salesmetrics.ingest.load_arrow is not available yet")
    ws = init_workspace(Path(tmp_path_factory.mktemp("demo")) / "ws")
    result = build_demo(ws, "small", SEED)
    yield ws, result
    ws.close()
