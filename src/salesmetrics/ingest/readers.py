"""Readers: each turns one source into a relation of the engine with one column per source column.

The relation is either read lazily by the conversion query (CSV/TSV through DuckDB's
``read_csv``, Parquet through ``read_parquet``) or staged into a temporary table first (XLSX rows
from openpyxl, JSON lines, Arrow data). Every cell of a text format stays text: conversion and
validation happen afterwards, in SQL (see :mod:`salesmetrics.ingest.validate`).

File row numbers (for the quarantine) follow what a spreadsheet shows: the header is row 1 and
the first data row is row 2; a quoted cell spanning several lines is one row; blank lines count.
JSON lines are numbered by line, Parquet rows from 1, XLSX rows by their sheet row.

CSV reading: the delimiter and the encoding are sniffed (:mod:`salesmetrics.ingest.textfile`),
then DuckDB reads every column as text with explicit options, padding short rows with empty
cells, and stores malformed lines (too many fields, a stray or unterminated quote, invalid UTF-8)
in a rejects table: they are quarantined as whole rows (column ``*``) instead of failing the file.
DuckDB's parallel reader cannot pad short rows in a file that also has line breaks inside quoted
cells; such a file is read again without padding, and its short rows are quarantined.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from salesmetrics.errors import UserError
from salesmetrics.ingest import textfile
from salesmetrics.ingest.options import ImportOptions
from salesmetrics.ingest.sql import ident
from salesmetrics.ingest.store import Store, user_error

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
MAX_VALUE_SHOWN = 1000
#: The most columns a source may have. Far above any export of the canonical tables (the widest
#: has a few dozen columns): a file wider than this is refused before it is read, at once,
#: instead of costing minutes and all the memory (the conversion query has a term per column).
MAX_COLUMNS = 2000
BATCH_ROWS = 50_000
_REJECT_REASONS = {
    "TOO MANY COLUMNS": "malformed row: more fields than the header",
    "MISSING COLUMNS": "malformed row: fewer fields than the header",
    "UNQUOTED VALUE": "malformed row: a stray or unterminated quote (the rest of this row, and of"
    " the file if the quote is never closed, could not be read)",
    "INVALID ENCODING": "malformed row: bytes that are not valid UTF-8",
    "LINE SIZE OVER MAXIMUM": "malformed row: longer than the maximum row size",
}


@dataclass
class Source:
    """One source, ready to be converted: a relation and what is known about its rows."""

    label: str
    format: str
    relation: str
    """FROM-clause SQL: a temporary table, or a table function reading the file."""
    params: dict[str, Any]
    headers: list[str]
    """Source column names as shown to the user (duplicates renamed, blanks named)."""
    exprs: dict[str, tuple[str, str]]
    """Header -> (SQL expression over :attr:`relation`, DuckDB type)."""
    file_hash: str | None = None
    has_header_row: bool = False
    """The relation's first row is the header (a CSV read as data)."""
    row_expr: str | None = None
    """Column of :attr:`relation` giving the file row number (else numbered by position)."""
    row_error: tuple[str, str] | None = None
    blank_lines: Callable[[int], list[int]] = field(default=lambda accounted: [])
    """Row numbers of blank lines, which the relation skips, given how many rows it accounts
    for (rows produced plus malformed rows)."""
    rejects: str | None = None
    """DuckDB rejects table of the read, filled once :attr:`relation` has been scanned."""
    retry: Callable[[str], Source | None] | None = None
    """Given DuckDB's error while reading, another way to read the same file, or None."""
    temp_relations: list[str] = field(default_factory=list)
    temp_files: list[Path] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def malformed_sql(self) -> str | None:
        """SELECT of (row, column, value, reason) for rows the reader could not parse."""
        if self.rejects is None:
            return None
        cases = " ".join(
            f"WHEN '{k}' THEN '{v}'"
            for k, v in _REJECT_REASONS.items()  # constants of this module
        )
        reason = f"CASE CAST(error_type AS VARCHAR) {cases} ELSE 'malformed row' END"
        return (
            'SELECT CAST(line AS BIGINT) AS "row", \'*\' AS "column",'
            f' left(first(csv_line), {MAX_VALUE_SHOWN}) AS "value",'
            f" string_agg(DISTINCT {reason} || ' (' || error_message || ')', '; ') AS \"reason\""
            f" FROM {ident(self.rejects)} GROUP BY line"
        )

    def close(self, store: Store) -> None:
        """Drop staged relations and remove temporary files."""
        store.drop(self.temp_relations)
        for path in self.temp_files:
            path.unlink(missing_ok=True)


def detect_format(path: Path) -> str:
    """The format of ``path`` from its extension; a one-line error for unknown ones."""
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix == ".xls":
        raise UserError(f"{path}: old .xls workbooks are not supported; save it as .xlsx")
    known = ", ".join(sorted(FORMATS))
    raise UserError(f"{path}: unknown file type {suffix or '(no extension)'!r}; supported: {known}")


def clean_headers(cells: Iterable[object]) -> tuple[list[str], list[str]]:
    """Header names: trimmed, blanks named ``column_N``, duplicates renamed; plus warnings."""
    names: list[str] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, 1):
        name = ("" if cell is None else str(cell)).strip().strip("\ufeff").strip()
        if not name:
            name = f"column_{i}"
        key = name.lower()
        if key in seen:
            seen[key] += 1
            renamed = f"{name} ({seen[key]})"
            warnings.append(
                f"duplicate column {name!r}: column {i} is read as {renamed!r} (the first one is"
                " used for mapping)"
            )
            name = renamed
        else:
            seen[key] = 1
        names.append(name)
    return names, warnings


def check_width(count: int, label: str) -> None:
    """A one-line error for a source with more than :data:`MAX_COLUMNS` columns."""
    if count > MAX_COLUMNS:
        raise UserError(
            f"{label}: {count:,} columns, more than the limit of {MAX_COLUMNS:,}; keep only the"
            " columns to import (a canonical table has a few dozen)"
        )


def shown_path(label: str, limit: int = 200) -> str:
    """``label`` shortened for a message (a hostile path can be thousands of characters)."""
    return label if len(label) <= limit else label[: limit // 2] + "…" + label[-limit // 2 :]


def check_path(path: Path, label: str) -> None:
    """One-line errors for a path that is missing, not a file, or cannot be looked up (too
    long, say)."""
    try:
        exists, is_file = path.exists(), path.is_file()
    except OSError as err:
        reason = (err.strerror or type(err).__name__).lower()
        raise UserError(f"{shown_path(label)}: {reason}") from None
    if not exists:
        raise UserError(f"{shown_path(label)}: no such file")
    if not is_file:
        raise UserError(f"{shown_path(label)}: not a file")


def open_source(
    store: Store,
    path: Path,
    options: ImportOptions,
    label: str,
    advance: textfile.Advance | None = None,
) -> Source:
    """Prepare ``path`` for conversion (sniffing, transcoding or staging as needed);
    ``advance`` is called with the number of bytes of each chunk hashed."""
    check_path(path, label)
    fmt = detect_format(path)
    if options.sheet is not None and fmt != "xlsx":
        raise UserError(f"--sheet {options.sheet!r}: {label} is not an .xlsx workbook")
    if path.stat().st_size == 0:
        raise UserError(f"{label}: the file is empty")
    if fmt in ("csv", "tsv"):
        return _open_csv(store, path, options, label, fmt, advance)
    if fmt == "xlsx":
        return _open_xlsx(store, path, options, label)
    if fmt == "parquet":
        return _open_parquet(store, path, label)
    return _open_jsonl(store, path, options, label, advance)


# -- CSV / TSV ----------------------------------------------------------------------------------


def _read_csv_call(
    store: Store, path: Path, delimiter: str, width: int, pad: bool
) -> tuple[str, str, dict[str, Any]]:
    rejects = store.temp_name("rejects")
    scan = store.temp_name("rejects_scan")
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    call = (
        "read_csv($rpath, header = false, all_varchar = true, auto_detect = false,"
        f" delim = $rdelim, quote = '\"', escape = '\"', columns = {columns},"
        f" null_padding = {'true' if pad else 'false'}, parallel = true, store_rejects = true,"
        f" rejects_table = '{rejects}', rejects_scan = '{scan}', max_line_size = 16777216)"
    )
    return call, rejects, {"rpath": str(path), "rdelim": delimiter} | {"_scan": scan}


def _open_csv(
    store: Store,
    path: Path,
    options: ImportOptions,
    label: str,
    fmt: str,
    advance: textfile.Advance | None,
) -> Source:
    info = textfile.scan(path, options.encoding, advance)
    details = {"format": fmt, "encoding": info.encoding}
    warnings = list(info.notes)
    readable = path
    temp_files: list[Path] = []
    if info.needs_transcoding:
        readable = textfile.transcode(path, info)
        temp_files.append(readable)
        details["encoding"] = info.encoding
    preferred = options.delimiter or ("\t" if fmt == "tsv" else None)
    delimiter, header_cells = textfile.sniff(readable, preferred)
    details["delimiter"] = {"\t": "tab"}.get(delimiter, delimiter)
    check_width(len(header_cells), label)
    headers, dup_warnings = clean_headers(header_cells)
    warnings += dup_warnings

    def blank_lines(accounted: int) -> list[int]:
        expected = info.records()
        if expected is not None:  # no quotes: a missing record is a blank line
            return [] if accounted >= expected else textfile.blank_records(readable, False)
        return textfile.blank_records(readable, True) if info.maybe_blank else []

    def build(pad: bool) -> Source:
        call, rejects, params = _read_csv_call(store, readable, delimiter, len(headers), pad)
        scan = params.pop("_scan")
        return Source(
            label=label,
            format=fmt,
            relation=call,
            params=params,
            headers=headers,
            exprs={h: (f"c{i}", "VARCHAR") for i, h in enumerate(headers)},
            file_hash=info.sha256,
            has_header_row=True,
            blank_lines=blank_lines,
            rejects=rejects,
            temp_relations=[rejects, scan],
            details=dict(details),
            warnings=list(warnings),
        )

    def python_reader(_: str) -> Source:
        staged = _stage_csv_with_python(store, readable, delimiter, label)
        staged.details = details | {"reader": "python"}
        staged.file_hash = info.sha256
        staged.warnings = warnings + staged.warnings
        return staged

    def without_padding(message: str) -> Source:
        if "null_padding" not in message:
            return python_reader(message)
        unpadded = build(pad=False)
        unpadded.retry = python_reader
        return unpadded

    source = build(pad=True)
    source.temp_files = temp_files
    source.retry = without_padding
    return source


def _stage_csv_with_python(store: Store, path: Path, delimiter: str, label: str) -> Source:
    """Read a file DuckDB's CSV parser rejects as a whole (a bare carriage return inside a cell,
    say) with Python's csv module instead: slower, but every record is kept."""
    csv.field_size_limit(1 << 24)
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, quotechar='"', strict=False)
        try:
            return _stage_rows(store, label, "", (tuple(r) for r in reader), fmt="csv")
        except csv.Error as err:
            raise UserError(f"{label}: row {reader.line_num}: cannot be read ({err})") from None


# -- XLSX -------------------------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """An XLSX cell as text, as Excel shows it (15 significant digits, ISO dates)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_xlsx(store: Store, path: Path, options: ImportOptions, label: str) -> Source:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as err:  # a broken workbook fails in many ways (zip, XML, openpyxl's own)
        raise UserError(f"{label}: not a readable .xlsx workbook ({_first_line(err)})") from None
    try:
        names = book.sheetnames
        sheet_name = names[0] if names else None
        if options.sheet is not None:
            wanted = options.sheet
            exact = [n for n in names if n == wanted] or [
                n for n in names if n.lower() == wanted.lower()
            ]
            if exact:
                sheet_name = exact[0]
            elif wanted.isdigit() and 1 <= int(wanted) <= len(names):
                sheet_name = names[int(wanted) - 1]
            else:
                raise UserError(
                    f"--sheet {wanted!r}: {label} has no such sheet; sheets: {', '.join(names)}"
                )
        if sheet_name is None:
            raise UserError(f"{label}: the workbook has no sheets")
        sheet = book[sheet_name]
        rows = _workbook_rows(sheet.iter_rows(values_only=True), label)
        return _stage_rows(store, label, sheet_name, rows)
    finally:
        book.close()


def _first_line(err: BaseException) -> str:
    """The first line of an error's message, or its type when it has none."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _workbook_rows(rows: Iterator[tuple[object, ...]], label: str) -> Iterator[tuple[object, ...]]:
    """``rows`` of a sheet; a sheet whose XML breaks midway is a UserError, not a traceback."""
    try:
        yield from rows
    except (UserError, MemoryError):
        raise
    except Exception as err:  # openpyxl parsing the user's file
        raise UserError(f"{label}: not a readable .xlsx workbook ({_first_line(err)})") from None


def _stage_rows(
    store: Store,
    label: str,
    sheet_name: str,
    rows: Iterator[tuple[object, ...]],
    fmt: str = "xlsx",
) -> Source:
    """Stage rows read in Python (numbered from 1) into a temporary table of text columns."""
    header_row = 0
    header_cells: list[object] = []
    for number, row in enumerate(rows, 1):
        if any(cell_text(c) not in (None, "") for c in row):
            header_row, header_cells = number, list(row)
            break
    if not header_row:
        where = f"sheet {sheet_name!r}" if fmt == "xlsx" else "the file"
        raise UserError(f"{label}: {where} is empty")
    while header_cells and cell_text(header_cells[-1]) in (None, ""):
        header_cells.pop()
    width = len(header_cells)
    check_width(width, label)
    staged = store.temp_name("xlsx")
    con = store.engine
    con.execute(
        f"CREATE TEMP TABLE {ident(staged)} (__row BIGINT, "
        + ", ".join(f"c{i} VARCHAR" for i in range(width))
        + ")"
    )
    batch: list[list[str | None]] = []
    numbers: list[int] = []

    def flush() -> None:
        nonlocal batch, numbers
        if not numbers:
            return
        cols = list(zip(*batch, strict=True)) if batch else []
        arrays = [pa.array(numbers, pa.int64())] + [pa.array(c, pa.string()) for c in cols]
        names = ["__row"] + [f"c{i}" for i in range(len(cols))]
        _insert_arrow(con, staged, pa.Table.from_arrays(arrays, names=names))
        batch, numbers = [], []

    for number, row in enumerate(rows, header_row + 1):
        texts = [cell_text(c) for c in row]
        if len(texts) > width:
            filled = [i for i in range(width, len(texts)) if texts[i] not in (None, "")]
            if filled:
                flush()
                for i in range(width, filled[-1] + 1):
                    con.execute(f"ALTER TABLE {ident(staged)} ADD COLUMN c{i} VARCHAR")
                header_cells += [None] * (filled[-1] + 1 - len(header_cells))
                width = filled[-1] + 1
        texts = (texts + [None] * width)[:width]
        batch.append(texts)
        numbers.append(number)
        if len(numbers) >= BATCH_ROWS:
            flush()
    flush()
    headers, warnings = clean_headers(header_cells)
    return Source(
        label=label,
        format=fmt,
        relation=ident(staged),
        params={},
        headers=headers,
        exprs={h: (f"c{i}", "VARCHAR") for i, h in enumerate(headers)},
        row_expr="__row",
        temp_relations=[staged],
        details={"format": "xlsx", "sheet": sheet_name} if fmt == "xlsx" else {"format": fmt},
        warnings=warnings,
    )


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    view = f"{table}_in"
    con.register(view, data)
    try:
        cols = ", ".join(ident(n) for n in data.column_names)
        con.execute(f"INSERT INTO {ident(table)} ({cols}) SELECT {cols} FROM {ident(view)}")
    finally:
        con.unregister(view)


# -- Parquet ----------------------------------------------------------------------------------


def _open_parquet(store: Store, path: Path, label: str) -> Source:
    relation = "read_parquet($rpath)"
    params = {"rpath": str(path)}
    try:
        described = store.engine.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()
    except duckdb.Error as err:
        raise user_error(err, f"{label}: not a readable Parquet file") from None
    file_hash = textfile.sha256(path)
    headers, warnings = clean_headers(r[0] for r in described)
    return Source(
        label=label,
        format="parquet",
        relation=relation,
        params=params,
        headers=headers,
        exprs={h: (ident(str(r[0])), str(r[1])) for h, r in zip(headers, described, strict=True)},
        file_hash=file_hash,
        details={"format": "parquet"},
        warnings=warnings,
    )


# -- JSON lines -------------------------------------------------------------------------------


def _open_jsonl(
    store: Store,
    path: Path,
    options: ImportOptions,
    label: str,
    advance: textfile.Advance | None,
) -> Source:
    info = textfile.scan(path, options.encoding, advance)
    readable = path
    temp_files: list[Path] = []
    if info.needs_transcoding:
        readable = textfile.transcode(path, info)
        temp_files.append(readable)
    with readable.open("rb") as fh:
        start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"["):
        raise UserError(
            f"{label}: a JSON array, not JSON lines; write one JSON object per line (.jsonl)"
        )
    lines = store.temp_name("lines")
    rejects = store.temp_name("rejects")
    scan = store.temp_name("rejects_scan")
    con = store.engine
    try:
        con.execute(
            f"CREATE TEMP TABLE {ident(lines)} AS SELECT NULLIF(trim(line), '') AS line FROM"
            " read_csv($rpath, header = false, auto_detect = false, delim = $rdelim, quote = '',"
            " escape = '', columns = {'line': 'VARCHAR'}, parallel = true, store_rejects = true,"
            f" rejects_table = '{rejects}', rejects_scan = '{scan}', max_line_size = 16777216)",
            {"rpath": str(readable), "rdelim": "\x01"},
        )
        keys = con.execute(
            f"SELECT k FROM (SELECT rowid AS o, unnest(json_keys(line)) AS k FROM {ident(lines)}"
            " WHERE (CASE WHEN json_valid(line) THEN json_type(line) END) = 'OBJECT')"
            " GROUP BY k ORDER BY min(o), k"
        ).fetchall()
    except duckdb.Error as err:
        for name in (lines, rejects, scan):
            store.drop([name])
        raise user_error(err, f"{label}: cannot read JSON lines") from None
    keys_list = [str(k[0]) for k in keys]
    if len(keys_list) > MAX_COLUMNS:
        for name in (lines, rejects, scan):
            store.drop([name])
        check_width(len(keys_list), label)
    headers, warnings = clean_headers(keys_list)
    paths = ['$."' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in keys_list]
    relation = (
        "(SELECT line AS __line, CASE WHEN json_valid(line) THEN CASE WHEN json_type(line) ="
        f" 'OBJECT' THEN json_extract_string(line, $rkeys) END END AS __j FROM {ident(lines)})"
    )
    row_error = (
        "CASE WHEN __line IS NULL THEN NULL WHEN NOT json_valid(__line) THEN 'not valid JSON'"
        " WHEN json_type(__line) <> 'OBJECT' THEN 'not a JSON object' END",
        f"CASE WHEN __j IS NULL THEN left(__line, {MAX_VALUE_SHOWN}) END",
    )
    return Source(
        label=label,
        format="jsonl",
        relation=relation,
        params={"rkeys": paths} if paths else {},
        headers=headers,
        exprs={h: (f"__j[{i + 1}]", "VARCHAR") for i, h in enumerate(headers)},
        file_hash=info.sha256,
        row_error=row_error,
        rejects=rejects,
        temp_relations=[lines, rejects, scan],
        temp_files=temp_files,
        details={"format": "jsonl", "encoding": info.encoding},
        warnings=list(info.notes) + warnings,
    )


# -- Arrow ------------------------------------------------------------------------------------


def stage_arrow(store: Store, data: pa.Table | Iterable[pa.RecordBatch], label: str) -> Source:
    """Append ``data`` batch by batch to a temporary table (bounded memory), numbering rows."""
    con = store.engine
    staged = store.temp_name("arrow")
    batches: Iterable[pa.RecordBatch]
    batches = data.to_batches(max_chunksize=1 << 20) if isinstance(data, pa.Table) else data
    schema: pa.Schema | None = data.schema if isinstance(data, pa.Table) else None
    offset = 0
    created = False
    try:
        for batch in batches:
            if schema is None:
                schema = batch.schema
            elif not batch.schema.equals(schema):
                try:
                    batch = batch.cast(schema)
                except (pa.ArrowException, ValueError) as err:  # any cast failure
                    raise UserError(
                        f"{label}: record batches do not share one schema ({err})"
                    ) from None
            numbered = pa.Table.from_batches([batch]).append_column(
                "__row", pa.array(range(offset + 1, offset + batch.num_rows + 1), pa.int64())
            )
            if not created:
                view = f"{staged}_in"
                con.register(view, numbered)
                try:
                    con.execute(f"CREATE TEMP TABLE {ident(staged)} AS SELECT * FROM {ident(view)}")
                finally:
                    con.unregister(view)
                created = True
            else:
                _insert_arrow(con, staged, numbered)
            offset += batch.num_rows
        if not created:
            if schema is None:  # an empty iterable: nothing to stage, no columns known
                schema = pa.schema([])
            empty = pa.Table.from_batches([], schema=schema).append_column(
                "__row", pa.array([], pa.int64())
            )
            view = f"{staged}_in"
            con.register(view, empty)
            try:
                con.execute(f"CREATE TEMP TABLE {ident(staged)} AS SELECT * FROM {ident(view)}")
            finally:
                con.unregister(view)
    except BaseException:
        store.drop([staged])
        raise
    described = con.execute(f"DESCRIBE {ident(staged)}").fetchall()
    types = {str(r[0]): str(r[1]) for r in described}
    headers = [n for n in types if n != "__row"]
    return Source(
        label=label,
        format="arrow",
        relation=ident(staged),
        params={},
        headers=headers,
        exprs={h: (ident(h), types[h]) for h in headers},
        row_expr="__row",
        temp_relations=[staged],
        details={"format": "arrow"},
    )
