"""Atomicity with a real kill: SIGKILL an import in a subprocess, then reopen the workspace.

The import runs through the installed ``salesmetrics`` console script. The first test uses the
documented hook ``SALESMETRICS_TEST_PAUSE_BEFORE_COMMIT`` (salesmetrics.ingest.store): the process
creates a marker file once every row of the batch is written inside the transaction, then waits;
it is killed there. The second kills at several moments of an unhooked import: afterwards the
workspace holds either exactly what it held before or exactly the whole batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from salesmetrics import init_workspace, open_workspace
from salesmetrics.ingest.store import PAUSE_ENV
from tests.ingest.conftest import snapshot, write

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]

SCRIPT = Path(sys.executable).parent / "salesmetrics"


def big_csv(path: Path, n: int) -> Path:
    lines = ["lead_id,created_at,source,score"]
    lines += [f"K{i},2024-01-{i % 28 + 1:02d} 10:00,web,{i % 100}" for i in range(n)]
    lines.append("K-bad,not a date,web,1")
    return write(path, "\n".join(lines) + "\n")


def start(workspace: Path, csv: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SCRIPT), "import", "leads", str(csv), "--workspace", str(workspace), "--quiet"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def state(root: Path) -> dict[str, Any]:
    with open_workspace(root) as ws:
        return snapshot(ws)


def prepared(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    root = tmp_path / "ws"
    ws = init_workspace(root)
    ws.import_file(
        "leads", write(tmp_path / "first.csv", "lead_id,created_at\nK1,2023-05-05\nA,2023-01-01\n")
    )
    ws.close()
    return root, state(root)


def committed_files(root: Path) -> list[str]:
    raw = root / "raw"
    return sorted(p.name for p in raw.iterdir() if not p.name.endswith(".partial"))


def test_kill_inside_the_transaction(tmp_path: Path) -> None:
    assert SCRIPT.exists(), f"console script not found at {SCRIPT}"
    root, before = prepared(tmp_path)
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
    assert committed_files(root) == files_before  # at most a .partial file is left
    # The next import cleans up the leftover and works normally.
    with open_workspace(root) as ws:
        result = ws.import_file("leads", csv)
        assert result.rows_loaded == 200_000
        assert not list((root / "raw").glob("*.partial"))


def test_kill_at_any_moment(tmp_path: Path) -> None:
    root, before = prepared(tmp_path)
    csv = big_csv(tmp_path / "big.csv", 300_000)
    # The complete import, for comparison, in a copy of the workspace.
    import shutil

    done_root = tmp_path / "done"
    shutil.copytree(root, done_root)
    finished = subprocess.run(
        [str(SCRIPT), "import", "leads", str(csv), "--workspace", str(done_root), "--quiet"],
        capture_output=True,
        check=True,
    )
    assert b"rejected 1" in finished.stdout
    after = state(done_root)

    def comparable(snap: dict[str, Any]) -> dict[str, Any]:
        # batch ids and times differ between two runs of the same import
        return {
            "leads": sorted(r[:-2] for r in snap["leads"]),
            "_quarantine": sorted(r[1:] for r in snap["_quarantine"]),
            "_import_log": len(snap["_import_log"]),
        }

    outcomes = set()
    for delay in (0.2, 0.6, 1.0, 1.5, 2.5):
        trial = tmp_path / f"trial-{delay}"
        shutil.copytree(root, trial)
        proc = start(trial, csv, {})
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        got = comparable(state(trial))
        assert got in (comparable(before), comparable(after)), f"half-written after {delay}s"
        outcomes.add("before" if got == comparable(before) else "after")
    assert "before" in outcomes
