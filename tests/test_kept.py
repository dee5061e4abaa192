"""Intermediates kept between sessions of an embedded workspace (Parquet files beside it)."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from salesmetrics import kept
from salesmetrics.conventions import CONFIG_FILE
from salesmetrics.metrics import rollup
from salesmetrics.workspace import Workspace, init_workspace, open_workspace
from tests.demos import DemoBuild
from tests.pipeline.test_funnel import build
from tests.test_derived import add_a_deal

PERIOD = "2024-Q2"
#: Metrics of the opportunity history, the deals and the leads.
MIXED = ["time_in_stage", "win_rate", "lead_conversion_rate"]


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


def _kept_tables(ws: Workspace) -> set[str]:
    """The whole-history tables kept (for any data)."""
    return {p.parent.parent.name for p in _cache(ws).glob("*/*/*/table.parquet")}


def _slots(ws: Workspace) -> set[tuple[str, str]]:
    """(table, slot) of the whole-history tables kept: a slot per version of what it reads."""
    return {(p.parent.parent.name, p.parent.name) for p in _cache(ws).glob("*/*/*/table.parquet")}


def _stamps(ws: Workspace) -> set[str]:
    """The folders of the stamps of code and settings kept under."""
    cache = _cache(ws)
    return {p.name for p in cache.iterdir() if kept.is_stamp(p)} if cache.is_dir() else set()


def test_a_later_session_reads_them_instead_of_computing_them(workspace: Workspace) -> None:
    build(workspace)
    first = workspace.metrics(period=PERIOD)
    assert _derived(first.queries)  # built, and kept
    assert _kept_tables(workspace)
    workspace.close()
    derived, rows = _session(workspace.root)
    assert derived == [] and rows == first.rows()


def test_a_table_not_to_keep_is_materialised_for_the_session_only(workspace: Workspace) -> None:
    build(workspace)
    workspace.metrics(period=PERIOD)  # the data version is known: tables are kept from now
    calls: list[int] = []

    def make() -> ibis.Table:
        calls.append(1)
        return workspace.table("opportunities").select("opportunity_id")

    first = workspace.derived.get("session_only", make, keep=False)
    assert workspace.derived.get("session_only", make, keep=False) is first and calls == [1]
    assert first.count().execute() == workspace.table("opportunities").count().execute()
    workspace.derived.get("kept_one", make)
    assert "kept_one" in _kept_tables(workspace)
    assert "session_only" not in _kept_tables(workspace)


def test_an_import_makes_them_stale_and_the_next_session_sees_the_new_data(
    workspace: Workspace,
) -> None:
    build(workspace)
    before = workspace.metrics(["time_in_stage"], period=PERIOD).rows()
    slots = _slots(workspace)
    add_a_deal(workspace)
    workspace.close()
    derived, after = _session(workspace.root, ["time_in_stage"])
    assert derived and after != before
    assert {name for name, _ in _slots(workspace) - slots} >= {"stage_visits"}  # a new slot


def test_an_import_into_another_table_leaves_them_valid(
    workspace: Workspace, tmp_path: Path
) -> None:
    build(workspace)
    first = workspace.metrics(["time_in_stage", "win_rate"], period=PERIOD)
    assert "derived stage_visits" in first.queries
    csv = tmp_path / "leads.csv"
    csv.write_text("lead_id,created_at\nL1,2024-04-02\nL2,2024-05-03\n", encoding="utf-8")
    workspace.import_file("leads", csv)
    workspace.close()
    derived, rows = _session(workspace.root, MIXED)
    # the opportunity history's intermediates were still valid; the data's dates read leads
    assert derived == ["derived data_span"]
    ws = open_workspace(workspace.root)
    try:
        again = ws.metrics(MIXED, period=PERIOD)
        families = {q for q in again.queries if not q.startswith(("derived", "periods"))}
        assert "leads" not in families and "deals" not in families  # every cube kept
    finally:
        ws.close()
    fresh = init_workspace(tmp_path / "fresh")  # the same data computed from nothing
    try:
        build(fresh)
        fresh.import_file("leads", csv)
        expected = fresh.metrics(
            ["time_in_stage", "win_rate", "lead_conversion_rate"], period=PERIOD
        )
        assert rows == expected.rows()
    finally:
        fresh.close()


def test_a_write_that_says_nothing_of_its_tables_makes_every_one_stale(
    workspace: Workspace,
) -> None:
    build(workspace)
    workspace.metrics(["time_in_stage"], period=PERIOD)
    with workspace.writing() as backend:  # same row counts, no batch logged
        backend.con.execute("UPDATE opportunity_history SET stage = stage")
    workspace.close()
    derived, _ = _session(workspace.root, ["time_in_stage"])
    assert "derived stage_visits" in derived


def _kept_then_other_code(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session that keeps the intermediates, then another version of the code."""
    build(workspace)
    workspace.metrics(period=PERIOD)
    workspace.close()
    monkeypatch.setattr(kept, "code_digest", lambda: "another version of the code")


@pytest.mark.slow
def test_other_code_or_configuration_computes_them_again(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kept_then_other_code(workspace, monkeypatch)
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
    assert len(_stamps(workspace)) == 3  # one folder per code and configuration


def test_folders_of_other_stamps_go_once_stale(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept, "STALE_SECONDS", 0.0)
    _kept_then_other_code(workspace, monkeypatch)
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


READS = frozenset({"opportunities"})


def _store(ws: Workspace, **versions: int) -> kept.Kept:
    """A session's kept tables for the data at ``versions`` (of each table)."""
    return kept.Kept(lambda: ws.backend, _cache(ws), "env", versions)


def test_per_period_rows_are_kept_and_read_by_period(workspace: Workspace) -> None:
    store = _store(workspace, opportunities=1, leads=1)
    assert store.periods("cube_x") == set()
    store.append("cube_x", ["a", "b", "c"], _rows("a", "b"), READS)  # c: done, without rows
    store.append("cube_x", ["dd"], _rows("dd"), READS)
    assert store.periods("cube_x") == {"a", "b", "c", "dd"}
    got = store.read("cube_x", ["b", "c", "dd"])
    assert sorted(got[kept.PERIOD_KEY].to_pylist()) == ["b", "dd"]
    assert got.schema.field("amount").type == pa.decimal128(38, 2)  # types survive
    later = _store(workspace, opportunities=1, leads=1)  # a later session reads them back
    assert later.periods("cube_x") == {"a", "b", "c", "dd"}
    other_leads = _store(workspace, opportunities=1, leads=2)  # a table it does not read
    assert other_leads.periods("cube_x") == {"a", "b", "c", "dd"}
    other_deals = _store(workspace, opportunities=2, leads=1)  # a table it reads
    assert other_deals.periods("cube_x") == set()
    other_deals.append("cube_x", ["a"], _rows("a"), READS)  # kept apart
    assert other_deals.read("cube_x", ["a"]).num_rows == 1
    assert _store(workspace, opportunities=1, leads=1).periods("cube_x") == {"a", "b", "c", "dd"}
    other_deals.forget()
    assert not _cache(workspace).exists() and other_deals.periods("cube_x") == set()


def test_something_read_outside_the_schema_makes_every_table_count(workspace: Workspace) -> None:
    store = _store(workspace, opportunities=1, leads=1)
    store.append("cube_x", ["a"], _rows("a"), frozenset({"opportunities", kept.ALL}))
    assert _store(workspace, opportunities=1, leads=1).periods("cube_x") == {"a"}
    assert _store(workspace, opportunities=1, leads=2).periods("cube_x") == set()


def test_a_period_kept_twice_is_read_once(workspace: Workspace) -> None:
    first = _store(workspace, opportunities=1)
    second = _store(workspace, opportunities=1)  # another session, at the same time
    first.append("cube_x", ["a", "b"], _rows("a", "b"), READS)
    second.append("cube_x", ["b", "c"], _rows("b", "c"), READS)
    later = _store(workspace, opportunities=1)
    assert later.periods("cube_x") == {"a", "b", "c"}
    got = later.read("cube_x", ["a", "b", "c"])
    assert sorted(got[kept.PERIOD_KEY].to_pylist()) == ["a", "b", "c"]


def test_a_failed_append_records_nothing(workspace: Workspace) -> None:
    store = _store(workspace, opportunities=1)
    store.append("cube_x", ["a"], _rows("a"), READS)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kept, "write_part", fail)
        store.append("cube_x", ["b"], _rows("b"), READS)  # keeping is only a saving: no error
    later = _store(workspace, opportunities=1)
    assert later.periods("cube_x") == {"a"}  # nothing recorded for b
    assert later.read("cube_x", ["a"]).num_rows == 1
    assert not [p for p in _cache(workspace).rglob("*") if p.name.startswith(".")]  # no debris


@pytest.mark.slow
def test_a_cache_that_cannot_be_written_keeps_nothing_and_the_answer_is_the_same(
    workspace: Workspace,
) -> None:
    build(workspace)
    first = workspace.metrics(period=PERIOD, by=["team"]).rows()
    workspace.close()
    cache = _cache(workspace)
    shutil.rmtree(cache)
    cache.write_text("not a folder", encoding="utf-8")  # (chmod does not stop root)
    sessions = [_session(workspace.root) for _ in range(2)]
    for derived, rows in sessions:
        assert rows != [] and derived  # computed each time, not kept
    assert sessions[0][1] == sessions[1][1]
    ws = open_workspace(workspace.root)
    try:
        assert ws.metrics(period=PERIOD, by=["team"]).rows() == first
    finally:
        ws.close()
    assert cache.read_text(encoding="utf-8") == "not a folder"


def test_the_latest_slot_of_other_data_stays_however_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import hours after the last session still grows from the slot that session kept."""
    monkeypatch.setattr(kept, "STALE_SECONDS", 0.0)
    env = "e" * 64
    store = kept.Kept(lambda: None, tmp_path, env, {"deals": (2, 1, 1, 0)})
    folder = tmp_path / env / "visits"
    folder.mkdir(parents=True)
    (folder / "reads.json").write_text('["deals"]', encoding="utf-8")
    current = folder / kept.slot_of(frozenset({"deals"}), {"deals": (2, 1, 1, 0)})
    for i, slot in enumerate(("older", "old", current.name)):
        (folder / slot).mkdir()
        os.utime(folder / slot, (1000.0 + i, 1000.0 + i))
    store.tidy()
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == sorted(["old", current.name])


def _rolled(ws: Workspace) -> set[str]:
    """The per-period tables kept of families summed up from their cubes."""
    return {p.parent.parent.name for p in _cache(ws).glob(f"*/*_rolled*/*/*{kept.PART_SUFFIX}")}


def test_a_later_session_reads_the_kept_roll_ups_the_same_as_rolling_the_cubes(
    demo_copy: Workspace, demo_build: DemoBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, year = demo_copy.root, str(demo_build.year)
    requests = [{"period": year, "grain": "quarter", "by": by} for by in ([], ["team"], ["rep"])]
    first = [demo_copy.metrics(**r).frame for r in requests]  # cubes computed, rolled, kept
    demo_copy.close()
    rolled = _rolled(demo_copy)
    assert {n for n in rolled if n.endswith("_rolled")} and {n for n in rolled if "_team" in n}
    rolls: list[str] = []
    real = rollup.roll
    monkeypatch.setattr(
        rollup,
        "roll",
        lambda cube, family, dims: rolls.append(family.name) or real(cube, family, dims),
    )

    def session() -> list[pd.DataFrame]:
        ws = open_workspace(root)
        try:
            return [ws.metrics(**r).frame for r in requests]
        finally:
            ws.close()

    later = session()
    assert rolls == []  # read as kept: no cube read nor rolled up
    for folder in _cache(demo_copy).glob("*/*_rolled*"):
        shutil.rmtree(folder)
    again = session()  # rolled up again from the kept cubes
    assert rolls
    for got in (later, again):
        for mine, theirs in zip(got, first, strict=True):
            pd.testing.assert_frame_equal(mine, theirs)
