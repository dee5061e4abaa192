"""Hostile files are refused quickly and clearly (issue 24, item 3): thousands of columns, binary
bytes under a text extension, a huge header line, a path too long."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from salesmetrics import UserError, Workspace
from salesmetrics.ingest import readers
from tests.ingest.conftest import snapshot, write


def _refused(ws: Workspace, path: Path, match: str, table: str = "opportunities") -> float:
    before = snapshot(ws)
    clock = time.perf_counter()
    with pytest.raises(UserError, match=match) as caught:
        ws.import_file(table, path)
    seconds = time.perf_counter() - clock
    assert "\n" not in str(caught.value)
    assert snapshot(ws) == before
    return seconds


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_thousands_of_columns_are_refused_at_once(
    ws: Workspace, tmp_path: Path, suffix: str
) -> None:
    names = [f"c{i}" for i in range(20_000)]
    if suffix == ".csv":
        text = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n"
    else:
        text = "{" + ", ".join(f'"{n}": 1' for n in names) + "}\n"
    path = write(tmp_path / f"wide{suffix}", text)
    limit = f"{readers.MAX_COLUMNS:,}"
    seconds = _refused(ws, path, f"20,000 columns, more than the limit of {limit}")
    assert seconds < 5


@pytest.mark.slow  # some 10 s: the engine plans a query with a term per column
def test_the_column_limit_itself_is_read(ws: Workspace, tmp_path: Path) -> None:
    names = ["opportunity_id", "stage"] + [f"c{i}" for i in range(readers.MAX_COLUMNS - 2)]
    text = ",".join(names) + "\n" + ",".join(["o1", "Won"] + ["x"] * (len(names) - 2)) + "\n"
    result = ws.import_file("opportunities", write(tmp_path / "wide.csv", text))
    assert result.rows_loaded == 1


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl"])
def test_a_binary_file_under_a_text_name_is_not_a_text_file(
    ws: Workspace, tmp_path: Path, suffix: str
) -> None:
    data = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" + bytes(range(256)) * 20
    path = write(tmp_path / f"program{suffix}", data)
    _refused(ws, path, "not a text file")


def test_a_huge_header_line_is_too_long_not_missing(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "long.csv", "x" * 200_000 + "\n1\n")
    _refused(ws, path, r"the header line is 200,000 characters long")


def test_a_path_too_long_is_a_user_error(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / ("d" * 300) / "deals.csv"
    _refused(ws, path, "file name too long")
    _refused(ws, Path("x" * 5000 + ".csv"), "file name too long")


@pytest.mark.parametrize(
    "members",
    [
        {"[Content_Types].xml": b""},  # XML that is not there: a ParseError inside openpyxl
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-closed"},
    ],
)
def test_a_broken_workbook_is_not_readable_not_a_traceback(
    ws: Workspace, tmp_path: Path, members: dict[str, bytes]
) -> None:
    import zipfile

    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    _refused(ws, path, "not a readable .xlsx workbook")


def test_a_line_break_in_a_header_stays_escaped_in_the_error(ws: Workspace, tmp_path: Path) -> None:
    """A header cell holding a quoted line break (found by the fuzz suite): the error lists the
    file's columns, and is still one line."""
    path = write(tmp_path / "deals.csv", '"opportunity\nid",notes\n1,2\n')
    _refused(ws, path, r"required column 'stage' .*opportunity\\nid")
