"""``salesmetrics report``: writes the pack its suffix names; bad input is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.cli import main
from salesmetrics.errors import UserError
from salesmetrics.reports import build_pack


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_writes_a_role_pack(
    shared_demo: Workspace, quarter: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "people.xlsx"
    args = ["report", "--cadence", "quarterly", "--period", quarter, "--role", "people"]
    code, stdout, stderr = run(
        [*args, "--out", str(out), "-w", str(shared_demo.root), "-q"], capsys
    )
    assert (code, stderr) == (0, "")
    assert out.stat().st_size > 0
    assert stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cadence", "monthly", "--period", "2025-Q4", "--out", "x.html"], "whole month"),
        (
            ["--cadence", "quarterly", "--period", "2025-Q4", "--out", "x.doc"],
            ".html, .pdf or .xlsx",
        ),
        (["--cadence", "quarterly", "--period", "2025-Q9", "--out", "x.html"], "2025-Q9"),
        (
            ["--cadence", "quarterly", "--period", "2025-Q4", "--role", "ceo", "--out", "x.html"],
            "unknown role",
        ),
        (
            ["--cadence", "quarterly", "--period", "2025-Q4", "--by", "colour", "--out", "x.html"],
            "colour",
        ),
    ],
)
def test_bad_input_is_one_line(
    shared_demo: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    args = [a if a[:2] != "x." else str(tmp_path / a) for a in args]
    code, _, stderr = run(["report", *args, "-w", str(shared_demo.root)], capsys)
    assert code == 1
    assert stderr.startswith("error: ") and stderr.count("\n") == 1
    assert message in stderr


def test_the_python_api_refuses_an_unknown_cadence(shared_demo: Workspace) -> None:
    with pytest.raises(UserError, match="unknown cadence 'weekly'"):
        build_pack(shared_demo, "weekly", "2025-W01")
