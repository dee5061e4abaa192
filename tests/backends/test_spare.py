"""The file a write replaced, brought up to date by the next writer instead of a copy.

A writer reuses the spare only when no reader has it open: readers of this process and of
others pin the files they read, and DuckDB's own lock tells a reader that does not. Real
processes read while the spare is reused; each sees whole snapshots only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmetrics import open_workspace
from salesmetrics.backends import snapshot, spare
from tests.backends.test_snapshot import leads_csv, make_root, reports, start_readers

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fcntl and flock")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A workspace with deals, their history and 50 leads."""
    return make_root(tmp_path)


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a spare whatever the database's size (the test workspaces are small)."""
    monkeypatch.setattr(spare, "SPARE_MIN_BYTES", 0)


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The files this process's writers copied whole (not reused)."""
    made: list[Path] = []
    original = shutil.copyfile

    def copyfile(src: Path, dst: Path) -> object:
        if snapshot.NEXT in Path(dst).name:  # not an import's raw copy
            made.append(Path(dst))
        return original(src, dst)

    monkeypatch.setattr(snapshot.shutil, "copyfile", copyfile)
    yield made


def inode(path: Path) -> int:
    return path.stat().st_ino


def delete_lead(root: Path, lead: str) -> None:
    with open_workspace(root) as ws, ws.writing() as backend:
        backend.con.execute("DELETE FROM leads WHERE lead_id = $l", {"l": lead})


def test_sync_rewrites_only_the_chunks_that_differ(tmp_path: Path) -> None:
    chunk = spare.CHUNK
    current = bytearray(os.urandom(5 * chunk + 100))
    old = bytearray(current[: 4 * chunk])  # shorter, and two chunks changed since
    old[chunk + 7] ^= 0xFF
    old[3 * chunk] ^= 0xFF
    source, target = tmp_path / "current", tmp_path / "spare"
    source.write_bytes(current)
    target.write_bytes(bytes(old) + os.urandom(3 * chunk))  # longer than the current file
    with source.open("rb") as src, target.open("r+b") as dst:
        written = spare.sync(src.fileno(), dst.fileno())
    assert target.read_bytes() == bytes(current)
    assert written == 2 * chunk + chunk + 100  # the two changed chunks and the new tail


def test_the_replaced_file_is_kept_and_brought_up_to_date_by_the_next_write(
    root: Path,
    always: None,
    copies: list[Path],
) -> None:
    database = root / "workspace.duckdb"
    first = inode(database)
    delete_lead(root, "L1")  # copies (no spare yet) and keeps the file it replaced
    assert inode(spare.spare_path(database)) == first
    assert len(copies) == 1
    second = inode(database)
    delete_lead(root, "L2")  # reuses the spare: the first file holds the data again
    assert len(copies) == 1
    assert inode(database) == first
    assert inode(spare.spare_path(database)) == second
    with open_workspace(root) as ws:
        assert ws.count("leads") == 48
        ws.import_file("leads", leads_csv(root.parent / "more.csv", 50, 80))
        assert ws.count("leads") == 78
    assert len(copies) == 1
    assert not list(root.glob("*" + snapshot.NEXT + "*"))


def test_a_small_workspace_keeps_no_spare(root: Path) -> None:
    delete_lead(root, "L1")
    assert not spare.spare_path(root / "workspace.duckdb").exists()


def test_a_reused_file_is_a_new_snapshot_to_its_readers(root: Path, always: None) -> None:
    database = root / "workspace.duckdb"
    with open_workspace(root) as reader:
        assert reader.count("leads") == 50
        reader.close()  # unpinned: the writers may reuse its file
        before = snapshot.identity(database)
        delete_lead(root, "L1")
        delete_lead(root, "L2")  # back in the first file's inode
        assert snapshot.identity(database) != before
        assert reader.count("leads") == 48


def test_a_file_a_reader_of_this_process_reads_is_not_reused(
    root: Path,
    always: None,
    copies: list[Path],
) -> None:
    database = root / "workspace.duckdb"
    with open_workspace(root) as reader:
        assert reader.count("leads") == 50  # opens, and pins, the first file
        first = inode(database)
        delete_lead(root, "L1")
        delete_lead(root, "L2")  # the spare is the reader's file: copied instead
        assert len(copies) == 2
        assert inode(database) != first
        assert reader.count("leads") == 50  # its snapshot, untouched
        assert reader.duckdb.execute("SELECT count(*) FROM leads WHERE lead_id = 'L1'").fetchone()
        reader.refresh()
        assert reader.count("leads") == 48


#: A reader process: opens the workspace (or, with "raw", the file through DuckDB alone),
#: counts leads, signals, waits to be told to count again, prints both counts.
HOLDER = """
import sys, time
from pathlib import Path
import duckdb
from salesmetrics import open_workspace

root, ready, go, how = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
if how == "raw":
    con = duckdb.connect(str(root / "workspace.duckdb"), read_only=True)
    count = lambda: con.execute("SELECT count(*), sum(hash(lead_id)) FROM leads").fetchone()
else:
    ws = open_workspace(root)
    count = lambda: ws.duckdb.execute("SELECT count(*), sum(hash(lead_id)) FROM leads").fetchone()
first = count()
ready.write_text("ready")
deadline = time.monotonic() + 120
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.02)
print(repr((first, count())))
"""


@pytest.mark.parametrize("how", ["workspace", "raw"])
def test_a_file_another_process_reads_is_not_reused(
    root: Path,
    tmp_path: Path,
    always: None,
    copies: list[Path],
    how: str,
) -> None:
    ready, go = tmp_path / "ready", tmp_path / "go"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root), str(ready), str(go), how],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not ready.exists() and time.monotonic() < deadline and holder.poll() is None:
        time.sleep(0.02)
    database = root / "workspace.duckdb"
    first = inode(database)
    delete_lead(root, "L1")
    delete_lead(root, "L2")  # its spare is the holder's file: copied instead
    assert len(copies) == 2
    assert inode(database) != first
    go.write_text("go")
    out, err = holder.communicate(timeout=300)
    assert holder.returncode == 0, err
    before, after = eval(out)
    assert before == after  # its file never changed under it
    assert before[0] == 50


#: A writer process importing batches one after another, with a spare kept for any size; it
#: prints how many of its writes reused the spare.
WRITER = """
import sys, time
from pathlib import Path
from salesmetrics import open_workspace
from salesmetrics.backends import spare

spare.SPARE_MIN_BYTES = 0
reused = 0
take = spare.take
def counted(database, copy):
    global reused
    taken = take(database, copy)
    reused += taken
    return taken
spare.take = counted
root = Path(sys.argv[1])
for path in sys.argv[2:]:
    with open_workspace(root) as ws:
        ws.import_file("leads", path)
    time.sleep(1.0)  # the readers move to the new snapshot, leaving the old one free
print(reused)
"""


@pytest.mark.slow  # four imports with readers in three processes (a minute under load)
def test_readers_see_whole_snapshots_while_writers_reuse_spares(
    root: Path,
    tmp_path: Path,
) -> None:
    size = 5000
    ends = [50 + i * size for i in range(5)]
    batches = [leads_csv(tmp_path / f"b{i}.csv", ends[i], ends[i + 1]) for i in range(4)]
    stop = tmp_path / "stop"
    readers = start_readers(root, tmp_path, stop)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), *map(str, batches)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err
    assert int(out) >= 1  # some write reused the spare while the readers read
    stop.write_text("stop")
    totals = set(ends)  # the leads of 0, 1, ... 4 batches: never half of one
    for report in reports(readers):
        assert report["errors"] == []
        assert set(report["seen"]) <= totals
        assert report["seen"] == sorted(report["seen"])  # never back in time
        assert report["created"] == [ends[-1]]  # the engine read the last snapshot too
