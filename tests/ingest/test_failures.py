"""Failed writes tell the truth and leave nothing behind (issue 24, items 1 and 2).

A full disk, read-only storage or the memory limit reached while writing: the user sees that
cause and what to do (not a follow-on error of the clean-up), and the workspace, its folder and
its database file are as they were. The faults are simulated where they happen (a copy or a
statement raising what the OS or DuckDB raise); running out of memory is real (a 1 MB limit).
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from salesmetrics import UserError, Workspace, init_workspace, open_workspace
from salesmetrics.backends import snapshot as snapshot_module
from salesmetrics.ingest import importer as importer_module
from salesmetrics.ingest import store as store_module
from salesmetrics.ingest.store import DuckDBStore
from tests.ingest.conftest import snapshot, write

LEADS = "lead_id,created_at\nL0,2024-02-02\nL1,2024-01-01\n"
DISK_FULL = 'IO Error: Could not write file "workspace.duckdb.next-1": No space left on device'


def _leftovers(ws: Workspace) -> list[str]:
    """Files of the workspace folder a failed write must not leave (copies, partial files)."""
    found = [p.name for p in ws.root.iterdir() if snapshot_module.NEXT in p.name]
    raw = ws.root / "raw"
    if raw.is_dir():
        found += [p.name for p in raw.iterdir() if p.name.endswith(importer_module.PARTIAL)]
    return found


def _fail_before_commit(
    monkeypatch: pytest.MonkeyPatch, fault: Callable[[duckdb.DuckDBPyConnection], None]
) -> None:
    """Make the next batch's write call ``fault`` with its connection once every row is in."""
    stores: list[DuckDBStore] = []
    original = DuckDBStore.__init__

    def init(self: DuckDBStore, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        stores.append(self)

    monkeypatch.setattr(DuckDBStore, "__init__", init)
    monkeypatch.setattr(store_module, "pause_before_commit", lambda: fault(stores[-1].engine))


def test_disk_full_inside_the_transaction_names_the_cause(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.import_file("leads", write(tmp_path / "a.csv", "lead_id,created_at\nL9,2024-01-01\n"))
    before, size = snapshot(ws), ws.database.stat().st_size

    def fault(con: duckdb.DuckDBPyConnection) -> None:
        raise duckdb.IOException(DISK_FULL)

    _fail_before_commit(monkeypatch, fault)
    with pytest.raises(UserError) as caught:
        ws.import_file("leads", write(tmp_path / "b.csv", LEADS))
    message = str(caught.value)
    assert "no space left on the device" in message and "free some space" in message
    assert "\n" not in message
    assert snapshot(ws) == before
    assert ws.database.stat().st_size == size  # the failed batch's copy was discarded
    assert _leftovers(ws) == []


def test_a_fatal_error_is_not_hidden_by_the_clean_up(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a fatal error DuckDB refuses every later statement (ROLLBACK, restoring settings):
    those follow-on errors must not replace the cause."""
    before = snapshot(ws)

    def fault(con: duckdb.DuckDBPyConnection) -> None:
        con.close()  # every later statement on it fails, as after a fatal error
        raise duckdb.FatalException(
            "FATAL Error: Failed to commit: could not write file: Read-only file system"
        )

    _fail_before_commit(monkeypatch, fault)
    with pytest.raises(UserError, match="read-only") as caught:
        ws.import_file("leads", write(tmp_path / "b.csv", LEADS))
    assert "closed" not in str(caught.value).lower()
    assert "rollback" not in str(caught.value).lower()
    ws.close()
    with open_workspace(ws.root) as again:
        assert snapshot(again) == before
        assert _leftovers(again) == []


def test_disk_full_while_copying_the_raw_file_leaves_no_partial_copy(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ws)

    def copy_half(src: Path, dst: Path) -> None:
        Path(dst).write_bytes(Path(src).read_bytes()[:5])
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(importer_module.shutil, "copyfile", copy_half)
    with pytest.raises(UserError, match="no space left on the device"):
        ws.import_file("leads", write(tmp_path / "b.csv", LEADS))
    monkeypatch.undo()
    assert snapshot(ws) == before
    assert _leftovers(ws) == []


def test_disk_full_while_copying_the_database_leaves_no_copy(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.import_file("leads", write(tmp_path / "a.csv", "lead_id,created_at\nL9,2024-01-01\n"))
    before = snapshot(ws)
    real = shutil.copyfile

    def copy_half(src: Path, dst: Path) -> None:
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(snapshot_module.shutil, "copyfile", copy_half)
    with pytest.raises(UserError, match=r"no space left on the device.*free some space"):
        ws.import_file("leads", write(tmp_path / "b.csv", LEADS))
    monkeypatch.setattr(snapshot_module.shutil, "copyfile", real)
    assert _leftovers(ws) == []
    assert snapshot(ws) == before


def test_out_of_memory_during_an_import_says_what_to_do(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.close()
    config = tmp_path / "ws" / "salesmetrics.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('memory_limit = "2GB"', 'memory_limit = "1MB"'), "utf-8")
    lines = "".join(
        f"o{i},Closed Won,{i}.5,2024-01-{i % 28 + 1:02d},note {i}\n" for i in range(60000)
    )
    path = write(tmp_path / "big.csv", "opportunity_id,stage,amount,close_date,notes\n" + lines)
    with open_workspace(tmp_path / "ws") as small, pytest.raises(UserError) as caught:
        small.import_file("opportunities", path)
    message = str(caught.value)
    assert "out of memory" in message and "memory_limit" in message
    assert "split the file" in message
    assert "metrics, periods or groups" not in message
    with open_workspace(tmp_path / "ws") as small:
        assert small.count("opportunities") == 0
        assert _leftovers(small) == []


def test_leftovers_of_a_killed_import_are_cleaned_when_the_workspace_opens(
    ws: Workspace, tmp_path: Path
) -> None:
    done = ws.import_file("leads", write(tmp_path / "a.csv", "lead_id,created_at\nL9,2024-01-01\n"))
    raw = ws.root / "raw"
    committed = raw / f"{done.batch_id}.csv"
    committed.rename(raw / f"{done.batch_id}.csv.partial")  # killed after COMMIT, before rename
    (raw / "20000101-000000-abcdef.csv.partial").write_text("never committed")
    copy = ws.database.with_name(ws.database.name + snapshot_module.NEXT + "999999")
    copy.write_bytes(b"half a snapshot")
    ws.close()
    with open_workspace(ws.root) as again:
        assert again.count("leads") == 1  # a command that only reads
    assert sorted(p.name for p in raw.iterdir()) == [committed.name]
    assert not copy.exists()


def test_a_batch_whose_snapshot_cannot_be_put_in_place_keeps_no_raw_copy(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is committed in the writer's copy, then the disk fills up while that copy is
    checkpointed: the workspace keeps its old snapshot, and no raw copy of the lost batch."""
    before = snapshot(ws)

    def full(copy: Path, database: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(copy))

    monkeypatch.setattr(snapshot_module, "commit", full)
    with pytest.raises(UserError, match="no space left on the device"):
        ws.import_file("leads", write(tmp_path / "b.csv", LEADS))
    monkeypatch.undo()
    assert snapshot(ws) == before
    assert not (ws.root / "raw").exists() or list((ws.root / "raw").iterdir()) == []
    assert _leftovers(ws) == []
