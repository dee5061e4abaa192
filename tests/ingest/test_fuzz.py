"""Property-based fuzzing of the reader and the validator: whatever the file holds, an import
ends with a one-line UserError or with every row either loaded or quarantined."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmetrics import UserError, Workspace, init_workspace
from tests.depth import examples

_counter = itertools.count()

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", " ", "=1+2", "+5", "-5", "@x", '"', '""', "a,b", "a;b", "x\ny", "\r", "NaN", "1e999"]
    ),
    st.integers(-(10**22), 10**22).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.sampled_from(["1,234.56", "1.234,56", "(12)", "$5", "12%", "yes", "N", "Closed Won"]),
)
#: tmp_path is the test's, not each example's: every file gets a fresh name (new_file).
TMP_PATH_PER_TEST = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
HEADER = ["opportunity_id", "stage", "amount", "close_date", "probability", "created_at", "notes"]


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = init_workspace(tmp_path_factory.mktemp("fuzz") / "ws")
    yield ws
    ws.close()


def check(ws: Workspace, path: Path) -> None:
    try:
        result = ws.import_file("opportunities", path)
    except UserError as err:
        message = str(err)
        assert message and "\n" not in message
        return
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    if result.written:
        found = ws.duckdb.execute(
            'SELECT count(*), count(DISTINCT "row") FROM _quarantine WHERE batch_id = $b',
            {"b": result.batch_id},
        ).fetchone()
        assert found is not None
        assert (found[0], found[1]) == (result.issues, result.rows_rejected)


def new_file(directory: Path, suffix: str = ".csv") -> Path:
    return directory / f"fuzz-{next(_counter)}{suffix}"


@settings(max_examples=examples(60), suppress_health_check=TMP_PATH_PER_TEST)
@given(data=st.binary(max_size=600))
def test_random_bytes(fuzz_ws: Workspace, tmp_path: Path, data: bytes) -> None:
    path = new_file(tmp_path)
    path.write_bytes(data)
    check(fuzz_ws, path)


@pytest.mark.slow
@settings(max_examples=examples(30), suppress_health_check=TMP_PATH_PER_TEST)
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
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)  # CRLF: cells with \r or \n get quoted
        writer.writerow(HEADER)
        rows = [(r + [""] * len(HEADER))[: len(HEADER)] for r in body]
        writer.writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-8"))
        result = fuzz_ws.import_file("opportunities", path)
        assert result.rows_read == sum(1 for r in rows if any(c != "" for c in r))
        assert result.rows_read == result.rows_loaded + result.rows_rejected
    else:  # raw text: anything may be malformed
        lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in body]
        path.write_text("\n".join(lines), encoding="utf-8")
        check(fuzz_ws, path)


@pytest.mark.slow
@settings(max_examples=examples(40), suppress_health_check=TMP_PATH_PER_TEST)
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
def test_random_json_lines(fuzz_ws: Workspace, tmp_path: Path, lines: list[str]) -> None:
    path = new_file(tmp_path, ".jsonl")
    path.write_text("\n".join(lines), encoding="utf-8")
    check(fuzz_ws, path)


@pytest.mark.slow
@settings(max_examples=examples(100), suppress_health_check=TMP_PATH_PER_TEST)
@given(data=st.binary(max_size=4000), encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_random_bytes_at_depth(
    fuzz_ws: Workspace, tmp_path: Path, data: bytes, encoding: str
) -> None:
    path = new_file(tmp_path)
    text = ",".join(HEADER) + "\n" + data.decode("latin-1")
    path.write_bytes(text.encode(encoding))
    check(fuzz_ws, path)
