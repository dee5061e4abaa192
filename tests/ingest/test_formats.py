"""Every file format: XLSX (made with openpyxl here), Parquet, JSON lines; unknown extensions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesmetrics import UserError, Workspace
from tests.ingest.conftest import rejects, rows, write


def make_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    first = True
    for name, data in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = name
        first = False
        for row in data:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx(ws: Workspace, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "deals.xlsx",
        {
            "Deals": [
                ["Opportunity ID", "Stage", "Amount", "Close Date", "Probability", "Notes"],
                ["o1", "Closed Won", 1234.56, dt.datetime(2024, 1, 31), 90, "first"],
                ["o2", "Prospecting", 1000, dt.date(2024, 2, 29), 20, None],
                [None, None, None, None, None, None],  # an empty row
                ["o3", "Closed Won", "n/a", "2024-03-01", 50, 7],
                ["o4", "Closed Lost", 0.1 + 0.2, None, None, None],
            ],
            "Other": [["x"], [1]],
        },
    )
    result = ws.import_file("opportunities", path)
    assert result.details["sheet"] == "Deals"
    assert result.unmapped_columns == ("Notes",)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    assert rows(ws, "opportunities", "opportunity_id, status, amount, close_date") == [
        ("o1", "won", Decimal("1234.56"), dt.date(2024, 1, 31)),
        ("o2", "open", Decimal("1000"), dt.date(2024, 2, 29)),
        ("o4", "lost", Decimal("0.3"), None),
    ]
    # 90, 20 and 50 are above 1: the column is read as percentages
    assert rows(ws, "opportunities", "probability", "opportunity_id") == [(0.9,), (0.2,), (None,)]
    assert rejects(ws) == [(5, "amount", "n/a", rejects(ws)[0][3])]  # sheet row 5


def test_xlsx_sheet_option(ws: Workspace, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "book.xlsx",
        {
            "Summary": [["nothing"]],
            "Leads": [[None], ["lead_id", "created_at"], ["L1", dt.datetime(2024, 5, 1, 9, 30)]],
        },
    )
    result = ws.import_file("leads", path, sheet="leads")
    assert result.details["sheet"] == "Leads"
    assert rows(ws, "leads", "lead_id, created_at") == [("L1", dt.datetime(2024, 5, 1, 9, 30))]
    ws.import_file("leads", path, sheet="2")  # by number
    with pytest.raises(
        UserError, match=r"--sheet 'Deals': .* no such sheet; sheets: Summary, Leads"
    ):
        ws.import_file("leads", path, sheet="Deals")


def test_xlsx_cells_beyond_the_header(ws: Workspace, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "leads.xlsx",
        {
            "S": [
                ["lead_id", "created_at"],
                ["L1", "2024-01-01", None, "stray"],
                ["L2", "2024-01-02"],
            ]
        },
    )
    result = ws.import_file("leads", path)
    assert result.unmapped_columns == ("column_3", "column_4")
    assert ws.count("leads") == 2


def test_xlsx_empty_sheet_and_bad_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is empty"):
        ws.import_file("leads", make_xlsx(tmp_path / "e.xlsx", {"S": []}))
    with pytest.raises(UserError, match=r"not a readable \.xlsx workbook"):
        ws.import_file("leads", write(tmp_path / "bad.xlsx", b"not a zip"))


def test_sheet_option_needs_xlsx(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id,created_at\nL1,2024-01-01\n")
    with pytest.raises(UserError, match=r"is not an \.xlsx workbook"):
        ws.import_file("leads", path, sheet="x")


def test_parquet_typed_and_text(ws: Workspace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "line_id": ["i1", "i2", "i3"],
            "account_id": ["a1", "a1", None],
            "invoice_date": pa.array(
                [dt.date(2024, 1, 31), dt.date(2024, 2, 1), dt.date(2024, 2, 2)]
            ),
            "amount": pa.array(
                [Decimal("10.50"), Decimal("-2.25"), Decimal("1")], pa.decimal128(10, 2)
            ),
            "is_recurring": [True, False, None],
            "service_start": ["2024-01-01", "garbage", None],
            "extra": [1, 2, 3],
        }
    )
    path = tmp_path / "lines.parquet"
    pq.write_table(table, path)
    result = ws.import_file("invoice_lines", path)
    assert result.unmapped_columns == ("extra",)
    assert rows(ws, "invoice_lines", "line_id, amount, is_recurring, service_start") == [
        ("i1", Decimal("10.5"), True, dt.date(2024, 1, 1)),
    ]
    assert [(r, c, v) for r, c, v, _ in rejects(ws)] == [
        (2, "service_start", "garbage"),
        (3, "account_id", None),
    ]


def test_parquet_timestamps(ws: Workspace, tmp_path: Path) -> None:
    ws.config.timezone = "Asia/Jakarta"
    naive = pa.array([dt.datetime(2024, 1, 1, 10, 0)], pa.timestamp("us"))
    aware = pa.array([dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.UTC)], pa.timestamp("us", tz="UTC"))
    pq.write_table(
        pa.table({"lead_id": ["L1"], "created_at": naive, "qualified_at": aware}),
        tmp_path / "l.parquet",
    )
    ws.import_file("leads", tmp_path / "l.parquet")
    assert rows(ws, "leads", "created_at, qualified_at") == [
        (dt.datetime(2024, 1, 1, 3, 0), dt.datetime(2024, 1, 1, 10, 0)),
    ]


def test_bad_parquet(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a readable Parquet file"):
        ws.import_file("leads", write(tmp_path / "x.parquet", b"PAR1garbage"))


def test_jsonl(ws: Workspace, tmp_path: Path) -> None:
    text = "\n".join(
        [
            '{"lead_id": "L1", "created_at": "2024-01-01", "score": 12.5, "meta": {"a": 1}}',
            '{"lead_id": "L2", "created_at": "2024-01-02", "score": "x"}',
            "",
            "not json",
            "[1, 2]",
            '{"lead_id": "L3", "created_at": "2024-01-03", "source": "web", "score": null}',
            '{"lead_id": "L4", "created_at": "2024-01-04", "status": true}',
        ]
    )
    result = ws.import_file("leads", write(tmp_path / "leads.jsonl", text + "\n"))
    assert result.unmapped_columns == ("meta",)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 3, 3)
    assert rows(ws, "leads", "lead_id, source, score, status_raw") == [
        ("L1", None, 12.5, None),
        ("L3", "web", None, None),
        ("L4", None, None, "true"),
    ]
    assert [(r, c, v, reason) for r, c, v, reason in rejects(ws)] == [
        (2, "score", "x", "not a finite number"),
        (4, "*", "not json", "not valid JSON"),
        (5, "*", "[1, 2]", "not a JSON object"),
    ]


def test_json_array_is_refused(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="a JSON array, not JSON lines"):
        ws.import_file("leads", write(tmp_path / "leads.json", '[{"lead_id": "L1"}]'))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("leads.xls", r"save it as \.xlsx"),
        ("leads.pdf", "unknown file type '.pdf'"),
        ("leads", "unknown file type '\\(no extension\\)'"),
    ],
)
def test_unknown_extension(ws: Workspace, tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        ws.import_file("leads", write(tmp_path / name, "lead_id\nL1\n"))


def test_missing_file_and_folder(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"nope\.csv: no such file"):
        ws.import_file("leads", tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UserError, match="not a file"):
        ws.import_file("leads", tmp_path / "dir.csv")
