"""A pack as an XLSX workbook: a cover sheet and one sheet per section, numbers written as
numbers with number formats (money in the base currency, ratios as percentages), each metric's
components as columns beside its value so finance can audit it, and every text cell safe from
formula injection."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesmetrics.reports.model import Chart, Paragraph, Table

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from salesmetrics.reports.model import ReviewPack

#: Text starting with one of these is read as a formula by spreadsheet programs (and ``\t``,
#: ``\r`` hide a leading one); such text is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")
#: Excel's number formats by unit.
NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "money_per_day": "#,##0.00",
    "ratio": "0.0%",
    "count": "#,##0",
    "days": "#,##0.0",
    "months": "#,##0.0",
    "years": "#,##0.0",
    "score": "#,##0.0",
    "number": "#,##0.00",
}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet cannot run it: a leading ``=``, ``+``, ``-``, ``@`` (...) gets
    an apostrophe before it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


class _Writer:
    def __init__(self, book: Workbook, currency: str) -> None:
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.head = book.add_format({"bold": True, "bg_color": "#EEF2F7", "text_wrap": True})
        self.text = book.add_format({"text_wrap": False})
        self.formats: dict[str, Format] = {
            unit: book.add_format({"num_format": fmt}) for unit, fmt in NUMBER_FORMATS.items()
        }
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.currency = currency

    def cell(self, sheet: Worksheet, r: int, c: int, value: Any, unit: str | None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            sheet.write_blank(r, c, None)
        elif isinstance(value, bool):
            sheet.write_boolean(r, c, value)
        elif isinstance(value, int | float):
            sheet.write_number(r, c, value, self.formats.get(unit or "", self.formats["number"]))
        else:
            sheet.write_string(r, c, safe_text(str(value)))


def _unit(column_kind: str, row: dict[str, Any]) -> str | None:
    if column_kind in ("value", "change"):
        return row.get("unit")
    return column_kind if column_kind in NUMBER_FORMATS else None


def _write_table(w: _Writer, sheet: Worksheet, r: int, table: Table) -> int:
    """``table`` from row ``r`` (title, headings, rows, component columns); the next free row."""
    sheet.write_string(r, 0, safe_text(table.title), w.bold)
    r += 1
    comp_keys: list[str] = []
    if table.components:
        seen: dict[str, None] = {}
        for row in table.rows:
            for k in row.get("components") or {}:
                seen.setdefault(k, None)
        comp_keys = list(seen)
    headings = [c.label for c in table.columns]
    with_ids = table.components and any("metric" in row for row in table.rows)
    if with_ids:
        headings = ["metric id", *headings]
    if table.components:
        headings += ["unit", *comp_keys]
    for c, h in enumerate(headings):
        sheet.write_string(r, c, safe_text(h), w.head)
    r += 1
    for row in table.rows:
        c = 0
        if with_ids:
            w.cell(sheet, r, c, row.get("metric"), None)
            c += 1
        for col in table.columns:
            value = row.get(col.key)
            if col.kind == "status":
                value = value.replace("_", " ") if isinstance(value, str) else value
            w.cell(sheet, r, c, value, _unit(col.kind, row))
            c += 1
        if table.components:
            w.cell(sheet, r, c, row.get("unit"), None)
            c += 1
            comps = row.get("components") or {}
            for k in comp_keys:
                value = comps.get(k)
                w.cell(sheet, r, c, value, "count" if isinstance(value, int) else "number")
                c += 1
        r += 1
    if table.caption:
        sheet.write_string(r, 0, safe_text(table.caption))
        r += 1
    return r + 1


def write_xlsx(pack: ReviewPack, out: Path) -> None:
    """Write ``pack`` as a workbook in ``out``."""
    import xlsxwriter

    fmt = pack.formats
    book = xlsxwriter.Workbook(str(out), {"nan_inf_to_errors": False})
    try:
        w = _Writer(book, pack.base_currency)
        used: set[str] = set()
        cover = book.add_worksheet(_sheet_name(fmt.word("review").capitalize(), used))
        cover.write_string(0, 0, safe_text(pack.title), w.title)
        facts: list[tuple[str, Any]] = [
            (fmt.word("period"), pack.period),
            (
                fmt.word("last_event"),
                pack.status.last_event.isoformat() if pack.status.last_event else None,
            ),
            (
                fmt.word("last_import"),
                pack.status.last_import.isoformat(sep=" ") if pack.status.last_import else None,
            ),
            (fmt.word("imports"), pack.status.imports),
            (fmt.word("base_currency"), pack.base_currency),
            (fmt.word("prepared"), pack.generated.isoformat(sep=" ")),
        ]
        for i, (label, value) in enumerate(facts, 2):
            cover.write_string(i, 0, safe_text(label), w.bold)
            w.cell(cover, i, 1, value, "count" if isinstance(value, int) else None)
        cover.set_column(0, 0, 30)
        cover.set_column(1, 1, 28)
        for section in pack.sections:
            sheet = book.add_worksheet(_sheet_name(section.title, used))
            sheet.write_string(0, 0, safe_text(section.title), w.title)
            r = 2
            for block in section.blocks:
                if isinstance(block, Table):
                    r = _write_table(w, sheet, r, block)
                elif isinstance(block, Paragraph):
                    sheet.write_string(r, 0, safe_text(block.text))
                    r += 2
                elif isinstance(block, Chart):
                    continue  # the values of every chart are in the section's tables
            sheet.set_column(0, 1, 24)
            sheet.set_column(2, 40, 14)
            sheet.freeze_panes(2, 0)
    finally:
        book.close()
