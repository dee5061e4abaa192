"""``import --suggest``, ``--save-mapping`` and ``--mapping``, and ``imports`` (the import
log), through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesmetrics import init_workspace
from salesmetrics.cli import options
from tests.cli.test_import_cli import run

HEADERS = "Nomor,Nama Transaksi,Nilai,Tanggal Tutup,Tahap\n"
ROWS = "T1,POS,1000,2024-02-21,Menang\nT2,Dashboard,500,2024-03-02,Closed Lost\n"


@pytest.fixture
def root(tmp_path: Path) -> str:
    init_workspace(tmp_path / "ws").close()
    return str(tmp_path / "ws")


@pytest.fixture
def deals(tmp_path: Path) -> str:
    path = tmp_path / "transaksi.csv"
    path.write_text(HEADERS + ROWS, encoding="utf-8")
    return str(path)


def test_suggest_prints_map_options_and_loads_nothing(
    root: str, deals: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["import", "opportunities", deals, "--suggest", "-w", root], capsys)
    assert code == 0
    assert "--map name='Nama Transaksi'" in out
    assert "--map amount=Nilai" in out
    assert "--map close_date='Tanggal Tutup'" in out
    assert "nothing was loaded" in out
    code, out, _ = run(["imports", "-w", root], capsys)
    assert "no imports yet" in out


def test_saved_mapping_is_reused(
    root: str, deals: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "opportunities", deals, "--suggest", "--save-mapping", "idn", "-w", root]
    code, out, _ = run(args, capsys)
    assert code == 0 and "mapping saved as 'idn'" in out
    saved = json.loads((Path(root) / "mappings" / "idn.json").read_text(encoding="utf-8"))
    assert saved["table"] == "opportunities"
    assert "stage=Tahap" in saved["map"]
    again = tmp_path / "next.csv"
    again.write_text(HEADERS + "T3,Armada,700,2024-03-09,Menang\n", encoding="utf-8")
    code, out, _ = run(
        ["import", "opportunities", str(again), "--mapping", "idn", "-w", root, "-q"], capsys
    )
    assert code == 0, out
    assert "1 rows read, loaded 1" in out


def test_unknown_saved_mapping(root: str, deals: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["import", "opportunities", deals, "--mapping", "nope", "-w", root], capsys)
    assert code == 1
    assert "no saved mapping 'nope'; none is saved yet" in err


def test_imports_lists_the_batches(
    root: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options.out, "width", 200)
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "account_id,invoice_date,amount\nA1,2024-01-01,10\nA1,2024-01-01,x\n", encoding="utf-8"
    )
    assert run(["import", "invoice_lines", str(lines), "-w", root, "-q"], capsys)[0] == 0
    code, out, _ = run(["imports", "-w", root, "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 1
    batch = data["batches"][0]
    assert (batch["table"], batch["rows_read"], batch["rows_loaded"], batch["rows_rejected"]) == (
        "invoice_lines",
        2,
        1,
        1,
    )
    assert batch["derived_key"] == "line_id"
    assert batch["file"].endswith("lines.csv")
    assert batch["started_at"].endswith("Z")
    code, out, err = run(["imports", "-w", root], capsys)
    assert code == 0
    assert "invoice_lines" in out and "line_id" in out
    assert "salesmetrics rejects BATCH" in err


def test_imports_of_an_unknown_table(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["imports", "--table", "deals", "-w", root], capsys)
    assert code == 1 and "unknown table 'deals'" in err


def test_an_import_saves_its_options(
    root: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "a.csv"
    first.write_text("Ref;Fase;Nilai\nA1;Menang;1.234,50\n", encoding="utf-8")
    code, out, err = run(
        [
            "import",
            "opportunities",
            str(first),
            "--map",
            "opportunity_id=Ref",
            "--map",
            "stage=Fase",
            "--map",
            "amount=Nilai",
            "--value-map",
            "status:Menang=won",
            "--decimal",
            ",",
            "--save-mapping",
            "idr",
            "-w",
            root,
            "-q",
        ],
        capsys,
    )
    assert code == 0, err
    assert "mapping saved as 'idr'" in out
    second = tmp_path / "b.csv"
    second.write_text("Ref;Fase;Nilai;Kode\nA2;Menang;2.000,00;K2\n", encoding="utf-8")
    # the saved options apply; a --map given now wins over the saved one for its column
    code, out, err = run(
        [
            "import",
            "opportunities",
            str(second),
            "--mapping",
            "idr",
            "--map",
            "opportunity_id=Kode",
            "-w",
            root,
            "-q",
        ],
        capsys,
    )
    assert code == 0, err
    from salesmetrics import open_workspace

    with open_workspace(root) as ws:
        got = ws.duckdb.execute(
            "SELECT opportunity_id, status, amount::VARCHAR FROM opportunities ORDER BY 1"
        ).fetchall()
    assert got == [("A1", "won", "1234.5000"), ("K2", "won", "2000.0000")]


@pytest.mark.parametrize("name", ["../x", "a b", "x.json", ""])
def test_bad_mapping_names(
    root: str, deals: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["import", "opportunities", deals, "--suggest", "--save-mapping", name, "-w", root], capsys
    )
    assert code == 1
    assert f"mapping name {name!r}: use letters, digits" in err


def test_a_mapping_for_another_table(
    root: str, deals: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["import", "opportunities", deals, "--suggest", "--save-mapping", "d", "-w", root], capsys)
    code, _, err = run(["import", "leads", deals, "--mapping", "d", "-w", root], capsys)
    assert code == 1
    assert "saved mapping 'd' is for table opportunities, not leads" in err
