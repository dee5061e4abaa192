"""The command line on a PostgreSQL workspace: init, import, rejects, export and restore; and
one-line errors for a server that cannot be reached or a bad URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_workspace_cli import run

LEADS = "lead_id,created_at,source\nL1,2024-01-05,web\nL2,not a date,web\nL3,2024-02-01,\n"


def test_init_import_rejects_export_restore(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "pg")
    code, out, _ = run(["init", ws, "--backend", pg_url], capsys)
    assert code == 0 and "created workspace" in out and "postgresql://" in out
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    code, out, err = run(["import", "leads", str(tmp_path / "leads.csv"), "-w", ws], capsys)
    assert code == 0, err
    code, out, _ = run(["rejects", "-w", ws], capsys)
    assert code == 0 and "not a date" in out and "created_at" in out
    code, _, err = run(["export", str(tmp_path / "e"), "-w", ws], capsys)
    assert code == 0 and "wrote 16 tables" in err
    run(["init", str(tmp_path / "duck")], capsys)
    code, out, _ = run(["restore", str(tmp_path / "e"), "-w", str(tmp_path / "duck")], capsys)
    # two leads, one quarantine row, one import-log row
    assert code == 0 and "restored 4 rows" in out


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://postgres@127.0.0.1:9/test", "cannot connect to PostgreSQL at"),
        ("postgresql://postgres@127.0.0.1:5432", "name one database"),
        ("postgres://u:secret@h:x/db", "port is not a number"),
    ],
)
def test_bad_backends_are_one_line_and_leave_no_config(
    url: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["init", str(tmp_path / "w"), "--backend", url], capsys)
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert says in err and "secret" not in err and "Traceback" not in err
    assert not (tmp_path / "w" / "salesmetrics.toml").exists()
