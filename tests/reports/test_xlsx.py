"""The XLSX pack: it reopens with a sheet per section, the engine's values as numbers with
formats, the components as columns, and text that cannot run as a formula."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.status import DataStatus
from salesmetrics.reports import ReviewPack, write_pack
from salesmetrics.reports.model import Column, Section, Table
from salesmetrics.reports.xlsx import safe_text
from tests.reports.conftest import PackFiles


@pytest.mark.slow
def test_the_workbook_has_a_sheet_per_section_and_the_engine_s_values(
    full_pack: ReviewPack, written: PackFiles, shared_demo: Workspace, quarter: str
) -> None:
    import openpyxl

    book = openpyxl.load_workbook(written[".xlsx"])
    assert book.sheetnames == ["Review", *(s.title for s in full_pack.sections)]
    sheet = book["Summary"]
    head = [c.value for c in sheet[4]]
    assert head[:3] == ["metric id", "Metric", "Value"]
    assert "won_amount" in head  # total revenue's components, as columns
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value}
    engine = {
        r["metric"]: r
        for r in shared_demo.metrics(["total_revenue", "win_rate"], period=quarter).rows()
    }
    revenue = rows["total_revenue"]
    assert isinstance(revenue[2].value, float)
    assert revenue[2].value == pytest.approx(engine["total_revenue"]["value"])
    assert revenue[2].number_format == "#,##0.00"
    assert revenue[head.index("won_amount")].value == pytest.approx(
        engine["total_revenue"]["components"]["won_amount"]
    )
    assert rows["win_rate"][2].value == pytest.approx(engine["win_rate"]["value"])
    assert rows["win_rate"][2].number_format == "0.0%"


def test_text_that_would_run_as_a_formula_is_quoted(tmp_path: Path) -> None:
    import openpyxl

    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("-5 deals") == "'-5 deals"
    assert safe_text("Acme") == "Acme"
    evil = ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\t=1", "plain"]
    table = Table(
        "t",
        "T",
        (Column("name", "Name"), Column("n", "N", "count")),
        [{"name": e, "n": i} for i, e in enumerate(evil)],
    )
    pack = ReviewPack(
        title="=cmd|' /C calc'!A0",
        cadence="quarterly",
        period="2025-Q4",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2026, 1, 1),
        lang="en",
        base_currency="USD",
        role=None,
        by=None,
        status=DataStatus(None, None, 0),
        summary=[],
        sections=[Section("s", "S", (table,))],
        generated=dt.datetime(2026, 1, 2),
    )
    out = write_pack(pack, tmp_path / "evil.xlsx")
    book = openpyxl.load_workbook(out)
    assert book["Review"]["A1"].value == "'=cmd|' /C calc'!A0"
    cells = [row[0] for row in book["S"].iter_rows(min_row=5, max_row=10)]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == ["'" + e if e != "plain" else e for e in evil]
    assert [row[1].value for row in book["S"].iter_rows(min_row=5, max_row=10)] == list(range(6))
