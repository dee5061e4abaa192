"""``salesmetrics import`` and ``salesmetrics rejects`` through the real entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from salesmetrics import init_workspace, open_workspace
from salesmetrics.cli import main

DATA = Path(__file__).parents[1] / "ingest" / "data"
DEALS = (
    "opportunity_id,stage,amount,notes\n"
    "o1,Closed Won,100,a\n"
    "o2,Closed Won,,b\n"
    "o3,Prospecting,[bold]x[/bold],c\n"
)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def root(tmp_path: Path) -> str:
    init_workspace(tmp_path / "ws").close()
    return str(tmp_path / "ws")


@pytest.fixture
def deals(tmp_path: Path) -> str:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return str(path)


def test_import_prints_the_summary(
    root: str, deals: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["import", "opportunities", deals, "-w", root, "-q"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(
        f"{deals} -> opportunities: 3 rows read, loaded 1, rejected 2 (batch "
    )
    assert lines[1].startswith("unmapped columns (kept in raw/") and lines[1].endswith(": notes")
    batch = lines[0].rsplit("batch ", 1)[1].rstrip(")")
    assert lines[2] == (
        "2 rejected rows (2 problems) are in the quarantine; see them with:"
        f" salesmetrics rejects {batch}"
    )
    assert err == ""


def test_rejects(root: str, deals: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["import", "opportunities", deals, "-w", root, "-q"], capsys)
    code, out, err = run(["rejects", "-w", root], capsys)
    assert code == 0, err
    assert "-> opportunities: 3 rows read, 1 loaded, 2 rejected" in out
    assert "amount is required when status is won" in out
    assert "[bold]x[/bold]" in out  # values are shown as they are, never as markup
    with open_workspace(root) as ws:
        batch = ws.duckdb.execute("SELECT batch_id FROM _import_log").fetchone()
    assert batch is not None
    code, out, _ = run(["rejects", str(batch[0])[:10], "--limit", "1", "-w", root], capsys)
    assert code == 0
    assert out.count("│ opportunities") == 0 and "amount" in out
    code, out, err = run(["rejects", "nope", "-w", root], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("error: no import batch 'nope'")


def test_rejects_without_imports(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["rejects", "-w", root], capsys)
    assert code == 1 and "no imports yet" in err


def test_options_reach_the_importer(
    root: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "o.csv"
    path.write_text("ID;Etapa;Valor;Fecha\nx1;Ganado;1.234,50;31/01/2024\n", encoding="utf-8")
    code, out, err = run(
        [
            "import",
            "opportunities",
            str(path),
            "-w",
            root,
            "-q",
            "--map",
            "opportunity_id=ID",
            "--map",
            "stage=Etapa",
            "--map",
            "amount=Valor",
            "--map",
            "close_date=Fecha",
            "--value-map",
            "status:Ganado=won",
            "--decimal",
            ",",
            "--date-format",
            "%d/%m/%Y",
        ],
        capsys,
    )
    assert code == 0, err
    assert "loaded 1, rejected 0" in out
    with open_workspace(root) as ws:
        got = ws.duckdb.execute(
            "SELECT status, amount::VARCHAR, close_date::VARCHAR FROM opportunities"
        ).fetchall()
    assert got == [("won", "1234.5000", "2024-01-31")]


def test_preset_and_dry_run(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "import",
            "opportunities",
            str(DATA / "hubspot_deals.csv"),
            "--preset",
            "hubspot",
            "--dry-run",
            "-w",
            root,
        ],
        capsys,
    )
    assert code == 0, err
    assert "would load 3, rejected 0" in out and "dry run: nothing was written" in out
    with open_workspace(root) as ws:
        assert ws.count("opportunities") == 0


def test_reimport_says_nothing_changed(
    root: str, deals: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["import", "opportunities", deals, "-w", root, "-q"], capsys)
    code, out, _ = run(["import", "opportunities", deals, "-w", root, "-q"], capsys)
    assert code == 0
    assert "already imported into opportunities as batch" in out and "nothing changed" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "leadz", "{deals}"], "error: unknown table 'leadz' (did you mean 'leads'?)"),
        (["import", "opportunities", "{missing}"], "no such file"),
        (["import", "opportunities", "{deals}", "--map", "foo=bar"], "has no column 'foo'"),
        (["import", "opportunities", "{deals}", "--map", "amount=Amt"], "has no column 'Amt'"),
        (["import", "opportunities", "{deals}", "--value-map", "status"], "expected FIELD:FROM=TO"),
        (["import", "opportunities", "{deals}", "--preset", "zoho"], "unknown preset 'zoho'"),
        (
            ["import", "leads", "{deals}"],
            "required column 'created_at' of table leads is not in the file",
        ),
        (["import", "opportunities", "{empty}"], "the file is empty"),
        (["import", "opportunities", "{deals}", "--sheet", "x"], "is not an .xlsx workbook"),
        (["import", "opportunities", "{deals}", "--decimal", ";"], "--decimal ';'"),
    ],
)
def test_user_errors_are_one_line(
    root: str,
    deals: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    values = {
        "deals": deals,
        "missing": str(tmp_path / "missing.csv"),
        "empty": str(tmp_path / "empty.csv"),
    }
    code, out, err = run([a.format(**values) for a in args] + ["-w", root], capsys)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_subprocess_exit_code_and_no_traceback(root: str, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "salesmetrics"
    bad = tmp_path / "bad.txt"
    bad.write_text("\n\n", encoding="utf-8")
    proc = subprocess.run(
        [str(script), "import", "leads", str(bad), "-w", root], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
