"""Whole-history intermediates kept in a DuckDB workspace between sessions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from salesmetrics import kept
from salesmetrics.config import CONFIG_FILE
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.workspace import Workspace, open_workspace
from tests.pipeline.test_funnel import build
from tests.test_derived import add_a_deal

PERIOD = "2024-Q2"


def _derived(result_queries: list[str]) -> list[str]:
    return [q for q in result_queries if q.startswith("derived ")]


def _session(root: Path, metrics: list[str] | None = None) -> tuple[list[str], list[object]]:
    """One session on the workspace in ``root``: its derived queries and the result rows."""
    ws = open_workspace(root)
    try:
        result = ws.metrics(metrics, period=PERIOD)
        return _derived(result.queries), result.rows()
    finally:
        ws.close()


def _kept_tables(ws: Workspace) -> set[str]:
    sql = "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_sm_kept_%'"
    return {r[0] for r in ws.duckdb.execute(sql).fetchall()}


def test_a_later_session_reads_them_instead_of_computing_them(workspace: Workspace) -> None:
    build(workspace)
    first = workspace.metrics(period=PERIOD)
    assert _derived(first.queries)  # built, and kept
    assert _kept_tables(workspace)
    workspace.close()
    derived, rows = _session(workspace.root)
    assert derived == [] and rows == first.rows()


def test_an_import_drops_them_and_the_next_session_sees_the_new_data(
    workspace: Workspace,
) -> None:
    build(workspace)
    before = workspace.metrics(["time_in_stage"], period=PERIOD).rows()
    add_a_deal(workspace)
    assert _kept_tables(workspace) == set()  # the write dropped them
    workspace.close()
    derived, after = _session(workspace.root, ["time_in_stage"])
    assert derived and after != before


def test_other_code_or_configuration_computes_them_again(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(workspace)
    workspace.metrics(period=PERIOD)
    workspace.close()
    monkeypatch.setattr(kept, "code_digest", lambda: "another version of the code")
    derived, _ = _session(workspace.root)
    assert derived  # computed again under the new stamp
    monkeypatch.undo()
    config = workspace.root / CONFIG_FILE
    config.write_text(
        config.read_text(encoding="utf-8").replace('timezone = "UTC"', 'timezone = "Asia/Jakarta"'),
        encoding="utf-8",
    )
    derived, _ = _session(workspace.root)
    assert derived
    ws = open_workspace(workspace.root)
    try:
        stamps = ws.duckdb.execute(f"SELECT DISTINCT stamp FROM {kept.STAMPS}").fetchall()
        assert len(stamps) == 1  # those of the other stamps were dropped
    finally:
        ws.close()


def test_an_export_leaves_them_out(workspace: Workspace, tmp_path: Path) -> None:
    build(workspace)
    workspace.metrics(period=PERIOD)
    assert _kept_tables(workspace)
    written = workspace.export(tmp_path / "export")
    assert written and not any("_sm_" in p.name for p in written)


def test_a_dry_run_import_keeps_them(workspace: Workspace, tmp_path: Path) -> None:
    build(workspace)
    workspace.metrics(period=PERIOD)
    kept_before = _kept_tables(workspace)
    csv = tmp_path / "deals.csv"
    csv.write_text("opportunity_id,stage,amount\nz1,Proposal,5\n", encoding="utf-8")
    result = workspace.import_file("opportunities", csv, dry_run=True)
    assert result.dry_run and kept_before and _kept_tables(workspace) == kept_before
    again = workspace.metrics(period=PERIOD)
    assert not _derived(again.queries)


# -- per-period tables (a family's component cube, kept period by period) ---------------------


def _rows(*periods: str) -> pa.Table:
    return pa.table(
        {
            "n": pa.array([len(p) for p in periods], pa.int64()),
            "amount": pa.array([Decimal("1.50")] * len(periods), pa.decimal128(38, 2)),
            kept.PERIOD_KEY: pa.array(list(periods), pa.string()),
        }
    )


def test_per_period_rows_are_kept_and_read_by_period(workspace: Workspace) -> None:
    store = kept.Kept(lambda: workspace.backend)
    assert store.periods("cube_x", "s1") == set()
    store.append("cube_x", "s1", ["a", "b", "c"], _rows("a", "b"))  # c: done, without rows
    store.append("cube_x", "s1", ["dd"], _rows("dd"))
    assert store.periods("cube_x", "s1") == {"a", "b", "c", "dd"}
    assert store.periods("cube_x", "s2") == set()  # another stamp holds nothing
    got = store.read("cube_x", ["b", "c", "dd"])
    assert sorted(got[kept.PERIOD_KEY].to_pylist()) == ["b", "dd"]
    assert got.schema.field("amount").type == pa.decimal128(38, 2)  # types survive
    again = kept.Kept(lambda: workspace.backend)  # a later session reads the periods back
    assert again.periods("cube_x", "s1") == {"a", "b", "c", "dd"}
    again.append("cube_x", "s2", ["a"], _rows("a"))  # another stamp replaces the table
    assert again.periods("cube_x", "s2") == {"a"} and again.read("cube_x", ["b"]).num_rows == 0
    again.forget()
    assert _kept_tables(workspace) == set() and again.periods("cube_x", "s2") == set()


def test_a_failed_append_records_nothing(workspace: Workspace) -> None:
    store = kept.Kept(lambda: workspace.backend)
    store.append("cube_x", "s1", ["a"], _rows("a"))
    bad = pa.table({"other": pa.array([1]), kept.PERIOD_KEY: pa.array(["b"])})
    with pytest.raises(duckdb.Error):
        store.append("cube_x", "s1", ["b"], bad)  # a column the table does not have
    later = kept.Kept(lambda: workspace.backend)
    assert later.periods("cube_x", "s1") == {"a"}  # the transaction was rolled back
    assert later.read("cube_x", ["a", "b"]).num_rows == 1


def test_a_later_session_reads_the_cubes_of_periods_asked_before(workspace: Workspace) -> None:
    build(workspace)
    first = workspace.metrics(period=PERIOD, by=["team"])
    additive = {name for name, f in family_registry().items() if f.additive}
    assert additive & set(first.queries)
    workspace.close()
    ws = open_workspace(workspace.root)
    try:
        later = ws.metrics(period=PERIOD, by=["team"])
        assert not additive & set(later.queries)  # read from the kept cubes
        assert later.rows() == first.rows()
        other = ws.metrics(period="2024-Q3", by=["team"])
        assert additive & set(other.queries)  # a period not asked before is computed
    finally:
        ws.close()
