"""What the incremental tests share: the cases reviewed, the splits, and the comparisons.

The small demo's deals (with their history), activities or leads are split off (by a hash of
their key, or by date), or new rows are made from existing ones, written as CSV files and
imported as new batches; a review after the import must equal a review computed from nothing
on the same data (money to the cent, other numbers to 1e-9), and per-period rows added to must
equal those of a full computation.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics import Workspace, schema
from salesmetrics.ingest.validate import lit
from salesmetrics.kept import PART_SUFFIX, PERIOD_KEY, read_part
from salesmetrics.metrics import registry
from salesmetrics.metrics.result import MetricResult
from salesmetrics.workspace import open_workspace
from tests.parity.compare import YEAR, Case, differences, review

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
#: The rows split off by a hash of their key (deals and activities of every date).
BY_HASH = {table: f"hash({key}) % {SPLIT} = 0" for table, key in KEYS.items()}
#: The rows split off by date: the deals created and the activities started in the first
#: quarter of the year reviewed (a batch that lands in an early period of the review).
EARLY = f"BETWEEN TIMESTAMP '{YEAR}-01-01' AND TIMESTAMP '{YEAR}-03-31'"
BY_DATE = {
    "opportunities": f"created_at {EARLY}",
    "opportunity_history": (
        f"opportunity_id IN (SELECT opportunity_id FROM opportunities WHERE created_at {EARLY})"
    ),
    "activities": f"started_at {EARLY}",
}
#: The leads' cube (its rows kept per period).
LEADS = "leads_by_rep_team_manager_region"

Reviews = dict[Case, MetricResult]


@dataclass(frozen=True)
class ReviewedDemo:
    """The small demo reviewed once (every case), its intermediates kept: ``root`` is its
    closed workspace folder, never opened again (tests copy it), ``results`` the review."""

    root: Path
    results: Reviews


def copy_reviewed(demo: ReviewedDemo, dest: Path) -> Workspace:
    """A copy of ``demo``'s folder (its kept intermediates too) in ``dest``, opened and
    reviewed in this session from the kept intermediates alone (nothing computed), so that an
    import that follows lands in a session that has reviewed the data, as a first review
    would leave it."""
    shutil.copytree(demo.root, dest)
    ws = open_workspace(dest)
    reviewed(ws)
    assert ws.derived.built == [], "the copy's kept intermediates were not valid"
    return ws


def slots(ws: Workspace, name: str, file: str) -> list[Path]:
    """The files ``file`` in the kept slots of the whole-history table ``name``."""
    folder = ws.cache_folder
    assert folder is not None
    return sorted(folder.glob(f"*/{name}/*/{file}"))


def reviewed(ws: Workspace, metrics: Sequence[str] | None = None) -> Reviews:
    """Every case reviewed on ``ws``: every metric, or ``metrics`` alone."""
    if metrics is None:
        return {case: review(ws, case) for case in CASES}
    return {
        case: ws.metrics(list(metrics), period=YEAR, grain=case.grain, by=list(case.by) or None)
        for case in CASES
    }


def metrics_of(*families: str) -> list[str]:
    """The registry's metrics that read any of ``families`` (under any of their bases): a
    review of what a test is about, where its claim is about those families only."""
    wanted = set(families)
    found = []
    for metric in registry.resolve(registry.metric_ids()):
        read = set(metric.families).union(*metric.basis_families.values())
        if read & wanted:
            found.append(metric.id)
    assert found, families
    return found


def split_off(ws: Workspace, folder: Path, chosen: dict[str, str] | None = None) -> dict[str, Path]:
    """Move the rows ``chosen`` selects (default :data:`BY_HASH`) out of ``ws`` into CSV files in
    ``folder``."""
    chosen = chosen or BY_HASH
    folder.mkdir()
    files = {}
    con = ws.duckdb
    for table in KEYS:
        files[table] = export_csv(con, table, chosen[table], folder / f"{table}.csv")
    with ws.writing() as backend:
        for table in reversed(KEYS):  # the history by its deals first
            backend.con.execute(f"DELETE FROM {table} WHERE {chosen[table]}")
        ws.wrote(*KEYS)
    return files


def kept_slots(ws: Workspace, name: str) -> dict[Path, pa.Table]:
    """The rows of each kept slot of the per-period table ``name``."""
    folder = ws.cache_folder
    assert folder is not None
    found = {}
    for slot in folder.glob(f"*/{name}/*/"):
        parts = sorted(slot.glob(f"*{PART_SUFFIX}"))
        if parts:
            found[slot] = pa.concat_tables([read_part(p) for p in parts])
    return found


def assert_same_rows(got: pa.Table, ref: pa.Table) -> None:
    """``got`` and ``ref`` (per-period component rows) hold the same rows in the periods both
    hold (at least one): money to the cent, other numbers to 1e-9, counts exactly."""
    common = set(got[PERIOD_KEY].to_pylist()) & set(ref[PERIOD_KEY].to_pylist())
    assert common
    keys = [c for c in ref.column_names if pa.types.is_string(ref[c].type)]
    tables = []
    for rows in (got, ref):
        rows = rows.filter(pc.is_in(rows[PERIOD_KEY], pa.array(sorted(common))))
        tables.append(rows.sort_by([(k, "ascending") for k in keys]))
    got, ref = tables
    assert got.num_rows == ref.num_rows
    for name in ref.column_names:
        a, b = got[name].to_pylist(), ref[name].to_pylist()
        if name in keys or pa.types.is_integer(ref[name].type):
            assert a == b, name
        elif pa.types.is_decimal(ref[name].type):
            assert [x if x is None else round(x, 2) for x in a] == [
                x if x is None else round(x, 2) for x in b
            ], name
        else:
            assert [x is None for x in a] == [x is None for x in b], name
            pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None]
            assert all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in pairs), name


def columns_with(table: str, changed: Mapping[str, str]) -> str:
    """The select list of every column of ``table`` (quoted), the columns of ``changed``
    replaced by their expressions."""
    cols = [f'"{c.name}"' for c in schema.table(table).columns]
    return ", ".join(f"{changed[c]} AS {c}" if c in changed else c for c in cols)


def export_csv(
    con: Any, table: str, where: str, path: Path, changed: Mapping[str, str] | None = None
) -> Path:
    """The rows of ``table`` that ``where`` selects (a condition, and a QUALIFY after it if
    any) written to ``path`` as CSV with a header, the columns of ``changed`` replaced."""
    select = columns_with(table, changed or {})
    con.execute(f"COPY (SELECT {select} FROM {table} WHERE {where}) TO {lit(str(path))} (HEADER)")
    return path


def assert_close_rows(got: list[dict[str, Any]], ref: list[dict[str, Any]]) -> None:
    """Result rows ``got`` equal ``ref``: the same rows, values to 1e-9."""
    assert [(r["metric"], r["period"], r["group"]) for r in got] == [
        (r["metric"], r["period"], r["group"]) for r in ref
    ]
    for a, b in zip(got, ref, strict=True):
        if a["value"] is None or b["value"] is None:
            assert a["value"] is b["value"] is None, a
        else:
            assert math.isclose(a["value"], b["value"], rel_tol=1e-9, abs_tol=1e-9), a


def assert_same_reviews(got: Reviews, ref: Reviews) -> None:
    """Every case of ``got`` equals the same case of ``ref``."""
    for case in CASES:
        assert differences(ref[case], got[case]) == [], case.id


def assert_same_as_fresh(
    got: Reviews, fresh: Workspace, metrics: Sequence[str] | None = None
) -> None:
    """``got`` (a review after growing, of every metric or ``metrics``) equals the same review
    of ``fresh`` computed from nothing."""
    fresh.derived.reset()
    assert_same_reviews(got, reviewed(fresh, metrics))


def new_deals(ws: Workspace, folder: Path, where: str, changed: dict[str, str]) -> Path:
    """The deals ``where`` selects as a CSV file in ``folder`` with new keys, the columns of
    ``changed`` replaced by their expressions."""
    changed = {'"opportunity_id"': "opportunity_id || '-N'", **changed}
    return export_csv(ws.duckdb, "opportunities", where, folder / "opportunities.csv", changed)
