"""The choice columns' fast path (``lower`` alone) gives what the normalising regex gives."""

from __future__ import annotations

import duckdb

from salesmetrics.ingest.validate import _choice

CHOICES = ("new", "working", "best_case", "closed-won", "with space")
VALUES = [
    "New",
    "NEW",
    "working",
    "Best Case",
    "best-case",
    "BEST_CASE",
    "Best  -  Case",
    "closed-won",
    "Closed Won",
    "with space",
    "With_Space",
    "\u212a",  # the Kelvin sign: lower() gives k
    "Ne w",
    "",
    None,
    "unknown",
]


def test_fast_path_agrees_with_the_regex() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE v (t VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?)", [(x,) for x in VALUES])
    whens = " ".join(f"WHEN '{c}' THEN '{c}'" for c in CHOICES)
    slow = f"(CASE lower(regexp_replace(t, '[\\s\\-]+', '_', 'g')) {whens} END)"
    rows = con.execute(f"SELECT t, {_choice('t', CHOICES)}, {slow} FROM v").fetchall()
    assert [(t, fast) for t, fast, _ in rows] == [(t, expected) for t, _, expected in rows]
    assert ("Best Case", "best_case", "best_case") in rows  # the regex path still runs
    assert ("NEW", "new", "new") in rows
