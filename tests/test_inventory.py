"""The inventory query (salesmetrics.inventory): its counts against the tables themselves, and
the versions it derives."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import init_workspace, inventory
from tests.metrics.builder import load


def test_the_inventory_counts_rows_batches_and_writes(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    reps = [
        {"rep_id": "r1", "name": "A", "team": "T", "hired_on": "2024-01-01"},
        {"rep_id": "r2", "name": "B", "team": "T"},
    ]
    load(ws, {"reps": reps})
    rows = ws.backend.con.execute(inventory.inventory_sql("duckdb", writes=True)).fetchall()
    counts = inventory.read_counts(rows)
    assert counts.rows["reps"] == 2
    assert counts.rows["leads"] == 0
    assert counts.reps_with_dates == 1
    assert "_import_log" not in counts.rows  # a version, not a count of data
    assert set(counts.versions) >= set(counts.rows) | {"_import_log"}
    assert counts.versions["reps"] != counts.versions["leads"]


def test_a_write_changes_the_version_of_the_table_it_writes_only(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")

    def versions() -> dict[str, object]:
        ws.refresh()
        rows = ws.backend.con.execute(inventory.inventory_sql("duckdb", writes=True)).fetchall()
        return dict(inventory.read_counts(rows).versions)

    before = versions()
    load(ws, {"reps": [{"rep_id": "r1", "name": "A", "team": "T"}]})
    after = versions()
    assert before["reps"] != after["reps"]
    assert before["leads"] == after["leads"]


@pytest.mark.parametrize(
    ("scheme", "mark"), [("duckdb", '"'), ("postgresql", '"'), ("pyspark", "`")]
)
def test_names_are_quoted_as_each_backend_quotes_them(scheme: str, mark: str) -> None:
    sql = inventory.inventory_sql(scheme, writes=False)
    assert f"FROM {mark}opportunities{mark}" in sql
    assert "_sm_generations" not in sql
