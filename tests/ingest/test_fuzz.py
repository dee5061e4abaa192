"""Property-based fuzzing of the reader and the validator (issue 24, item 7): whatever a CSV,
XLSX or JSON-lines file holds, an import ends either with a one-line UserError that left every
table's row count as it was, or with every row read either loaded or quarantined with a reason.
Anything else (a traceback, a half-written batch) fails the property.

Budgets: each property states its count at the ``gate`` profile (``make check``, ``make test``,
CI: derandomized, so the same examples every run) with tests/depth.py's ``examples``, sized so a
property takes a few seconds on a loaded 2-core machine (an import costs about half a second).
The properties marked ``slow`` draw bigger files; ``HYPOTHESIS_PROFILE=deep`` scales every count
by ten for a nightly run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmetrics import UserError, Workspace, init_workspace, schema
from tests.depth import examples

_counter = itertools.count()

#: Cells a hostile or careless export holds: formulas, quotes, separators, control characters,
#: escape sequences, huge and non-finite numbers, dates out of range, mixed scales.
HOSTILE = [
    "",
    " ",
    "=1+2",
    "+5",
    "-5",
    "@x",
    '"',
    '""',
    "a,b",
    "a;b",
    "x\ny",
    "\r",
    "\x00",
    "\x1b[31mred",
    "\u202e",
    "NaN",
    "inf",
    "1e999",
    "-0",
    "0.2",
    "20",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2024-02-30",
    "Closed Won",
    "won",
    "credit",
]
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(HOSTILE),
    st.integers(-(10**22), 10**22).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.sampled_from(["1,234.56", "1.234,56", "(12)", "$5", "12%", "yes", "N", "Closed Lost"]),
)
#: tmp_path is the test's, not each example's: every file gets a fresh name (new_file).
TMP_PATH_PER_TEST = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
HEADER = ["opportunity_id", "stage", "amount", "close_date", "probability", "created_at", "notes"]
#: Every table an import may write.
ALL_TABLES = tuple(t.name for t in schema.TABLES + schema.INTERNAL_TABLES)


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = init_workspace(tmp_path_factory.mktemp("fuzz") / "ws")
    yield ws
    ws.close()


def counts(ws: Workspace) -> dict[str, int]:
    """Row count of every table an import may write."""
    con = ws.duckdb
    found = {}
    for name in ALL_TABLES:
        row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        found[name] = int(row[0]) if row else 0
    return found


def check(ws: Workspace, path: Path, table: str = "opportunities", **options: Any) -> None:
    """Import ``path``: a one-line refusal that changed nothing, or every row accounted for."""
    before = counts(ws)
    try:
        result = ws.import_file(table, path, **options)
    except UserError as err:
        message = str(err)
        assert message and "\n" not in message
        assert counts(ws) == before  # a refusal writes nothing, not half a batch
        return
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    after = counts(ws)
    if not result.written:  # already imported, or a dry run
        assert after == before
        return
    assert after["_import_log"] == before["_import_log"] + 1
    assert after["_quarantine"] - before["_quarantine"] == result.issues
    found = ws.duckdb.execute(
        'SELECT count(*), count(DISTINCT "row"), count(*) FILTER (WHERE coalesce("reason", \'\')'
        " = '') FROM _quarantine WHERE batch_id = $b",
        {"b": result.batch_id},
    ).fetchone()
    assert found is not None
    assert (found[0], found[1]) == (result.issues, result.rows_rejected)
    assert found[2] == 0  # every quarantined row says why
    # Every loaded row is in the table (as new rows, or replacing rows of the same key).
    stored = ws.duckdb.execute(
        f'SELECT count(*) FROM "{table}" WHERE _batch_id = $b', {"b": result.batch_id}
    ).fetchone()
    assert stored is not None and stored[0] == result.rows_loaded


def new_file(directory: Path, suffix: str = ".csv") -> Path:
    return directory / f"fuzz-{next(_counter)}{suffix}"


def csv_text(header: list[str], body: list[list[str]], delimiter: str) -> str:
    """Well-formed CSV: every cell quoted as needed, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


# -- CSV ---------------------------------------------------------------------------------------


@settings(max_examples=examples(15), suppress_health_check=TMP_PATH_PER_TEST)
@given(data=st.binary(max_size=600))
def test_random_bytes(fuzz_ws: Workspace, tmp_path: Path, data: bytes) -> None:
    path = new_file(tmp_path)
    path.write_bytes(data)
    check(fuzz_ws, path)


@settings(max_examples=examples(6), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    body=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_hostile_cells_in_well_formed_csv(
    fuzz_ws: Workspace, tmp_path: Path, body: list[list[str]], delimiter: str
) -> None:
    path = new_file(tmp_path)
    path.write_bytes(csv_text(HEADER, body, delimiter).encode("utf-8"))
    before = counts(fuzz_ws)
    try:
        result = fuzz_ws.import_file("opportunities", path)
    except UserError as err:  # only the file as a whole may be refused (e.g. not a text file)
        assert "\n" not in str(err) and counts(fuzz_ws) == before
        return
    # every data row that is not blank is read: loaded or quarantined, never dropped
    assert result.rows_read == sum(1 for r in body if any(c != "" for c in r))
    assert result.rows_read == result.rows_loaded + result.rows_rejected


@settings(max_examples=examples(6), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    header=st.lists(st.one_of(st.sampled_from(HEADER), st.text(max_size=8)), max_size=8),
    body=st.lists(st.lists(cells, max_size=9), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_hostile_headers_and_ragged_rows(
    fuzz_ws: Workspace, tmp_path: Path, header: list[str], body: list[list[str]], delimiter: str
) -> None:
    path = new_file(tmp_path)
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in body]
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    check(fuzz_ws, path)


@pytest.mark.slow
@settings(max_examples=examples(20), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    body=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quoted=st.booleans(),
)
def test_random_structured_text(
    fuzz_ws: Workspace, tmp_path: Path, body: list[list[str]], delimiter: str, quoted: bool
) -> None:
    path = new_file(tmp_path)
    if quoted:  # well-formed CSV: every data row is read
        rows = [(r + [""] * len(HEADER))[: len(HEADER)] for r in body]
        path.write_bytes(csv_text(HEADER, rows, delimiter).encode("utf-8"))
    else:  # raw text: anything may be malformed
        lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in body]
        path.write_text("\n".join(lines), encoding="utf-8")
    check(fuzz_ws, path)


@pytest.mark.slow
@settings(max_examples=examples(20), suppress_health_check=TMP_PATH_PER_TEST)
@given(data=st.binary(max_size=4000), encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_random_bytes_at_depth(
    fuzz_ws: Workspace, tmp_path: Path, data: bytes, encoding: str
) -> None:
    path = new_file(tmp_path)
    text = ",".join(HEADER) + "\n" + data.decode("latin-1")
    path.write_bytes(text.encode(encoding))
    check(fuzz_ws, path)


# -- import options ----------------------------------------------------------------------------

option_text = st.one_of(st.text(max_size=10), st.sampled_from(HOSTILE))
import_options = st.fixed_dictionaries(
    {},
    optional={
        "mapping": st.lists(
            st.one_of(
                st.builds(
                    lambda f, c: f"{f}={c}", st.sampled_from(HEADER), st.sampled_from(HEADER)
                ),
                option_text,
            ),
            max_size=3,
        ),
        "value_map": st.lists(
            st.one_of(
                st.builds(
                    lambda f, a, b: f"{f}:{a}={b}",
                    st.sampled_from(["status", "type", "probability", "stage", "nope"]),
                    option_text,
                    st.one_of(st.sampled_from(["won", "lost", "credit", "0.5", ""]), option_text),
                ),
                option_text,
            ),
            max_size=3,
        ),
        "decimal": st.one_of(st.sampled_from([".", ","]), option_text),
        "delimiter": st.one_of(st.sampled_from([",", ";", "\\t", "tab", "|"]), option_text),
        "date_format": st.one_of(st.sampled_from(["%d/%m/%Y", "%Y", "%Q", "%"]), option_text),
        "encoding": st.one_of(
            st.sampled_from(["utf-8", "latin-1", "utf-16", "ebcdic"]), option_text
        ),
        "sheet": option_text,
        "preset": st.one_of(st.sampled_from(["hubspot", "salesforce", "pipedrive"]), option_text),
        "dry_run": st.booleans(),
    },
)


@settings(max_examples=examples(8), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    body=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=4),
    options=import_options,
)
def test_hostile_import_options(
    fuzz_ws: Workspace, tmp_path: Path, body: list[list[str]], options: dict[str, Any]
) -> None:
    path = new_file(tmp_path)
    path.write_bytes(csv_text(HEADER, body, ",").encode("utf-8"))
    check(fuzz_ws, path, **options)


# -- XLSX --------------------------------------------------------------------------------------


def _xlsx_text(text: str) -> str:
    """``text`` as a workbook can hold it: no control characters, no lone surrogates."""
    return "".join(ch for ch in text if ch >= " " and not "\ud800" <= ch <= "\udfff")


xlsx_cells = st.one_of(
    st.none(),
    cells.map(_xlsx_text),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
)


@settings(max_examples=examples(6), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    header=st.lists(
        st.one_of(st.sampled_from(HEADER), st.none(), st.integers(), st.text(max_size=8)),
        max_size=8,
    ),
    body=st.lists(st.lists(xlsx_cells, max_size=8), max_size=6),
    title=st.sampled_from(["Sheet", "Deals", "x y", "'", "１２"]),
)
def test_random_xlsx(
    fuzz_ws: Workspace, tmp_path: Path, header: list[Any], body: list[list[Any]], title: str
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in [header, *body]:
        sheet.append([_xlsx_text(v) if isinstance(v, str) else v for v in row])
    path = new_file(tmp_path, ".xlsx")
    book.save(path)
    check(fuzz_ws, path)


@settings(max_examples=examples(10), suppress_health_check=TMP_PATH_PER_TEST)
@given(data=st.binary(max_size=400), zipped=st.booleans())
def test_broken_xlsx(fuzz_ws: Workspace, tmp_path: Path, data: bytes, zipped: bool) -> None:
    """Bytes that are not a workbook, or a zip that is not one, named ``.xlsx``."""
    path = new_file(tmp_path, ".xlsx")
    if zipped:
        import zipfile

        with zipfile.ZipFile(path, "w") as z:
            z.writestr("[Content_Types].xml", data)
            z.writestr("xl/workbook.xml", data[::-1])
    else:
        path.write_bytes(b"PK\x03\x04" + data)
    check(fuzz_ws, path)


# -- JSON lines --------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        cells,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=examples(8), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    records=st.lists(
        st.one_of(
            st.dictionaries(
                st.one_of(st.sampled_from(HEADER), st.text(max_size=6)), json_values, max_size=8
            ),
            json_values,
            st.text(max_size=30),  # not JSON at all
        ),
        max_size=8,
    )
)
def test_random_json_lines(fuzz_ws: Workspace, tmp_path: Path, records: list[Any]) -> None:
    path = new_file(tmp_path, ".jsonl")
    lines = [r.replace("\n", " ") if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    check(fuzz_ws, path)


@pytest.mark.slow
@settings(max_examples=examples(20), suppress_health_check=TMP_PATH_PER_TEST)
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=40),
            st.builds(
                lambda v: f'{{"opportunity_id": {v}, "stage": "x"}}',
                st.sampled_from(['"a"', "1", "null", "[]", '"é"']),
            ),
        ),
        max_size=10,
    )
)
def test_random_json_lines_at_depth(fuzz_ws: Workspace, tmp_path: Path, lines: list[str]) -> None:
    path = new_file(tmp_path, ".jsonl")
    path.write_text("\n".join(lines), encoding="utf-8")
    check(fuzz_ws, path)
