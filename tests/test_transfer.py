"""Export / restore: every table round-trips through Parquet unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import UserError, Workspace, init_workspace, schema
from tests.rows import insert_rows, rows_for

ALL = (*schema.TABLES, *schema.INTERNAL_TABLES)


def _fill(ws: Workspace) -> None:
    with ws.writing() as backend:
        for t in schema.TABLES:
            insert_rows(backend.con, t, rows_for(t))
        for t in schema.INTERNAL_TABLES:
            insert_rows(backend.con, t, rows_for(t, 2))
    (ws.root / "raw").mkdir()
    (ws.root / "raw" / "b1.parquet").write_bytes(b"raw copy")


def _dump(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    return {t.name: ws.duckdb.table(t.name).order("ALL").fetchall() for t in ALL}


def test_round_trip_is_exact(workspace: Workspace, tmp_path: Path) -> None:
    _fill(workspace)
    files = workspace.export(tmp_path / "export")
    assert {f.stem for f in files} == {t.name for t in ALL}
    with init_workspace(tmp_path / "copy") as copy:
        counts = copy.restore(tmp_path / "export")
        assert counts == {t.name: (3 if t.name in schema.SCHEMA else 2) for t in ALL}
        assert _dump(copy) == _dump(workspace)
        assert (copy.root / "raw" / "b1.parquet").read_bytes() == b"raw copy"


def test_round_trip_keeps_decimals_and_microseconds(workspace: Workspace, tmp_path: Path) -> None:
    _fill(workspace)
    workspace.export(tmp_path / "e")
    with init_workspace(tmp_path / "c") as copy:
        copy.restore(tmp_path / "e")
        rate = copy.duckdb.execute("SELECT rate FROM fx_rates ORDER BY date").fetchall()[0][0]
        assert str(rate) == "0.0000625012"
        ts = copy.duckdb.execute("SELECT min(created_at) FROM leads").fetchall()[0][0]
        assert ts.microsecond == 123456


def test_restore_refuses_a_workspace_with_data(workspace: Workspace, tmp_path: Path) -> None:
    _fill(workspace)
    workspace.export(tmp_path / "e")
    with pytest.raises(UserError, match="already has 3 rows; restore into an empty workspace"):
        workspace.restore(tmp_path / "e")


def test_restore_without_manifest_is_a_clear_error(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=r"no manifest\.json"):
        workspace.restore(tmp_path / "empty")


def test_restore_is_atomic_when_a_file_is_broken(workspace: Workspace, tmp_path: Path) -> None:
    _fill(workspace)
    workspace.export(tmp_path / "e")
    (tmp_path / "e" / "survey_responses.parquet").write_bytes(b"not parquet")
    with init_workspace(tmp_path / "c") as copy:
        with pytest.raises(UserError, match="not a readable Parquet file"):
            copy.restore(tmp_path / "e")
        assert all(copy.count(t.name) == 0 for t in ALL)


def test_restore_detects_a_truncated_export(workspace: Workspace, tmp_path: Path) -> None:
    _fill(workspace)
    workspace.export(tmp_path / "e")
    (tmp_path / "e" / "leads.parquet").unlink()
    with init_workspace(tmp_path / "c") as copy, pytest.raises(UserError, match="missing"):
        copy.restore(tmp_path / "e")


def test_the_demo_company_round_trips_exactly(demo_copy: Workspace, tmp_path: Path) -> None:
    demo_copy.export(tmp_path / "e")
    with init_workspace(tmp_path / "copy") as copy:
        copy.restore(tmp_path / "e")
        for t in ALL:
            assert demo_copy.count(t.name) == copy.count(t.name), t.name
        assert _dump(copy) == _dump(demo_copy)


@pytest.mark.parametrize("where", ["inside", "nonempty", "file", "empty"])
def test_export_refuses_a_target_that_would_hurt_data(
    workspace: Workspace, tmp_path: Path, where: str
) -> None:
    target: Path | str = {
        "inside": workspace.root / "backup",
        "nonempty": tmp_path / "photos",
        "file": tmp_path / "notes.txt",
        "empty": "",
    }[where]
    if where == "nonempty":
        Path(target).mkdir()
        (Path(target) / "holiday.jpg").write_bytes(b"precious")
    if where == "file":
        Path(target).write_text("precious", encoding="utf-8")
    with pytest.raises(UserError, match="export"):
        workspace.export(target)
    if where == "nonempty":
        assert [p.name for p in Path(target).iterdir()] == ["holiday.jpg"]
    if where == "file":
        assert Path(target).read_text(encoding="utf-8") == "precious"


def test_export_may_overwrite_an_earlier_export(workspace: Workspace, tmp_path: Path) -> None:
    _fill(workspace)
    workspace.export(tmp_path / "e")
    workspace.export(tmp_path / "e")
    assert (tmp_path / "e" / "manifest.json").exists()


def test_restore_refuses_doubled_keys_before_writing(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    _fill(workspace)
    workspace.export(tmp_path / "e")
    path = tmp_path / "e" / "opportunities.parquet"
    table = pq.read_table(path)
    pq.write_table(pa_concat(table), path)
    manifest = tmp_path / "e" / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"opportunities": 3', '"opportunities": 6'), "utf-8")
    with init_workspace(tmp_path / "c") as copy:
        with pytest.raises(UserError, match=r"opportunities\.parquet: key .* is not unique"):
            copy.restore(tmp_path / "e")
        assert all(copy.count(t.name) == 0 for t in ALL)


def test_restore_refuses_a_column_of_another_type(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _fill(workspace)
    workspace.export(tmp_path / "e")
    path = tmp_path / "e" / "opportunities.parquet"
    table = pq.read_table(path)
    i = table.schema.get_field_index("amount")
    table = table.set_column(i, "amount", pa.array(["lots"] * table.num_rows))
    pq.write_table(table, path)
    with init_workspace(tmp_path / "c") as copy:
        with pytest.raises(UserError, match=r"column amount .* cannot be read as DECIMAL"):
            copy.restore(tmp_path / "e")
        assert all(copy.count(t.name) == 0 for t in ALL)


def pa_concat(table: object) -> object:
    import pyarrow as pa

    return pa.concat_tables([table, table])  # type: ignore[list-item]


def test_an_export_older_than_an_optional_column_restores(
    workspace: Workspace, tmp_path: Path
) -> None:
    """An export made before ``opportunities.pipeline`` existed restores with it empty; a
    missing required column is still refused."""
    import duckdb

    _fill(workspace)
    workspace.export(tmp_path / "export")
    path = tmp_path / "export" / "opportunities.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * EXCLUDE (pipeline) FROM read_parquet('{path}')) TO '{path}.old'"
        " (FORMAT parquet)"
    )
    Path(f"{path}.old").replace(path)
    with init_workspace(tmp_path / "copy") as copy:
        copy.restore(tmp_path / "export")
        assert copy.duckdb.execute("SELECT count(pipeline) FROM opportunities").fetchall() == [(0,)]
        assert copy.duckdb.execute("SELECT count(*) FROM opportunities").fetchall() == [(3,)]
    con.execute(
        f"COPY (SELECT * EXCLUDE (stage) FROM read_parquet('{path}')) TO '{path}.old'"
        " (FORMAT parquet)"
    )
    Path(f"{path}.old").replace(path)
    with (
        init_workspace(tmp_path / "again") as again,
        pytest.raises(UserError, match=r"columns \['stage'\] are missing"),
    ):
        again.restore(tmp_path / "export")


def test_a_workspace_of_an_older_version_gets_the_new_columns(tmp_path: Path) -> None:
    """A database whose tables lack a later version's optional columns is completed on open."""
    import duckdb

    with init_workspace(tmp_path / "ws") as ws:
        database = ws.database
    con = duckdb.connect(str(database))
    con.execute('ALTER TABLE opportunities DROP COLUMN "pipeline"')
    con.execute('ALTER TABLE _import_log DROP COLUMN "derived_key"')
    con.close()
    from salesmetrics import open_workspace

    with open_workspace(tmp_path / "ws") as ws:
        assert "pipeline" in ws.table("opportunities").columns
        assert "derived_key" in ws.table("_import_log").columns
