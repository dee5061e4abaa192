"""A table of rows (a drill-down) as a CSV or XLSX download.

Both are safe to open in a spreadsheet: a text cell starting like a formula (``=``, ``+``,
``-``, ``@``, ...) is written with a leading apostrophe
(:func:`salesmetrics.reports.xlsx.safe_text`); numbers stay numbers (in the XLSX, numeric
cells; dates as ISO text in both).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import TYPE_CHECKING, Any

from salesmetrics.reports.xlsx import safe_text

if TYPE_CHECKING:
    import pandas as pd

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _plain(value: Any) -> Any:
    """A cell's value: None for a missing one, a number as int or float, a date as ISO text,
    anything else as safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if _missing(value):
        return None
    return safe_text(str(value))


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_text(str(c)) for c in frame.columns])
    for record in frame.itertuples(index=False):
        writer.writerow("" if (v := _plain(x)) is None else v for x in record)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """``frame`` as an XLSX workbook of one sheet named ``sheet``: a bold header row, numbers
    as numeric cells, text as text (never a formula)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    page = book.add_worksheet(sheet[:31] or "rows")
    bold = book.add_format({"bold": True})
    for c, name in enumerate(frame.columns):
        page.write_string(0, c, safe_text(str(name)), bold)
    for r, record in enumerate(frame.itertuples(index=False), start=1):
        for c, raw in enumerate(record):
            value = _plain(raw)
            if value is None:
                continue
            if isinstance(value, bool):
                page.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                if math.isfinite(value):
                    page.write_number(r, c, value)
            else:
                page.write_string(r, c, value)
    page.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
