"""New rows for bar P7: 1 % more opportunities (with their history) and activities, as CSV files.

The rows copy the shape of the workspace's own data: about 1 % of the existing opportunities and
activities (chosen by a hash of their key, so the same ones every run) get new keys (the old key
with :data:`SUFFIX`), and every date of theirs moves :data:`SHIFT_DAYS` days earlier. Only rows
whose dates stay within the data's range after the shift are chosen, so the new rows look like
more of the same CRM export, not like a new period. The files have the canonical columns and a
header, as ``salesmetrics import TABLE FILE`` reads them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from salesmetrics import schema
from salesmetrics.ingest.validate import lit

if TYPE_CHECKING:
    from salesmetrics import Workspace

SHARE = 0.01
SHIFT_DAYS = 30
SUFFIX = "-P7"
#: The files in the order they must be imported (history after the deals it belongs to).
TABLES = ("opportunities", "opportunity_history", "activities")


@dataclass(frozen=True)
class NewRows:
    """The CSV file of each table of :data:`TABLES` and how many rows it holds."""

    files: dict[str, Path]
    rows: dict[str, int]


def _columns(table: str, keys: set[str]) -> str:
    """The canonical columns of ``table`` as a select list: ``keys`` suffixed, every date and
    timestamp moved :data:`SHIFT_DAYS` earlier (keeping its type)."""
    out = []
    for col in schema.table(table).columns:
        name = col.name
        if name in keys:
            out.append(f"{name} || '{SUFFIX}' AS {name}")
        elif col.type in (schema.ColumnType.DATE, schema.ColumnType.TIMESTAMP):
            out.append(f"CAST({name} - INTERVAL {SHIFT_DAYS} DAY AS {col.sql}) AS {name}")
        else:
            out.append(name)
    return ", ".join(out)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write ``query``'s rows to the CSV file ``path``; returns how many."""
    con.execute(f"COPY ({query}) TO {lit(path.as_posix())} (HEADER, DELIMITER ',')")
    return _scalar(con, f"SELECT count(*) FROM read_csv({lit(path.as_posix())})")


def generate(con: duckdb.DuckDBPyConnection, directory: Path, share: float = SHARE) -> NewRows:
    """Write the new rows of :data:`TABLES`, drawn from the tables ``con`` reads, to
    ``directory``; ``share`` of each table's rows (at least one)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {t: directory / f"{t}-new.csv" for t in TABLES}
    rows: dict[str, int] = {}
    n_opps = max(1, round(share * _scalar(con, "SELECT count(*) FROM opportunities")))
    chosen = f"""SELECT opportunity_id FROM opportunities
        WHERE created_at - INTERVAL {SHIFT_DAYS} DAY >= (SELECT min(created_at) FROM opportunities)
        ORDER BY hash(opportunity_id), opportunity_id LIMIT {n_opps}"""
    opp_cols = _columns("opportunities", {"opportunity_id"})
    rows["opportunities"] = _copy(
        con,
        f"SELECT {opp_cols} FROM opportunities WHERE opportunity_id IN ({chosen})",
        files["opportunities"],
    )
    hist_cols = _columns("opportunity_history", {"opportunity_id"})
    rows["opportunity_history"] = _copy(
        con,
        f"SELECT {hist_cols} FROM opportunity_history WHERE opportunity_id IN ({chosen})",
        files["opportunity_history"],
    )
    n_acts = max(1, round(share * _scalar(con, "SELECT count(*) FROM activities")))
    act_cols = _columns("activities", {"activity_id"})
    rows["activities"] = _copy(
        con,
        f"""SELECT {act_cols} FROM activities
        WHERE started_at - INTERVAL {SHIFT_DAYS} DAY >= (SELECT min(started_at) FROM activities)
        ORDER BY hash(activity_id), activity_id LIMIT {n_acts}""",
        files["activities"],
    )
    return NewRows(files, rows)


def import_and_warm(ws: Workspace, new: NewRows) -> tuple[dict[str, float], dict[str, int]]:
    """Import ``new``'s files into ``ws`` in :data:`TABLES` order, then the import's warm once
    for the three (what an import does after its batches land, as a script would): the seconds
    of each table and of ``"warm"``, and the rows loaded per table."""
    seconds: dict[str, float] = {}
    loaded: dict[str, int] = {}
    for table in TABLES:
        started = time.perf_counter()
        loaded[table] = ws.import_file(table, new.files[table]).rows_loaded
        seconds[table] = time.perf_counter() - started
    started = time.perf_counter()
    ws.warm()
    seconds["warm"] = time.perf_counter() - started
    return seconds, loaded
