"""Many readers and one writer on an embedded workspace, with real processes started together.

Readers open the database read-only and never write it; a write goes to a copy swapped in
whole (salesmetrics.backends.snapshot). So commands started together all answer, an import
runs while they read, and each reader sees the data before or after the import, never half.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from salesmetrics import init_workspace, open_workspace
from salesmetrics.backends import snapshot
from tests.ingest.conftest import write
from tests.pipeline.test_funnel import build

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fcntl locks")

SCRIPT = Path(sys.executable).parent / "salesmetrics"

#: A reader process: signals it is ready, then counts leads (and computes a metric at the end)
#: until told to stop; prints every count it saw and any error, as JSON.
READER = """
import json, sys, time
from pathlib import Path
from salesmetrics import open_workspace

root, ready, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
seen, errors = [], []
with open_workspace(root) as ws:
    ready.write_text("ready")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        last = stop.exists()
        try:
            ws.refresh()
            seen.append(ws.count("leads"))
        except Exception as err:
            errors.append(f"{type(err).__name__}: {err}")
        if last:
            break
        time.sleep(0.02)
    rows = ws.metrics(["lead_conversion_rate"], period="2024").rows()
created = [r["components"]["created"] for r in rows]
print(json.dumps({"seen": seen, "errors": errors, "created": created}))
"""


def leads_csv(path: Path, first: int, n: int) -> Path:
    lines = ["lead_id,created_at,source"]
    lines += [f"L{i},2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} 10:00,web" for i in range(first, n)]
    return write(path, "\n".join(lines) + "\n")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def make_root(tmp_path: Path) -> Path:
    """A workspace with deals, their history and 50 leads (``L0`` ... ``L49``)."""
    root = tmp_path / "ws"
    with init_workspace(root) as ws:
        build(ws)
        ws.import_file("leads", leads_csv(tmp_path / "leads.csv", 0, 50))
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A workspace with deals, their history and some leads."""
    return make_root(tmp_path)


@pytest.mark.slow
def test_commands_started_together_all_answer_and_write_nothing(root: Path) -> None:
    database = root / "workspace.duckdb"
    before = digest(database)
    args = ("metrics", "-p", "2024-Q2", "-f", "json", "-w", str(root), "-q")
    procs = [run(*args) for _ in range(3)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    assert all(json.loads(out) for out, _ in outputs)
    assert len({out for out, _ in outputs}) == 1  # the same answer
    assert digest(database) == before  # readers never write the database


def start_readers(root: Path, tmp_path: Path, stop: Path) -> list[subprocess.Popen[str]]:
    """Three :data:`READER` processes reading ``root`` until ``stop`` exists, once all are
    ready."""
    readers = []
    for i in range(3):
        ready = tmp_path / f"ready{i}"
        proc = subprocess.Popen(
            [sys.executable, "-c", READER, str(root), str(ready), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        readers.append((proc, ready))
    deadline = time.monotonic() + 120
    while not all(ready.exists() for _, ready in readers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [proc for proc, _ in readers]


def reports(readers: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    """What each reader of :func:`start_readers` printed (each must have exited cleanly)."""
    found = []
    for proc in readers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        found.append(json.loads(out))
    return found


@pytest.mark.slow
def test_an_import_runs_while_readers_read_and_each_sees_before_or_after(
    root: Path, tmp_path: Path
) -> None:
    with open_workspace(root) as ws:
        before = ws.count("leads")
    csv = leads_csv(tmp_path / "more.csv", 50, 60_000)  # a batch that takes a while
    stop = tmp_path / "stop"
    readers = start_readers(root, tmp_path, stop)
    importer = run("import", "leads", str(csv), "-w", str(root), "--quiet")
    _, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    stop.write_text("stop")
    after = before + 60_000 - 50
    for report in reports(readers):
        assert report["errors"] == []  # never a lock error
        assert set(report["seen"]) <= {before, after}  # never half of the batch
        assert report["seen"][0] == before and report["seen"][-1] == after
        assert report["created"] == [after]  # the engine reads the new snapshot too
    with open_workspace(root) as ws:
        assert ws.count("leads") == after


@pytest.mark.slow  # two import processes started together (40 s under load), as the two above
def test_writers_take_turns(root: Path, tmp_path: Path) -> None:
    first = leads_csv(tmp_path / "a.csv", 100, 20_000)
    second = leads_csv(tmp_path / "b.csv", 20_000, 40_000)
    procs = [run("import", "leads", str(f), "-w", str(root), "--quiet") for f in (first, second)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    with open_workspace(root) as ws:
        assert ws.count("leads") == 50 + 2 * 19_900 + 100  # both batches, neither lost
    assert not list(root.glob("*" + snapshot.NEXT + "*"))  # no copy left behind


def test_a_failed_write_leaves_the_current_snapshot_untouched(root: Path) -> None:
    database = root / "workspace.duckdb"
    before = digest(database)
    with open_workspace(root) as ws, pytest.raises(RuntimeError), ws.writing() as backend:
        backend.con.execute("DELETE FROM leads")
        raise RuntimeError("the write fails half-way")
    assert digest(database) == before
    assert not list(root.glob("*" + snapshot.NEXT + "*"))
    with open_workspace(root) as ws:
        assert ws.count("leads") == 50


def test_a_copy_left_by_a_killed_writer_is_removed_by_the_next(root: Path) -> None:
    database = root / "workspace.duckdb"
    stale = database.with_name(database.name + snapshot.NEXT + "999999")
    stale.write_bytes(b"half a database")
    with open_workspace(root) as ws, ws.writing() as backend:
        backend.con.execute("DELETE FROM leads WHERE lead_id = 'L1'")
    assert not stale.exists()
    with open_workspace(root) as ws:
        assert ws.count("leads") == 49


def test_a_reader_keeps_its_snapshot_until_it_refreshes(root: Path) -> None:
    with open_workspace(root) as reader, open_workspace(root) as writer:
        assert reader.count("leads") == 50
        with writer.writing() as backend:
            backend.con.execute("DELETE FROM leads")
        assert reader.count("leads") == 50  # the snapshot it opened
        reader.refresh()
        assert reader.count("leads") == 0


def test_an_upgraded_workspace_loses_the_tables_earlier_versions_kept_inside(root: Path) -> None:
    database = root / "workspace.duckdb"
    with open_workspace(root) as ws, ws.writing() as backend:
        backend.con.execute('CREATE TABLE "_sm_kept_stage_visits" AS SELECT 1 AS x')
        backend.con.execute('CREATE TABLE "_sm_kept" (name VARCHAR, stamp VARCHAR)')
    with open_workspace(root) as ws, ws.writing():
        pass  # the next write (here an empty one)
    with open_workspace(root) as ws:
        names = {
            r[0] for r in ws.duckdb.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert not {n for n in names if n.startswith("_sm_kept")}
        assert ws.count("leads") == 50
    assert database.exists()
