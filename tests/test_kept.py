"""Intermediates kept between sessions of an embedded workspace (Parquet files beside it)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from salesmetrics import kept
from salesmetrics.config import CONFIG_FILE
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


def _cache(ws: Workspace) -> Path:
    return ws.database.with_name(ws.database.name + ".cache")


def _kept_tables(ws: Workspace, stamp: str | None = None) -> set[str]:
    """The whole-history tables kept (under ``stamp``, else under any)."""
    pattern = f"{stamp or '*'}/*.parquet"
    return {p.stem for p in _cache(ws).glob(pattern)}


def _stamps(ws: Workspace) -> set[str]:
    return {p.name for p in _cache(ws).iterdir()} if _cache(ws).is_dir() else set()


def test_a_later_session_reads_them_instead_of_computing_them(workspace: Workspace) -> None:
    build(workspace)
    first = workspace.metrics(period=PERIOD)
    assert _derived(first.queries)  # built, and kept
    assert _kept_tables(workspace)
    workspace.close()
    derived, rows = _session(workspace.root)
    assert derived == [] and rows == first.rows()


def test_an_import_makes_them_stale_and_the_next_session_sees_the_new_data(
    workspace: Workspace,
) -> None:
    build(workspace)
    before = workspace.metrics(["time_in_stage"], period=PERIOD).rows()
    stamps = _stamps(workspace)
    add_a_deal(workspace)
    workspace.close()
    derived, after = _session(workspace.root, ["time_in_stage"])
    assert derived and after != before
    assert len(_stamps(workspace) - stamps) == 1  # kept under the new data's stamp


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
    assert len(_stamps(workspace)) == 3  # one folder per data version and code


def test_folders_of_other_stamps_go_once_stale(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(workspace)
    workspace.metrics(period=PERIOD)
    workspace.close()
    monkeypatch.setattr(kept, "STALE_SECONDS", 0.0)
    monkeypatch.setattr(kept, "code_digest", lambda: "another version of the code")
    _session(workspace.root)
    assert len(_stamps(workspace)) == 1  # the other stamp's folder was removed


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
    store = kept.Kept(lambda: workspace.backend, _cache(workspace))
    assert store.periods("cube_x", "s1") == set()
    store.append("cube_x", "s1", ["a", "b", "c"], _rows("a", "b"))  # c: done, without rows
    store.append("cube_x", "s1", ["dd"], _rows("dd"))
    assert store.periods("cube_x", "s1") == {"a", "b", "c", "dd"}
    assert store.periods("cube_x", "s2") == set()  # another stamp holds nothing
    got = store.read("cube_x", "s1", ["b", "c", "dd"])
    assert sorted(got[kept.PERIOD_KEY].to_pylist()) == ["b", "dd"]
    assert got.schema.field("amount").type == pa.decimal128(38, 2)  # types survive
    again = kept.Kept(lambda: workspace.backend, _cache(workspace))  # a later session
    assert again.periods("cube_x", "s1") == {"a", "b", "c", "dd"}
    again.append("cube_x", "s2", ["a"], _rows("a"))  # another stamp: its own parts
    assert (
        again.periods("cube_x", "s2") == {"a"} and again.read("cube_x", "s2", ["a"]).num_rows == 1
    )
    again.forget()
    assert not _cache(workspace).exists() and again.periods("cube_x", "s2") == set()


def test_a_period_kept_twice_is_read_once(workspace: Workspace) -> None:
    first = kept.Kept(lambda: workspace.backend, _cache(workspace))
    second = kept.Kept(lambda: workspace.backend, _cache(workspace))  # another session
    first.append("cube_x", "s1", ["a", "b"], _rows("a", "b"))
    second.append("cube_x", "s1", ["b", "c"], _rows("b", "c"))
    later = kept.Kept(lambda: workspace.backend, _cache(workspace))
    assert later.periods("cube_x", "s1") == {"a", "b", "c"}
    got = later.read("cube_x", "s1", ["a", "b", "c"])
    assert sorted(got[kept.PERIOD_KEY].to_pylist()) == ["a", "b", "c"]


def test_a_failed_append_records_nothing(workspace: Workspace, tmp_path: Path) -> None:
    store = kept.Kept(lambda: workspace.backend, _cache(workspace))
    store.append("cube_x", "s1", ["a"], _rows("a"))

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kept.pq, "write_table", fail)
        store.append("cube_x", "s1", ["b"], _rows("b"))  # keeping is only a saving: no error
    later = kept.Kept(lambda: workspace.backend, _cache(workspace))
    assert later.periods("cube_x", "s1") == {"a"}  # nothing recorded for b
    assert later.read("cube_x", "s1", ["a"]).num_rows == 1
    assert not [p for p in _cache(workspace).rglob("*") if p.name.startswith(".")]  # no debris


def test_a_cache_that_cannot_be_written_keeps_nothing_and_the_answer_is_the_same(
    workspace: Workspace,
) -> None:
    build(workspace)
    first = workspace.metrics(period=PERIOD, by=["team"]).rows()
    workspace.close()
    cache = _cache(workspace)
    shutil.rmtree(cache)
    cache.write_text("not a folder", encoding="utf-8")  # (chmod does not stop root)
    for _ in range(2):
        derived, rows = _session(workspace.root)
        assert rows != [] and derived  # computed each time, not kept
    assert _session(workspace.root)[1] == _session(workspace.root)[1]
    ws = open_workspace(workspace.root)
    try:
        assert ws.metrics(period=PERIOD, by=["team"]).rows() == first
    finally:
        ws.close()
    assert cache.read_text(encoding="utf-8") == "not a folder"
