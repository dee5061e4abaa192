"""The progress contract: the Python API reports through a callback and prints nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from salesmetrics import Workspace
from salesmetrics.progress import quiet_duckdb

#: Rows of a query long enough for DuckDB to draw its bar once the delay is zero.
LONG_QUERY = "SELECT sum(i * i % 7) FROM range(20000000) t(i)"


def _long_query(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET progress_bar_time = 0")  # DuckDB's bar appears after 2 s by default
    con.execute(LONG_QUERY).fetchall()


def test_a_plain_duckdb_connection_prints_its_progress_bar(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # the reason for quiet_duckdb: without it, the bar lands in the caller's stdout
    _long_query(duckdb.connect())
    assert "100%" in capfd.readouterr().out


def test_quiet_duckdb_turns_duckdbs_progress_bar_off(capfd: pytest.CaptureFixture[str]) -> None:
    con = duckdb.connect()
    assert quiet_duckdb(con) is con
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'enable_progress_bar%'"
        ).fetchall()
    )
    assert settings == {"enable_progress_bar": "false", "enable_progress_bar_print": "false"}
    _long_query(con)  # setting the delay turns the bar back on; printing stays off
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
