"""An import's phases as reported to a progress callback."""

from __future__ import annotations

import duckdb

from salesmetrics.ingest.phases import ImportPhases


def test_without_a_callback_nothing_is_tracked_and_the_work_still_runs() -> None:
    phases = ImportPhases(None)
    assert not phases.enabled
    phases.phase("reading a.csv", total=10)
    phases.advance(4)
    assert phases.run("converting", duckdb.connect(), lambda: 42) == 42


def test_byte_phases_report_the_running_total() -> None:
    calls: list[tuple[str, int, int | None]] = []
    phases = ImportPhases(lambda *call: calls.append(call))
    phases.phase("reading a.csv", total=10)
    phases.advance(4)
    phases.advance(6)
    phases.phase("sniffing", total=None)
    assert calls == [
        ("reading a.csv", 0, 10),
        ("reading a.csv", 4, 10),
        ("reading a.csv", 10, 10),
        ("sniffing", 0, None),
    ]


def test_a_statement_phase_is_reported_in_percent_from_start_to_end() -> None:
    calls: list[tuple[str, int, int | None]] = []
    phases = ImportPhases(lambda *call: calls.append(call))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")

    total = phases.run(
        "converting", con, lambda: con.execute("SELECT count(*) FROM range(1000)").fetchone()
    )

    assert total == (1000,)
    assert calls[0] == ("converting", 0, 100)
    assert calls[-1] == ("converting", 100, 100)
    assert all(step == "converting" and 0 <= done <= 100 for step, done, _ in calls)
