"""``salesmetrics demo`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics.cli import main

from .conftest import needs_importer


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``salesmetrics ARGV``."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    captured = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


@pytest.mark.slow
@needs_importer
def test_demo_builds_refuses_then_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = str(tmp_path / "acme")
    code, out, err = run(["demo", "--workspace", where, "--seed", "3"], capsys)
    assert code == 0, err
    assert "opportunity_history" in out and "2023-01-01" in out and "2025-12-31" in out
    assert "rejected rows: 0" in out
    assert "next:" in err
    assert (tmp_path / "acme" / "salesmetrics.toml").exists()

    code, out, err = run(["demo", "--workspace", where], capsys)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and "--replace" in err
    assert "Traceback" not in err

    code, out, err = run(["demo", "--workspace", where, "--replace", "--quiet"], capsys)
    assert code == 0, err
    assert err == ""
    assert "total" in out


def test_unknown_scale_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["demo", "--scale", "huge", "--workspace", str(tmp_path)], capsys)
    assert code == 2
    assert "huge" in err
    assert not (tmp_path / "salesmetrics.toml").exists()


def test_scale_choices_are_the_scales() -> None:
    from salesmetrics.cli.demo_cmd import ScaleName
    from salesmetrics.demo import SCALES

    assert [s.value for s in ScaleName] == list(SCALES)


def test_every_suggested_command_parses(capsys: pytest.CaptureFixture[str]) -> None:
    """The hints name only commands and options this version has (each parses with --help)."""
    import shlex

    from salesmetrics.cli import register
    from salesmetrics.cli.demo_cmd import next_steps
    from salesmetrics.demo import DemoResult

    register()
    result = DemoResult("small", 7, {}, 0, 1.0, False)
    steps = next_steps(result, " --workspace 'my demo'")
    assert steps
    for line in steps:
        argv = shlex.split(line)
        assert argv[0] == "salesmetrics"
        code, _out, err = run([*argv[1:], "--help"], capsys)
        assert code == 0, (line, err)
