"""Atomicity on PostgreSQL with a real kill: SIGKILL an import into a PostgreSQL workspace in a
subprocess, then reopen the workspace (as tests/ingest/test_kill.py does on DuckDB).

Killed inside its transaction (the ``SALESMETRICS_TEST_PAUSE_BEFORE_COMMIT`` hook) the import
leaves the workspace as it was; killed at other moments, the workspace holds either exactly what
it held before or exactly the whole batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from salesmetrics import init_workspace, open_workspace
from salesmetrics.ingest.store import PAUSE_ENV
from tests.ingest.conftest import write
from tests.ingest.test_kill import SCRIPT, big_csv, committed_files, start, state
from tests.postgres import fresh_schema

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]


def prepared(root: Path, url: str, tmp_path: Path) -> dict[str, Any]:
    """A PostgreSQL workspace in ``root`` holding one small batch; returns its state."""
    with init_workspace(root, backend=url) as ws:
        ws.import_file(
            "leads",
            write(tmp_path / "first.csv", "lead_id,created_at\nK1,2023-05-05\nA,2023-01-01\n"),
        )
    return state(root)


def comparable(snap: dict[str, Any]) -> dict[str, Any]:
    """A state without what differs between two runs of one import (batch ids, times)."""
    return {
        "leads": sorted(r[:-2] for r in snap["leads"]),
        "_quarantine": sorted(r[1:] for r in snap["_quarantine"]),
        "_import_log": len(snap["_import_log"]),
    }


def test_kill_inside_the_transaction(tmp_path: Path, pg_url: str) -> None:
    assert SCRIPT.exists(), f"console script not found at {SCRIPT}"
    root = tmp_path / "ws"
    before = prepared(root, pg_url, tmp_path)
    files_before = committed_files(root)
    csv = big_csv(tmp_path / "big.csv", 200_000)
    marker = tmp_path / "marker"
    proc = start(root, csv, {PAUSE_ENV: str(marker)})
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "the import never reached its commit"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert state(root) == before
    assert committed_files(root) == files_before
    # The next import cleans up the leftover raw copy and works normally.
    with open_workspace(root) as ws:
        assert ws.import_file("leads", csv).rows_loaded == 200_000
        assert not list((root / "raw").glob("*.partial"))


def test_kill_at_any_moment(tmp_path: Path) -> None:
    csv = big_csv(tmp_path / "big.csv", 300_000)
    with fresh_schema() as url:
        done = tmp_path / "done"
        before = comparable(prepared(done, url, tmp_path))
        finished = subprocess.run(
            [str(SCRIPT), "import", "leads", str(csv), "--workspace", str(done), "--quiet"],
            capture_output=True,
            check=True,
        )
        assert b"rejected 1" in finished.stdout
        after = comparable(state(done))
    outcomes = set()
    for delay in (0.3, 1.0, 2.0, 4.0):
        with fresh_schema() as url:
            trial = tmp_path / f"trial-{delay}"
            prepared(trial, url, tmp_path)
            proc = start(trial, csv, {})
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            got = comparable(state(trial))
        assert got in (before, after), f"half-written after {delay}s"
        outcomes.add("before" if got == before else "after")
    assert "before" in outcomes
