"""Batches: quarantine rows, duplicates, idempotent re-imports, derived keys, the raw copy, the
import log, dry runs, atomicity, and the Arrow bulk path."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from salesmetrics import UserError, Workspace
from salesmetrics.ingest import ImportResult, load_arrow
from salesmetrics.ingest import store as store_module
from salesmetrics.ingest.importer import recover_raw_copies
from salesmetrics.ingest.store import DuckDBStore
from tests.ingest.conftest import rejects, rows, snapshot, write

OPPS = (
    "opportunity_id,stage,amount,close_date,notes\n"
    "o1,Closed Won,100,2024-01-31,a\n"
    "o2,Closed Won,,2024-02-01,b\n"  # won without amount
    "o3,Prospecting,abc,2024-02-30,c\n"  # two problems
    "o1,Closed Won,150,2024-02-15,d\n"  # supersedes row 2
    "o4,Negotiation,50,,e\n"
)


def test_quarantine_contents(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", OPPS)
    result = ws.import_file("opportunities", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.issues) == (
        5,
        2,
        3,
        4,
    )
    stored = rows(
        ws, "_quarantine", 'batch_id, table_name, file, "row", "column", "value", reason', "4, 5"
    )
    assert stored == [
        (
            result.batch_id,
            "opportunities",
            str(path),
            2,
            "opportunity_id",
            "o1",
            "duplicate key in file, superseded by row 5",
        ),
        (
            result.batch_id,
            "opportunities",
            str(path),
            3,
            "amount",
            None,
            "amount is required when status is won",
        ),
        (
            result.batch_id,
            "opportunities",
            str(path),
            4,
            "amount",
            "abc",
            "not a number (e.g. 1234.56; use --decimal , for 1.234,56)",
        ),
        (
            result.batch_id,
            "opportunities",
            str(path),
            4,
            "close_date",
            "2024-02-30",
            "not a date (expected YYYY-MM-DD; see --date-format)",
        ),
    ]
    assert rows(ws, "opportunities", "opportunity_id, amount, close_date") == [
        ("o1", Decimal("150"), dt.date(2024, 2, 15)),
        ("o4", Decimal("50"), None),
    ]
    assert result.sample_rejects[0] == (
        2,
        "opportunity_id",
        "o1",
        "duplicate key in file, superseded by row 5",
    )


def test_duplicates_with_a_compound_key(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "rep_id,period_start,period_end,amount\n"
        "r1,2024-01-01,2024-03-31,100\n"
        "r1,2024-01-01,2024-03-31,120\n"
        "r1,2024-04-01,2024-06-30,90\n"
    )
    ws.import_file("quotas", write(tmp_path / "q.csv", text))
    assert rows(ws, "quotas", "period_start, amount") == [
        (dt.date(2024, 1, 1), Decimal("120")),
        (dt.date(2024, 4, 1), Decimal("90")),
    ]
    [(row, column, value, reason)] = rejects(ws)
    assert (row, column, value) == (
        2,
        "rep_id, period_start, period_end",
        "r1, 2024-01-01, 2024-03-31",
    )
    assert reason == "duplicate key in file, superseded by row 3"


def test_an_invalid_later_row_does_not_hide_a_valid_one(ws: Workspace, tmp_path: Path) -> None:
    text = "lead_id,created_at\nL1,2024-01-01\nL1,bad\n"
    ws.import_file("leads", write(tmp_path / "l.csv", text))
    assert rows(ws, "leads", "lead_id, created_at") == [("L1", dt.datetime(2024, 1, 1))]
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [(3, "created_at")]


def test_reimport_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", OPPS)
    first = ws.import_file("opportunities", path)
    before = snapshot(ws)
    raw_before = sorted(p.name for p in (ws.root / "raw").iterdir())
    second = ws.import_file("opportunities", path)
    assert second.already_imported == first.batch_id
    assert not second.written
    assert "already imported into opportunities as batch" in second.summary_lines()[0]
    assert snapshot(ws) == before  # same rows, same values, same batch ids, same log
    assert sorted(p.name for p in (ws.root / "raw").iterdir()) == raw_before
    assert (second.rows_loaded, second.rows_rejected) == (first.rows_loaded, first.rows_rejected)


def test_reimport_with_other_options_is_a_new_batch(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "reps.csv", "rep_id,hired_on\nr1,01/02/2024\n")
    first = ws.import_file("reps", path)
    assert first.rows_loaded == 0
    second = ws.import_file("reps", path, date_format="%d/%m/%Y")
    assert second.written and second.rows_loaded == 1
    assert rows(ws, "reps", "hired_on, _batch_id") == [(dt.date(2024, 2, 1), second.batch_id)]


def test_reimport_after_a_later_batch_restores_the_rows(ws: Workspace, tmp_path: Path) -> None:
    old = write(tmp_path / "v1.csv", "lead_id,created_at,source\nL1,2024-01-01,web\n")
    new = write(
        tmp_path / "v2.csv", "lead_id,created_at,source\nL1,2024-01-01,paid\nL2,2024-01-02,web\n"
    )
    ws.import_file("leads", old)
    ws.import_file("leads", new)
    again = ws.import_file("leads", old)
    assert again.written
    assert rows(ws, "leads", "lead_id, source") == [("L1", "web"), ("L2", "web")]


def test_reimport_that_rejects_more_reports_the_rejects(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", "opportunity_id,stage,status\no1,a,Lost It\no2,a,\n")
    first = ws.import_file("opportunities", path, value_map=["status:Lost It=lost"])
    assert (first.rows_loaded, first.rows_rejected) == (2, 0)
    # The same bytes without the value map: o1's status is rejected now. Its stored row is
    # unchanged, but the import says so instead of "already imported; nothing changed".
    second = ws.import_file("opportunities", path)
    assert second.already_imported is None and second.written
    assert (second.rows_loaded, second.rows_rejected) == (1, 1)
    assert [(r, c, v) for r, c, v, _ in rejects(ws)] == [(2, "status", "Lost It")]
    assert "1 rejected rows (1 problems) are in the quarantine" in "\n".join(second.summary_lines())
    # Once those rejects are on record, the same import again changes nothing.
    third = ws.import_file("opportunities", path)
    assert third.already_imported == second.batch_id


def test_upsert_replaces_whole_rows(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file(
        "leads", write(tmp_path / "a.csv", "lead_id,created_at,source\nL1,2024-01-01,web\n")
    )
    result = ws.import_file(
        "leads", write(tmp_path / "b.csv", "lead_id,created_at\nL1,2024-01-05\n")
    )
    assert rows(ws, "leads", "lead_id, created_at, source, _batch_id") == [
        ("L1", dt.datetime(2024, 1, 5), None, result.batch_id)
    ]


def test_derived_keys_are_stable(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "account_id,invoice_date,amount\n"
        "a1,2024-01-31,100\n"
        "a1,2024-01-31,100\n"  # an identical line: a second occurrence, not a duplicate
        "a2,2024-01-31,100\n"
    )
    path = write(tmp_path / "lines.csv", text)
    ws.import_file("invoice_lines", path)
    keys = rows(ws, "invoice_lines", "line_id, account_id")
    assert len(keys) == 3 and all(k.startswith("auto-") for k, _ in keys)
    assert sorted(k.rsplit("-", 1)[1] for k, a in keys if a == "a1") == ["1", "2"]
    # The same data written differently (other formatting, other order) gets the same keys.
    other = write(
        tmp_path / "other.csv",
        "amount,invoice_date,account_id\n100.00,2024-01-31,a2\n$100,2024-01-31,a1\n100,2024-01-31,a1\n",
    )
    result = ws.import_file("invoice_lines", other)
    assert rows(ws, "invoice_lines", "line_id, account_id") == keys
    assert result.written  # a different file: written, but onto the same keys


def test_derived_keys_are_said_in_the_summary(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "lines.csv", "account_id,invoice_date,amount\na1,2024-01-31,100\n")
    result = ws.import_file("invoice_lines", path)
    note = (
        "note: the file has no line_id column: each row's line_id is derived from its content,"
        " so a corrected row is added as a new row, not replacing the old one"
    )
    assert any(line.startswith(note) for line in result.summary_lines())
    assert "--map line_id=COLUMN" in result.summary_lines()[-1]
    # ... which is what happens: the corrected amount is a second line, not a replacement.
    fixed = write(tmp_path / "fixed.csv", "account_id,invoice_date,amount\na1,2024-01-31,110\n")
    ws.import_file("invoice_lines", fixed)
    assert len(rows(ws, "invoice_lines")) == 2
    with_ids = write(
        tmp_path / "ids.csv", "line_id,account_id,invoice_date,amount\nx,a1,2024-01-31,1\n"
    )
    assert not any("derived" in w for w in ws.import_file("invoice_lines", with_ids).warnings)


def test_unmapped_columns_and_raw_copy(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", OPPS)
    result = ws.import_file("opportunities", path)
    assert result.unmapped_columns == ("notes",)
    assert result.raw_copy == f"raw/{result.batch_id}.csv"
    assert (ws.root / result.raw_copy).read_bytes() == path.read_bytes()
    assert "unmapped columns (kept in raw/" in "\n".join(result.summary_lines())


def test_import_log(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", OPPS)
    result = ws.import_file("opportunities", path)
    [log] = rows(ws, "_import_log")
    (batch, table, file, file_hash, read, loaded, rejected, unmapped, raw, started, finished) = log[
        :11
    ]
    assert log[11] is None  # derived_key: the file has its key
    assert (batch, table, file, read, loaded, rejected, unmapped, raw) == (
        result.batch_id,
        "opportunities",
        str(path),
        5,
        2,
        3,
        "notes",
        result.raw_copy,
    )
    import hashlib

    assert file_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert started <= finished
    assert rows(ws, "opportunities", "DISTINCT _batch_id") == [(batch,)]
    loaded_at = rows(ws, "opportunities", "DISTINCT _loaded_at")
    assert loaded_at == [(finished,)]


def test_dry_run_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    before = snapshot(ws)
    result = ws.import_file("opportunities", write(tmp_path / "deals.csv", OPPS), dry_run=True)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 2, 3)
    assert result.dry_run and not result.written
    assert snapshot(ws) == before
    assert not (ws.root / "raw").exists()
    text = "\n".join(result.summary_lines())
    assert "would load 2" in text and "dry run: nothing was written" in text
    assert "row 3, column amount" in text


def test_a_failure_inside_the_transaction_leaves_nothing(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.import_file("leads", write(tmp_path / "a.csv", "lead_id,created_at\nL0,2024-01-01\n"))
    before = snapshot(ws)
    raw_before = sorted((ws.root / "raw").iterdir())

    def boom(seconds: float) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setenv(store_module.PAUSE_ENV, str(tmp_path / "marker"))
    # the store's own reference to the time module only: Spark's py4j threads sleep too
    monkeypatch.setattr(store_module, "time", types.SimpleNamespace(sleep=boom))
    text = "lead_id,created_at\nL0,2024-02-02\nL1,2024-01-01\nL2,bad\n"
    with pytest.raises(RuntimeError, match="disk on fire"):
        ws.import_file("leads", write(tmp_path / "b.csv", text))
    assert (tmp_path / "marker").exists()  # every row had been written in the transaction
    assert snapshot(ws) == before
    assert sorted((ws.root / "raw").iterdir()) == raw_before


def test_leftover_raw_copies_are_recovered(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file(
        "leads", write(tmp_path / "a.csv", "lead_id,created_at\nL0,2024-01-01\n")
    )
    raw = ws.root / "raw"
    committed = raw / f"{result.batch_id}.csv"
    committed.rename(raw / f"{result.batch_id}.csv.partial")  # killed after COMMIT, before rename
    (raw / "20000101-000000-abcdef.csv.partial").write_text("never committed")
    recover_raw_copies(DuckDBStore(ws))
    assert sorted(p.name for p in raw.iterdir()) == [committed.name]


# -- the Arrow bulk path ---------------------------------------------------------------------


def test_load_arrow_typed(ws: Workspace) -> None:
    data = pa.table(
        {
            "opportunity_id": ["o1", "o2", "o3", "o1"],
            "stage": ["Closed Won", "Prospecting", "Closed Won", "Closed Lost"],
            "amount": pa.array([Decimal("10.5"), None, None, Decimal("3")], pa.decimal128(12, 2)),
            "probability": [1.0, 0.25, 1.0, 0.0],
            "created_at": pa.array(
                [dt.datetime(2024, 1, 1, 9), None, None, dt.datetime(2024, 1, 2)],
                pa.timestamp("us"),
            ),
            "close_date": pa.array([dt.date(2024, 3, 1)] * 4),
        }
    )
    result = load_arrow(ws, "opportunities", data, source="demo:test")
    assert isinstance(result, ImportResult)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 2, 2)
    assert rows(ws, "opportunities", "opportunity_id, status, amount, currency, probability") == [
        ("o1", "lost", Decimal("3"), "USD", 0.0),
        ("o2", "open", None, "USD", 0.25),
    ]
    assert rejects(ws) == [
        (1, "opportunity_id", "o1", "duplicate key in file, superseded by row 4"),
        (3, "amount", None, "amount is required when status is won"),
    ]
    assert rows(ws, "_import_log", "file, raw_copy, file_hash") == [("demo:test", None, None)]


def test_load_arrow_streams_record_batches(ws: Workspace) -> None:
    schema = pa.schema(
        [("lead_id", pa.string()), ("created_at", pa.string()), ("score", pa.float64())]
    )

    def batches() -> Iterator[pa.RecordBatch]:
        for b in range(5):
            ids = [f"L{b}-{i}" for i in range(1000)]
            created = ["2024-01-01 10:00"] * 999 + ["not a time"]
            yield pa.record_batch([ids, created, [float(i) for i in range(1000)]], schema=schema)

    result = load_arrow(ws, "leads", batches(), source="gen")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5000, 4995, 5)
    assert [r for r, _, _, _ in rejects(ws)] == [1000, 2000, 3000, 4000, 5000]


def test_load_arrow_errors(ws: Workspace) -> None:
    with pytest.raises(UserError, match="gen: notes is not a column of table leads"):
        load_arrow(
            ws,
            "leads",
            pa.table({"lead_id": ["L1"], "created_at": ["2024-01-01"], "notes": ["x"]}),
            source="gen",
        )
    with pytest.raises(UserError, match="required column 'created_at'"):
        load_arrow(ws, "leads", pa.table({"lead_id": ["L1"]}), source="gen")
    with pytest.raises(UserError, match="unknown table"):
        load_arrow(ws, "nope", pa.table({"a": [1]}), source="gen")
    assert ws.count("_import_log") == 0


def test_load_arrow_empty(ws: Workspace) -> None:
    result = load_arrow(ws, "leads", iter([]), source="gen")
    assert (result.rows_read, result.written) == (0, False)
    empty = pa.table(
        {"lead_id": pa.array([], pa.string()), "created_at": pa.array([], pa.string())}
    )
    assert load_arrow(ws, "leads", empty, source="gen").rows_read == 0
    assert ws.count("leads") == 0
