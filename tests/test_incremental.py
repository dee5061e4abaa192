"""Kept intermediates brought up to date from the rows an import adds (salesmetrics.incremental).

The small demo's deals (with their history) and activities are split by a hash of their key: a
workspace holding the rest is reviewed (so its intermediates are kept), then imports the split
rows as new batches and is reviewed again; every metric must equal a review of the demo as
built (money to the cent, other numbers to 1e-9). A batch that replaces existing rows must give
the same answers as computing everything again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace, incremental, schema
from salesmetrics.ingest.validate import lit
from salesmetrics.workspace import open_workspace
from tests.demos import DemoBuild, copy_demo
from tests.parity.compare import Case, differences, review

#: The cases reviewed (every metric of the year): company-wide by quarter, by rep by month.
CASES = (Case("quarter"), Case("month", ("rep",)))
#: The share of deals and activities imported as the later batch: a hash of the key mod this.
SPLIT = 7
#: What is split off, per table: the key hashed.
KEYS = {
    "opportunities": "opportunity_id",
    "opportunity_history": "opportunity_id",
    "activities": "activity_id",
}


def slots(ws: Workspace, name: str, file: str) -> list[Path]:
    """The files ``file`` in the kept slots of the whole-history table ``name``."""
    folder = ws.cache_folder
    assert folder is not None
    return sorted(folder.glob(f"*/{name}/*/{file}"))


def reviewed(ws: Workspace) -> dict[Case, object]:
    """Every case reviewed on ``ws``."""
    return {case: review(ws, case) for case in CASES}


def split_off(ws: Workspace, folder: Path) -> dict[str, Path]:
    """Move the split rows of :data:`KEYS` out of ``ws`` into CSV files in ``folder``."""
    folder.mkdir()
    files = {}
    con = ws.duckdb
    for table, key in KEYS.items():
        path = folder / f"{table}.csv"
        cols = ", ".join(f'"{c.name}"' for c in schema.table(table).columns)
        chosen = f"hash({key}) % {SPLIT} = 0"
        con.execute(
            f"COPY (SELECT {cols} FROM {table} WHERE {chosen}) TO {lit(str(path))} (HEADER)"
        )
        files[table] = path
    with ws.writing() as backend:
        for table, key in KEYS.items():
            backend.con.execute(f"DELETE FROM {table} WHERE hash({key}) % {SPLIT} = 0")
        ws.wrote(*KEYS)
    return files


@pytest.fixture(scope="module")
def whole(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The small demo as built, reviewed once (the reference)."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("whole") / "ws")
    yield ws
    ws.close()


def test_an_import_of_new_keys_grows_the_kept_tables_and_every_metric_is_the_same(
    demo_build: DemoBuild, whole: Workspace, tmp_path: Path
) -> None:
    ws = copy_demo(demo_build, tmp_path / "grown")
    try:
        files = split_off(ws, tmp_path / "new")
        ws.derived.reset()
        reviewed(ws)  # keeps the intermediates of the data without the split rows
        for table, path in files.items():
            assert ws.import_file(table, path).rows_loaded > 0
        ws.close()
        ws = open_workspace(ws.root)  # a later session, as after the command line's import
        got = reviewed(ws)
        for name in ("pipeline_spans", "stage_visits", "activity_days"):
            assert slots(ws, name, "parts.json"), f"{name} was computed again, not grown"
        ref = reviewed(whole)
        for case in CASES:
            assert differences(ref[case], got[case]) == [], case.id
    finally:
        ws.close()


def test_a_batch_replacing_existing_rows_gives_the_answers_of_computing_everything_again(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    folder = tmp_path / "changed"
    folder.mkdir()
    ws = copy_demo(demo_build, tmp_path / "upserted")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    try:
        reviewed(ws)
        files = {}
        for table, key, change in (
            ("opportunities", "opportunity_id", ("amount", "amount * 2")),
            ("activities", "activity_id", ("duration_minutes", "duration_minutes + 1")),
        ):
            cols = [f'"{c.name}"' for c in schema.table(table).columns]
            select = ", ".join(
                f"{change[1]} AS {change[0]}" if c == f'"{change[0]}"' else c for c in cols
            )
            files[table] = folder / f"{table}.csv"
            ws.duckdb.execute(
                f"COPY (SELECT {select} FROM {table} WHERE hash({key}) % {SPLIT} = 0)"
                f" TO {lit(str(files[table]))} (HEADER)"
            )
        for target in (ws, fresh):
            for table, path in files.items():
                target.import_file(table, path)
        got = reviewed(ws)
        assert slots(ws, "pipeline_spans", "parts.json"), "deals replaced: their rows again"
        assert not slots(ws, "activity_days", "parts.json"), "sums cannot lose replaced rows"
        fresh.derived.reset()
        ref = reviewed(fresh)
        for case in CASES:
            assert differences(ref[case], got[case]) == [], case.id
    finally:
        ws.close()
        fresh.close()


def logged_batches(table: str, n: int) -> list[tuple[str, int]]:
    """An import log of three batches per table, 10 rows loaded each (the last ``n``)."""
    return [(f"{table}-{i}", 10) for i in range(3)][-n:]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # one batch of 10 new rows: appended
        ({"deals": (30, 2, 2, 0), "reps": (5, 1, 1, 0)}, ({"deals": ["deals-2"]}, True)),
        # one batch loaded 10 rows but the table grew by 4: some replaced existing keys
        ({"deals": (24, 2, 2, 0), "reps": (5, 1, 1, 0)}, ({"deals": ["deals-2"]}, False)),
        # two batches: both found in the log
        ({"deals": (40, 3, 3, 0), "reps": (5, 1, 1, 0)}, ({"deals": ["deals-1", "deals-2"]}, True)),
        # a write that was no import (writes grew more than batches)
        ({"deals": (30, 2, 3, 0), "reps": (5, 1, 1, 0)}, None),
        # a write counted for every table
        ({"deals": (30, 2, 2, 1), "reps": (5, 1, 1, 0)}, None),
        # rows removed
        ({"deals": (10, 2, 2, 0), "reps": (5, 1, 1, 0)}, None),
        # nothing changed
        ({"deals": (20, 1, 1, 0), "reps": (5, 1, 1, 0)}, None),
    ],
)
def test_the_batches_since_a_kept_slot_are_found_from_the_versions(
    now: dict[str, tuple[int, ...]], expected: tuple[dict[str, list[str]], bool] | None
) -> None:
    before = incremental.as_json({"deals": (20, 1, 1, 0), "reps": (5, 1, 1, 0)})
    found = incremental.plan(before, now, frozenset(now), logged_batches)
    assert (found and (found.batches, found.appended)) == expected


def test_a_table_missing_from_the_log_is_no_delta() -> None:
    before = incremental.as_json({"deals": (20, 1, 1, 0)})
    assert (
        incremental.plan(before, {"deals": (30, 2, 2, 0)}, frozenset({"deals"}), lambda t, n: [])
        is None
    )
