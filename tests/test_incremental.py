"""Kept intermediates brought up to date from the rows an import adds (salesmetrics.incremental).

The small demo's deals (with their history) and activities are split by a hash of their key: a
workspace holding the rest is reviewed (so its intermediates are kept), then imports the split
rows as new batches and is reviewed again; every metric must equal a review of the demo as
built (money to the cent, other numbers to 1e-9), and the per-period rows added to by the new
units must equal those of a full computation; also when the batch holds only the first quarter's
deals and activities. A batch that replaces existing rows, or adds history to existing deals,
must give the same answers as computing everything again.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from salesmetrics import Workspace, incremental, schema
from salesmetrics.ingest.validate import lit
from salesmetrics.kept import PART_SUFFIX, PERIOD_KEY, read_part
from salesmetrics.workspace import open_workspace
from tests.demos import DemoBuild, copy_demo
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


#: The whole-history tables that grow per key or by sums.
GROWN = ("pipeline_spans", "stage_visits", "activity_days")
#: The customers' spans (recurring basis), grown per account.
SPANS = "customer_spans_subscriptions"
#: The customers' metrics asked for a period set the review did not keep (their spans grown).
CUSTOMER_METRICS = ["new_customers", "customer_churn_rate", "customer_retention_rate"]
#: The families whose kept per-period rows grow by the new deals or activities (their cubes).
ADDED = (
    *(f"{f}_by_rep_team_manager_region" for f in ("deals", "pipeline", "activities")),
    "stages_by_rep_team_manager_region_stage",
    # new deals of existing customers: their accounts' part replaced
    "customers_by_rep_team_manager_region",
)


def slots(ws: Workspace, name: str, file: str) -> list[Path]:
    """The files ``file`` in the kept slots of the whole-history table ``name``."""
    folder = ws.cache_folder
    assert folder is not None
    return sorted(folder.glob(f"*/{name}/*/{file}"))


def reviewed(ws: Workspace) -> dict[Case, object]:
    """Every case reviewed on ``ws``."""
    return {case: review(ws, case) for case in CASES}


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


def split_off(ws: Workspace, folder: Path, chosen: dict[str, str] | None = None) -> dict[str, Path]:
    """Move the rows ``chosen`` selects (default :data:`BY_HASH`) out of ``ws`` into CSV files in
    ``folder``."""
    chosen = chosen or BY_HASH
    folder.mkdir()
    files = {}
    con = ws.duckdb
    for table in KEYS:
        path = folder / f"{table}.csv"
        cols = ", ".join(f'"{c.name}"' for c in schema.table(table).columns)
        con.execute(
            f"COPY (SELECT {cols} FROM {table} WHERE {chosen[table]}) TO {lit(str(path))} (HEADER)"
        )
        files[table] = path
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


@pytest.fixture(scope="module")
def whole(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The small demo as built, reviewed once (the reference)."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("whole") / "ws")
    yield ws
    ws.close()


def columns_with(table: str, changed: Mapping[str, str]) -> str:
    """The select list of every column of ``table`` (quoted), the columns of ``changed``
    replaced by their expressions."""
    cols = [f'"{c.name}"' for c in schema.table(table).columns]
    return ", ".join(f"{changed[c]} AS {c}" if c in changed else c for c in cols)


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


def assert_same_as_fresh(got: dict[Case, object], fresh: Workspace) -> None:
    """``got`` (a review after growing) equals the review of ``fresh`` computed from nothing."""
    fresh.derived.reset()
    ref = reviewed(fresh)
    for case in CASES:
        assert differences(ref[case], got[case]) == [], case.id


@pytest.mark.parametrize("chosen", [BY_HASH, BY_DATE], ids=["every-period", "early-period"])
def test_an_import_of_new_keys_grows_the_kept_tables_and_every_metric_is_the_same(
    demo_build: DemoBuild, whole: Workspace, tmp_path: Path, chosen: dict[str, str]
) -> None:
    ws = copy_demo(demo_build, tmp_path / "grown")
    try:
        files = split_off(ws, tmp_path / "new", chosen)
        ws.derived.reset()
        reviewed(ws)  # keeps the intermediates of the data without the split rows
        whole_before = {n: slots(ws, n, "table.parquet") for n in GROWN}
        kept_before = {n: set(kept_slots(ws, n)) for n in ADDED}
        spans_before = slots(ws, SPANS, "table.parquet")
        for table, path in files.items():
            assert ws.import_file(table, path).rows_loaded > 0
        ws.close()
        ws = open_workspace(ws.root)  # a later session, as after the command line's import
        got = reviewed(ws)
        for name in GROWN:  # grown where needed (the per-period rows added need none of them)
            assert slots(ws, name, "table.parquet") == whole_before[name], f"{name} computed"
        # the accounts of the new deals had spans: theirs computed again, the others' kept
        # the customers' rows were replaced per account, reading only those accounts' spans
        assert slots(ws, SPANS, "table.parquet") == spans_before, "customer spans computed whole"
        # a period set not kept needs every account's spans: grown per account, not computed
        earlier = {"period": str(demo_build.year - 1), "grain": "quarter"}
        grown = ws.metrics(CUSTOMER_METRICS, **earlier).rows()
        assert slots(ws, SPANS, "parts.json"), "customer spans computed whole"
        assert_close_rows(grown, whole.metrics(CUSTOMER_METRICS, **earlier).rows())
        for family in ADDED:
            assert f"added {family}" in ws.derived.built, f"{family} computed again, not added"
        ref = reviewed(whole)
        for family in ADDED:  # the rows added equal the rows computed from the whole data
            new = kept_slots(ws, family)
            (grown,) = (rows for slot, rows in new.items() if slot not in kept_before[family])
            (computed,) = kept_slots(whole, family).values()
            assert_same_rows(grown, computed)
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
            select = columns_with(table, {f'"{change[0]}"': change[1]})
            files[table] = folder / f"{table}.csv"
            ws.duckdb.execute(
                f"COPY (SELECT {select} FROM {table} WHERE hash({key}) % {SPLIT} = 0)"
                f" TO {lit(str(files[table]))} (HEADER)"
            )
        for target in (ws, fresh):
            for table, path in files.items():
                target.import_file(table, path)
        got = reviewed(ws)
        assert not [b for b in ws.derived.built if b.startswith("added ")], "replaced: not new"
        assert slots(ws, "pipeline_spans", "parts.json"), "deals replaced: their rows again"
        assert not slots(ws, "activity_days", "parts.json"), "sums cannot lose replaced rows"
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_history_added_to_existing_deals_computes_their_periods_again(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    """New history rows (new keys of the history) of deals that had rows before: the kept
    pipeline rows hold those deals' parts already, so they are computed again, not added to."""
    ws = copy_demo(demo_build, tmp_path / "history")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    path = tmp_path / "history.csv"
    try:
        reviewed(ws)
        changed = {'"changed_at"': "changed_at + INTERVAL 1 HOUR", '"amount"': "amount * 2"}
        select = columns_with("opportunity_history", changed)
        last = "QUALIFY row_number() OVER (PARTITION BY opportunity_id ORDER BY changed_at DESC)"
        ws.duckdb.execute(
            f"COPY (SELECT {select} FROM opportunity_history"
            f" WHERE hash(opportunity_id) % {SPLIT} = 0 {last} = 1) TO {lit(str(path))} (HEADER)"
        )
        for target in (ws, fresh):
            assert target.import_file("opportunity_history", path).rows_loaded > 0
        got = reviewed(ws)
        assert "added pipeline_by_rep_team_manager_region" not in ws.derived.built
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_new_deals_that_change_the_stage_order_compute_the_stages_again(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    """New deals (with their history) through a stage never seen before: the stage order
    derived from the data changes, so every deal's furthest stage may; the stage rows are
    computed again while the deals' rows are added to."""
    ws = copy_demo(demo_build, tmp_path / "stage")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    folder = tmp_path / "new"
    folder.mkdir()
    try:
        reviewed(ws)
        files = {}
        for table, renamed in (
            ("opportunities", {}),
            ("opportunity_history", {'"stage"': "'Zeta review'"}),
        ):
            renamed['"opportunity_id"'] = "opportunity_id || '-Z'"
            select = columns_with(table, renamed)
            files[table] = folder / f"{table}.csv"
            ws.duckdb.execute(
                f"COPY (SELECT {select} FROM {table} WHERE hash(opportunity_id) % 50 = 0)"
                f" TO {lit(str(files[table]))} (HEADER)"
            )
        for target in (ws, fresh):
            for table, path in files.items():
                assert target.import_file(table, path).rows_loaded > 0
        got = reviewed(ws)
        assert "added deals_by_rep_team_manager_region" in ws.derived.built
        assert "added stages_by_rep_team_manager_region_stage" not in ws.derived.built
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_new_deals_that_move_a_customers_acquisition_replace_its_part(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    """Won deals of existing customers dated before their first won deal: the accounts' spans
    and acquisition dates change (into another period), so their part of the customers' rows
    is taken away and their part for the data now added; equal to a fresh workspace."""
    ws = copy_demo(demo_build, tmp_path / "acquired")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    path = tmp_path / "earlier.csv"
    try:
        reviewed(ws)
        moved = {
            '"opportunity_id"': "opportunity_id || '-E'",
            '"close_date"': "CAST(close_date - INTERVAL 100 DAY AS DATE)",
            '"created_at"': "created_at - INTERVAL 100 DAY",
        }
        select = columns_with("opportunities", moved)
        first = "QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY close_date) = 1"
        ws.duckdb.execute(
            f"COPY (SELECT {select} FROM opportunities WHERE status = 'won'"
            f" AND account_id IS NOT NULL AND hash(account_id) % 5 = 0 {first})"
            f" TO {lit(str(path))} (HEADER)"
        )
        for target in (ws, fresh):
            assert target.import_file("opportunities", path).rows_loaded > 0
        got = reviewed(ws)
        assert "added customers_by_rep_team_manager_region" in ws.derived.built
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_units_rows_are_replaced_per_group() -> None:
    old = pa.table(
        {
            "period": ["Q1", "Q1", "Q2"],
            "rep": ["a", None, "a"],
            "n": pa.array([3, 2, 1], pa.int64()),
            "amount": pa.array([1.1, None, 2.0], pa.float64()),
        }
    )
    before = pa.table(
        {
            "period": ["Q1", "Q2"],
            "rep": ["a", "a"],
            "n": pa.array([1, 1], pa.int64()),
            "amount": pa.array([0.2, None], pa.float64()),
        }
    )
    now = pa.table(
        {
            "period": ["Q1", "Q2", "Q2"],
            "rep": ["a", "a", None],
            "n": pa.array([2, 1, 1], pa.int64()),
            "amount": pa.array([0.3, 0.7, None], pa.float64()),
        }
    )
    got = incremental.replaced(old, now, before, ["n", "amount"])
    assert got is not None
    assert got.sort_by([("period", "ascending"), ("rep", "ascending")]).to_pylist() == [
        {"period": "Q1", "rep": "a", "n": 4, "amount": 1.2},  # 1.1 - 0.2 + 0.3, exactly
        {"period": "Q1", "rep": None, "n": 2, "amount": None},
        {"period": "Q2", "rep": "a", "n": 1, "amount": 2.7},
        {"period": "Q2", "rep": None, "n": 1, "amount": None},
    ]
    # the units left a group (Q1, a), or a value (Q1 a's amount): computed again instead
    assert incremental.replaced(old, now.slice(1), before, ["n", "amount"]) is None
    emptied = now.set_column(3, "amount", pa.array([None, 0.7, None], pa.float64()))
    assert incremental.replaced(old, emptied, before, ["n", "amount"]) is None


def test_rows_are_added_per_group_sums_and_maxima() -> None:
    old = pa.table(
        {
            "period": ["Q1", "Q1", "Q2"],
            "rep": ["a", None, "a"],
            "won": pa.array([1, None, 2], pa.int64()),
            "amount": pa.array([Decimal("1.10"), None, Decimal("2.00")], pa.decimal128(18, 2)),
            "top": pa.array([3, 1, None], pa.int64()),
        }
    )
    new = pa.table(
        {
            "top": pa.array([5, None], pa.int64()),
            "amount": pa.array([Decimal("0.15"), None], pa.decimal128(38, 2)),
            "won": pa.array([1, None], pa.int64()),
            "rep": [None, "b"],
            "period": ["Q1", "Q1"],
        }
    )
    got = incremental.added(old, new, ["won", "amount"], ["top"]).sort_by(
        [("period", "ascending"), ("rep", "ascending")]
    )
    assert got.schema == old.schema
    assert got.to_pylist() == [
        {"period": "Q1", "rep": "a", "won": 1, "amount": Decimal("1.10"), "top": 3},
        {"period": "Q1", "rep": "b", "won": None, "amount": None, "top": None},
        {"period": "Q1", "rep": None, "won": 1, "amount": Decimal("0.15"), "top": 5},
        {"period": "Q2", "rep": "a", "won": 2, "amount": Decimal("2.00"), "top": None},
    ]


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


#: The leads' and the engagement's cubes (their rows kept per period).
LEADS = "leads_by_rep_team_manager_region"
ENGAGEMENT = "engagement_by_rep_team_manager_region"


def new_deals(ws: Workspace, folder: Path, where: str, changed: dict[str, str]) -> Path:
    """The deals ``where`` selects as a CSV file in ``folder`` with new keys, the columns of
    ``changed`` replaced by their expressions."""
    changed = {'"opportunity_id"': "opportunity_id || '-N'", **changed}
    select = columns_with("opportunities", changed)
    path = folder / "opportunities.csv"
    ws.duckdb.execute(
        f"COPY (SELECT {select} FROM opportunities WHERE {where}) TO {lit(str(path))} (HEADER)"
    )
    return path


def test_new_deals_leaving_the_leads_outcomes_keep_the_leads_and_engagement_rows(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    """New deals naming the leads of existing deals, with those deals' status (as bar P7's
    copies): every lead's outcome is the same, so the leads' kept rows hold; the engagement
    reads no deal (the recurring basis's customers at end come from the MRR alone), so its
    kept rows are read as they are."""
    ws = copy_demo(demo_build, tmp_path / "same")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    try:
        reviewed(ws)
        path = new_deals(
            ws, tmp_path, f"lead_id IS NOT NULL AND hash(opportunity_id) % {SPLIT} = 0", {}
        )
        for target in (ws, fresh):
            assert target.import_file("opportunities", path).rows_loaded > 0
        ws.close()
        ws = open_workspace(ws.root)
        got = reviewed(ws)
        assert f"unchanged {LEADS}" in ws.derived.built
        assert "periods engagement_scores" not in ws.derived.built, "engagement computed again"
        assert "added deals_by_rep_team_manager_region" in ws.derived.built
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_new_deals_changing_a_leads_outcome_compute_the_leads_again(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    """New won deals naming leads whose deal was lost: those leads are won now, so the leads'
    rows are computed again, and equal a fresh workspace's."""
    ws = copy_demo(demo_build, tmp_path / "won")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    try:
        reviewed(ws)
        path = new_deals(
            ws, tmp_path, "lead_id IS NOT NULL AND status = 'lost'", {'"status"': "'won'"}
        )
        for target in (ws, fresh):
            assert target.import_file("opportunities", path).rows_loaded > 0
        got = reviewed(ws)
        assert f"unchanged {LEADS}" not in ws.derived.built
        assert f"added {LEADS}" not in ws.derived.built
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_an_import_of_new_leads_adds_to_the_leads_rows(
    demo_build: DemoBuild, whole: Workspace, tmp_path: Path
) -> None:
    """Leads split off by a hash of their key and imported back: the leads' kept rows are added
    to (the new leads alone), equal those of the demo as built, and so does every metric."""
    ws = copy_demo(demo_build, tmp_path / "leads")
    path = tmp_path / "leads.csv"
    chosen = f"hash(lead_id) % {SPLIT} = 0"
    try:
        cols = ", ".join(f'"{c.name}"' for c in schema.table("leads").columns)
        ws.duckdb.execute(
            f"COPY (SELECT {cols} FROM leads WHERE {chosen}) TO {lit(str(path))} (HEADER)"
        )
        with ws.writing() as backend:
            backend.con.execute(f"DELETE FROM leads WHERE {chosen}")
            ws.wrote("leads")
        ws.derived.reset()
        reviewed(ws)
        before = set(kept_slots(ws, LEADS))
        assert ws.import_file("leads", path).rows_loaded > 0
        got = reviewed(ws)
        assert f"added {LEADS}" in ws.derived.built
        ref = reviewed(whole)
        (grown,) = (rows for slot, rows in kept_slots(ws, LEADS).items() if slot not in before)
        (computed,) = kept_slots(whole, LEADS).values()
        assert_same_rows(grown, computed)
        for case in CASES:
            assert differences(ref[case], got[case]) == [], case.id
    finally:
        ws.close()
