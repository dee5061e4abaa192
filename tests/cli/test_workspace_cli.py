"""init / export / restore through the command line, with the exit-status contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_export_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["init", str(tmp_path / "a")], capsys)
    assert code == 0 and "created workspace" in out
    code, _, err = run(["export", str(tmp_path / "e"), "--workspace", str(tmp_path / "a")], capsys)
    assert code == 0 and "wrote 16 tables" in err
    run(["init", str(tmp_path / "b")], capsys)
    code, out, _ = run(["restore", str(tmp_path / "e"), "-w", str(tmp_path / "b")], capsys)
    assert code == 0 and "restored 0 rows" in out


def test_user_error_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["init", str(tmp_path)], capsys)
    code, _, err = run(["init", str(tmp_path)], capsys)
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_bad_config_is_reported_with_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["init", str(tmp_path)], capsys)
    with (tmp_path / "salesmetrics.toml").open("a", encoding="utf-8") as f:
        f.write("\n")
    text = (tmp_path / "salesmetrics.toml").read_text(encoding="utf-8")
    (tmp_path / "salesmetrics.toml").write_text("gross_margn = 0.5\n" + text, encoding="utf-8")
    code, _, err = run(["export", str(tmp_path / "e"), "-w", str(tmp_path)], capsys)
    assert code == 1 and "unknown key 'gross_margn'" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["no-such-command"], capsys)
    assert code == 2
