"""Imports into a PostgreSQL workspace (salesmetrics.ingest.postgres_store).

The batch tests of test_batches.py run again here against a PostgreSQL workspace (the ``ws``
fixture is overridden), so quarantine, duplicates, idempotent re-imports, upserts, the import
log, dry runs and a failure inside the transaction are checked on both backends by the same
assertions. The tests below add what is specific to the PostgreSQL store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from salesmetrics import Workspace, init_workspace
from salesmetrics.ingest import load_arrow
from salesmetrics.ingest.importer import recover_raw_copies
from salesmetrics.ingest.postgres_store import PostgresStore
from salesmetrics.ingest.store import store_for
from tests.ingest.conftest import rows, write
from tests.ingest.test_batches import (  # noqa: F401 - rerun on PostgreSQL
    test_a_failure_inside_the_transaction_leaves_nothing,
    test_derived_keys_are_stable,
    test_dry_run_writes_nothing,
    test_duplicates_with_a_compound_key,
    test_import_log,
    test_load_arrow_streams_record_batches,
    test_load_arrow_typed,
    test_quarantine_contents,
    test_reimport_after_a_later_batch_restores_the_rows,
    test_reimport_changes_nothing,
    test_reimport_with_other_options_is_a_new_batch,
    test_upsert_replaces_whole_rows,
)


@pytest.fixture
def ws(tmp_path: Path, pg_url: str) -> Iterator[Workspace]:
    """A fresh PostgreSQL workspace (its own schema)."""
    workspace = init_workspace(tmp_path / "ws", backend=pg_url)
    yield workspace
    workspace.close()


def test_the_store_of_a_postgres_workspace(ws: Workspace) -> None:
    store = store_for(ws)
    try:
        assert isinstance(store, PostgresStore)
        assert store.engine is not ws.backend.con  # staging happens in a private engine
    finally:
        store.close()


def test_the_staging_engine_never_prints_duckdbs_progress_bar(ws: Workspace) -> None:
    store = store_for(ws)
    try:
        settings = store.engine.execute(
            "SELECT value FROM duckdb_settings() WHERE name LIKE 'enable_progress_bar%'"
        ).fetchall()
        assert settings == [("false",), ("false",)]
    finally:
        store.close()


def test_values_arrive_exactly_as_on_duckdb(ws: Workspace, tmp_path: Path) -> None:
    text = "ü'\",\nline two"
    data = pa.table(
        {
            "opportunity_id": ["o1", "o2", "o3"],
            "stage": ["Prospecting"] * 3,
            "name": [text, "", None],
            "amount": [Decimal("12345678901234.5678"), Decimal("0.0001"), None],
            "probability": [0.1 + 0.2, 1e-300, None],
            "created_at": [dt.datetime(2024, 1, 2, 3, 4, 5, 123456), None, None],
            "close_date": [dt.date(2024, 2, 29), None, None],
        }
    )
    columns = "opportunity_id, name, amount, probability, created_at, close_date"
    with init_workspace(tmp_path / "duck") as duck:
        load_arrow(duck, "opportunities", data, source="test")
        expected = rows(duck, "opportunities", columns)
    assert load_arrow(ws, "opportunities", data, source="test").rows_loaded == 3
    got = rows(ws, "opportunities", columns)
    assert got == expected
    assert got[0] == (
        "o1",
        text,
        Decimal("12345678901234.5678"),
        0.1 + 0.2,
        dt.datetime(2024, 1, 2, 3, 4, 5, 123456),
        dt.date(2024, 2, 29),
    )


def test_upsert_keeps_empty_strings_apart_from_nulls(ws: Workspace) -> None:
    store = store_for(ws)
    try:
        store.engine.execute(
            "CREATE TEMP TABLE src AS SELECT * FROM (VALUES ('r1', ''), ('r2', NULL))"
            " t(rep_id, name)"
        )
        store.upsert([("reps", ("rep_id", "name"), "src")])
        store.engine.execute("UPDATE src SET name = 'Ana' WHERE rep_id = 'r2'")
        store.upsert([("reps", ("rep_id", "name"), "src")])  # replaces by key
    finally:
        store.close()
    assert rows(ws, "reps", "rep_id, name") == [("r1", ""), ("r2", "Ana")]


def test_leftover_raw_copies_are_recovered(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file(
        "leads", write(tmp_path / "a.csv", "lead_id,created_at\nL0,2024-01-01\n")
    )
    raw = ws.root / "raw"
    committed = raw / f"{result.batch_id}.csv"
    committed.rename(raw / f"{result.batch_id}.csv.partial")  # killed after COMMIT, before rename
    (raw / "20000101-000000-abcdef.csv.partial").write_text("never committed")
    store = store_for(ws)
    try:
        recover_raw_copies(store)
    finally:
        store.close()
    assert sorted(p.name for p in raw.iterdir()) == [committed.name]
