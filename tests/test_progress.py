"""The progress contract: the Python API reports through a callback and prints nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from salesmetrics import Workspace
from salesmetrics.progress import quiet_duckdb


def test_quiet_duckdb_turns_duckdbs_progress_bar_off(capfd: pytest.CaptureFixture[str]) -> None:
    con = duckdb.connect()
    assert quiet_duckdb(con) is con
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'enable_progress_bar%'"
        ).fetchall()
    )
    assert settings == {"enable_progress_bar": "false", "enable_progress_bar_print": "false"}
    # with DuckDB's defaults this query's bar lands in stdout: the delay (2 s by default) set to
    # 0 turns the bar back on, and the printing must stay off
    con.execute("SET progress_bar_time = 0")
    con.execute("SELECT sum(i * i % 7) FROM range(20000000) t(i)").fetchall()
    assert capfd.readouterr() == ("", "")


def test_an_import_and_an_evaluation_print_nothing_and_report_progress(
    workspace: Workspace, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    lines = [f"L{i},2024-0{1 + i % 6}-0{1 + i % 9},web" for i in range(500)]
    csv = tmp_path / "leads.csv"
    csv.write_text("lead_id,created_at,source\n" + "\n".join(lines) + "\n")
    calls: list[tuple[str, int, int | None]] = []

    result = workspace.import_file("leads", csv, progress=lambda *call: calls.append(call))
    workspace.metrics(["lead_conversion_rate"], period="2024", grain="quarter")

    assert result.rows_loaded == 500
    assert capfd.readouterr() == ("", "")
    steps = [step for step, _, _ in calls]
    assert steps[0] == "reading leads.csv"
    assert {"converting", "writing"} <= set(steps)
    reading = [(done, total) for step, done, total in calls if step == "reading leads.csv"]
    assert reading[-1] == (csv.stat().st_size, csv.stat().st_size)
    assert [done for step, done, _ in calls if step == "writing"][-1] == 100
