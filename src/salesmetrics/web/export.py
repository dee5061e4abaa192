"""A table of rows (a drill-down) as a CSV or XLSX download.

Both are safe to open in a spreadsheet: a text cell starting like a formula (``=``, ``+``,
``-``, ``@``, ...) is written with a leading apostrophe
(:func:`salesmetrics.reports.xlsx.safe_text`); numbers stay numbers (in the XLSX, numeric
cells; dates as ISO text in both).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import TYPE_CHECKING, Any

from salesmetrics.reports.xlsx import FORMULA_START, safe_text

if TYPE_CHECKING:
    import pandas as pd

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _plain(value: Any) -> Any:
    """A cell's value: None for a missing one, a number as int or float, a date as ISO text,
    anything else as safe text."""
    if value is None:
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, dt.datetime | dt.date):
        return None if value != value else value.isoformat()  # NaT is not equal to itself
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return None if value != value else safe_text(str(value))  # pandas' NA, NaN


def to_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents): text
    columns made safe column by column and written by Arrow's CSV writer (an export may hold
    hundreds of thousands of rows); timestamps as ``2025-01-31 12:00:00``."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype(str).where(values.notna(), None)
            risky = text.str.startswith(FORMULA_START, na=False)
            safe[column] = text.where(~risky, "'" + text)
    safe.columns = [safe_text(str(c)) for c in safe.columns]
    buffer = io.BytesIO()
    buffer.write("\ufeff".encode())
    table = pa.Table.from_pandas(safe, preserve_index=False)
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()


def to_xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """``frame`` as an XLSX workbook of one sheet named ``sheet``: a bold header row, numbers
    as numeric cells, text as text (never a formula), dates as ISO text. Written column by
    column, each column's values converted once."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    page = book.add_worksheet(sheet[:31] or "rows")
    bold = book.add_format({"bold": True})
    for c, name in enumerate(frame.columns):
        page.write_string(0, c, safe_text(str(name)), bold)
        for r, value in enumerate(_cells(frame[name]), start=1):
            if value is None:
                continue
            if isinstance(value, str):
                page.write_string(r, c, value)
            elif isinstance(value, bool):
                page.write_boolean(r, c, value)
            else:
                page.write_number(r, c, value)
    page.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _cells(values: pd.Series) -> list[Any]:
    """A column's cells: numbers (finite) or None for a numeric column, else :func:`_plain`."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return [None if v is None else bool(v) for v in values.astype(object).tolist()]
    if pd.api.types.is_numeric_dtype(values):
        return [v if v == v and not math.isinf(v) else None for v in values.tolist()]
    return [_plain(v) for v in values.tolist()]
