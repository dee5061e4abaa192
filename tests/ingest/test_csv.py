"""Reading delimited text: encodings, delimiters, ragged and malformed rows, row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import UserError, Workspace
from tests.ingest.conftest import rejects, rows, write

LEADS = "lead_id,created_at,segment\nL1,2024-01-05,Café\nL2,2024-02-01,Ünïcode €\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),  # UTF-8 with BOM
        ("utf-16-le", b"\xff\xfe"),  # UTF-16 with BOM
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),  # UTF-16 without BOM
        ("cp1252", b""),  # Windows-1252: the euro sign is 0x80
    ],
)
def test_encodings(ws: Workspace, tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = write(tmp_path / "leads.csv", prefix + LEADS.encode(encoding))
    result = ws.import_file("leads", path)
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert rows(ws, "leads", "lead_id, segment") == [("L1", "Café"), ("L2", "Ünïcode €")]


def test_latin1_bytes_undefined_in_cp1252(ws: Workspace, tmp_path: Path) -> None:
    # 0x81 is not a cp1252 character: the file is read as Latin-1, which accepts every byte.
    text = "lead_id,created_at,segment\nL1,2024-01-05,Caf\xe9\x81\n"
    path = write(tmp_path / "leads.csv", text.encode("latin-1"))
    result = ws.import_file("leads", path)
    assert result.details["encoding"] == "latin-1"
    assert rows(ws, "leads", "segment") == [("Caf\xe9\x81",)]


def test_forced_encoding(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", LEADS.encode("utf-16"))
    ws.import_file("leads", path, encoding="utf-16")
    assert ws.count("leads") == 2


def test_invalid_utf8_bytes_in_a_utf8_file_quarantine_the_row(
    ws: Workspace, tmp_path: Path
) -> None:
    data = "lead_id,created_at,segment\nL1,2024-01-05,Café\n".encode() + b"L2,2024-01-05,bad\xff\n"
    result = ws.import_file("leads", write(tmp_path / "leads.csv", data))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    [(row, column, _, reason)] = rejects(ws)
    assert (row, column) == (3, "*")
    assert "UTF-8" in reason


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(ws: Workspace, tmp_path: Path, delimiter: str) -> None:
    text = "lead_id,created_at,source\nL1,2024-01-05,web\nL2,2024-01-06,a;b|c\n"
    if delimiter != ",":
        text = text.replace(",", delimiter).replace("a;b|c", "a,b")
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert result.details["delimiter"] == {"\t": "tab"}.get(delimiter, delimiter)
    assert rows(ws, "leads", "lead_id, source") == [
        ("L1", "web"),
        ("L2", "a;b|c" if delimiter == "," else "a,b"),
    ]


def test_tsv_extension(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "leads.tsv", "lead_id\tcreated_at\nL1\t2024-01-05\n")
    assert ws.import_file("leads", path).details["delimiter"] == "tab"
    assert ws.count("leads") == 1


def test_forced_delimiter(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id;created_at\nL1;2024-01-05\n")
    ws.import_file("leads", path, delimiter=";")
    assert ws.count("leads") == 1


def test_crlf_line_endings(ws: Workspace, tmp_path: Path) -> None:
    text = "lead_id,created_at\r\nL1,2024-01-05\r\n\r\nL2,nope\r\n"
    ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert rows(ws, "leads", "lead_id") == [("L1",)]
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [(4, "created_at")]


def test_ragged_rows(ws: Workspace, tmp_path: Path) -> None:
    # Short rows are padded with empty cells; a row with more fields than the header is
    # quarantined whole (its extra values would otherwise be lost).
    text = (
        "lead_id,created_at,source,segment\n"
        "L1,2024-01-05\n"
        "L2,2024-01-06,web,SMB,EXTRA\n"
        "L3,2024-01-07,web\n"
    )
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert rows(ws, "leads", "lead_id, source, segment") == [
        ("L1", None, None),
        ("L3", "web", None),
    ]
    [(row, column, value, reason)] = rejects(ws)
    assert (row, column, value) == (3, "*", "L2,2024-01-06,web,SMB,EXTRA")
    assert "more fields than the header" in reason


def test_quoted_newlines_keep_row_numbers(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "lead_id,created_at,source\n"
        'L1,2024-01-05,"two\nlines"\n'  # row 2 spans two lines
        'L2,not a date,"x"\n'  # row 3
        '"L3","2024-01-07","three\n\nlines, with a blank one"\n'  # row 4
        "L4,bad,web\n"  # row 5
    )
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert result.rows_read == 4
    assert rows(ws, "leads", "lead_id, source") == [
        ("L1", "two\nlines"),
        ("L3", "three\n\nlines, with a blank one"),
    ]
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [(3, "created_at"), (5, "created_at")]


def test_quoted_newlines_with_short_rows(ws: Workspace, tmp_path: Path) -> None:
    # DuckDB cannot pad short rows in a file with quoted line breaks: such rows are quarantined.
    text = 'lead_id,created_at,source\nL1,2024-01-05,"a\nb"\nL2,2024-01-06\nL3,2024-01-07,web\n'
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert rows(ws, "leads", "lead_id") == [("L1",), ("L3",)]
    [(row, column, _, reason)] = rejects(ws)
    assert (row, column) == (3, "*")
    assert "fewer fields than the header" in reason


def test_blank_lines_count_as_rows(ws: Workspace, tmp_path: Path) -> None:
    text = "\nlead_id,created_at\nL1,2024-01-05\n\n\nL2,bad\n,,\nL3,2024-01-01\n"
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    # Row 1 is blank, the header is row 2; rows 4-5 are blank, row 7 has only empty cells.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [(6, "created_at")]


def test_unterminated_quote(ws: Workspace, tmp_path: Path) -> None:
    text = 'lead_id,created_at,source\nL1,2024-01-05,web\nL2,2024-01-06,"open\nL3,2024-01-07,web\n'
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert rows(ws, "leads", "lead_id") == [("L1",)]
    [(row, column, value, reason)] = rejects(ws)
    assert (row, column) == (3, "*")
    assert value is not None and value.startswith('L2,2024-01-06,"open')
    assert "quote" in reason
    assert result.rows_rejected == 1


def test_stray_quote_inside_a_value(ws: Workspace, tmp_path: Path) -> None:
    text = 'lead_id,created_at,source\nL1,2024-01-05,5" screen\nL2,2024-01-06,web\n'
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert result.rows_loaded + result.rows_rejected == 2
    assert ("L2",) in rows(ws, "leads", "lead_id")


def test_duplicate_headers(ws: Workspace, tmp_path: Path) -> None:
    text = "lead_id,created_at,Source,source,\nL1,2024-01-05,web,paid,x\n"
    result = ws.import_file("leads", write(tmp_path / "leads.csv", text))
    assert rows(ws, "leads", "source") == [("web",)]  # the first one is used
    assert result.unmapped_columns == ("source (2)", "column_5")
    assert any("duplicate column 'source'" in w for w in result.warnings)


def test_empty_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"leads\.csv: the file is empty"):
        ws.import_file("leads", write(tmp_path / "leads.csv", ""))


def test_blank_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no header row"):
        ws.import_file("leads", write(tmp_path / "leads.csv", "\n\n  \n"))


def test_header_only(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file("leads", write(tmp_path / "leads.csv", "lead_id,created_at\n"))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (0, 0, 0)
    assert ws.count("leads") == 0
    assert ws.count("_import_log") == 1


def test_header_without_trailing_newline(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file("leads", write(tmp_path / "leads.csv", "lead_id,created_at"))
    assert result.rows_read == 0


def test_last_row_without_newline(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id,created_at\nL1,2024-01-05\nL2,x")
    ws.import_file("leads", path)
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [(3, "created_at")]


def test_row_numbers_in_a_large_file(ws: Workspace, tmp_path: Path) -> None:
    # Many buffers are read in parallel: the row numbers of rejects must still be exact.
    n = 300_000
    bad = {17, 99_999, 150_001, 299_998}
    lines = ["lead_id,created_at,source"]
    for i in range(n):
        row = i + 2
        if row in bad:
            lines.append(f"L{i},never,web")
        elif row == 200_000:
            lines.append(f'L{i},2024-01-01,"multi\nline"')
        elif row == 250_000:
            lines.append(f"L{i},2024-01-01,web,EXTRA")
        else:
            lines.append(f"L{i},2024-01-01,web")
    lines.insert(120_000, "")  # a blank line: rows after it move down by one
    path = write(tmp_path / "leads.csv", "\n".join(lines) + "\n")
    result = ws.import_file("leads", path)
    assert result.rows_read == n
    shifted = {r if r < 120_001 else r + 1 for r in bad}
    found = {r for r, c, _, _ in rejects(ws) if c == "created_at"}
    assert found == shifted
    assert [r for r, c, _, _ in rejects(ws) if c == "*"] == [250_001]
    assert result.rows_loaded == n - len(bad) - 1
