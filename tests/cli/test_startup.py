"""Start-up: the light commands load neither Ibis, pandas nor the demo generator.

Each command runs in a fresh interpreter, which then writes the names of every module it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Runs ``salesmetrics ARGS...`` in-process, then writes ``sorted(sys.modules)`` to a file.
RUN_AND_LIST_MODULES = """
import json, sys
from salesmetrics.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(sorted(sys.modules), f)
"""

#: Modules a light command must not load: each costs a large part of a second to import.
HEAVY = ("ibis", "pandas", "salesmetrics.demo")

LIGHT_COMMANDS = {
    "help": ["--help"],
    "calc": ["calc", "win_rate", "--won", "3", "--lost", "1"],
    "calc list": ["calc"],
    "glossary": ["glossary"],
    "glossary entry": ["glossary", "win_rate", "--lang", "id"],
}


def loaded_modules(args: list[str], cwd: Path) -> list[str]:
    """The modules loaded by ``salesmetrics ARGS`` run in a fresh interpreter in ``cwd``."""
    listing = cwd / "modules.json"
    subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, str(listing), *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )
    names: list[str] = json.loads(listing.read_text(encoding="utf-8"))
    return names


def _heavy(names: list[str]) -> list[str]:
    return [n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize("args", LIGHT_COMMANDS.values(), ids=LIGHT_COMMANDS.keys())
def test_light_commands_load_no_ibis_pandas_or_demo(args: list[str], tmp_path: Path) -> None:
    names = loaded_modules(args, tmp_path)
    assert "salesmetrics.cli" in names  # the command did run
    assert _heavy(names) == []


#: Light commands that compute nothing on arrays: the glossary, the calculators' list and help,
#: and a calculator whose formula is plain arithmetic (it computes on floats).
NUMPY_FREE = {
    "help": ["--help"],
    "calc list": ["calc"],
    "calc": ["calc", "win_rate", "--won", "3", "--lost", "1"],
    "calc help": ["calc", "win_rate", "--help"],
    "glossary": ["glossary"],
    "glossary entry": ["glossary", "win_rate", "--lang", "id"],
}


@pytest.mark.parametrize("args", NUMPY_FREE.values(), ids=NUMPY_FREE.keys())
def test_the_glossary_and_plain_calculators_load_no_numpy(args: list[str], tmp_path: Path) -> None:
    names = loaded_modules(args, tmp_path)
    assert "salesmetrics.cli" in names
    assert "salesmetrics.formulas" in names or args == ["--help"]
    assert "numpy" not in names


#: Light commands that read no workspace: the configuration's models (Pydantic, about a tenth of
#: the command's start) and the connection (the backends) stay unloaded.
NO_WORKSPACE = {
    "calc": ["calc", "win_rate", "--won", "3", "--lost", "1"],
    "glossary": ["glossary"],
    "glossary entry": ["glossary", "win_rate", "--lang", "id"],
}


@pytest.mark.parametrize("args", NO_WORKSPACE.values(), ids=NO_WORKSPACE.keys())
def test_commands_outside_a_workspace_load_no_config(args: list[str], tmp_path: Path) -> None:
    names = loaded_modules(args, tmp_path)
    assert "salesmetrics.formulas" in names  # the command did run
    assert "salesmetrics.config" not in names
    assert "salesmetrics.connection" not in names


def test_a_calculator_in_a_workspace_takes_its_defaults(tmp_path: Path) -> None:
    (tmp_path / "salesmetrics.toml").write_text("", encoding="utf-8")
    names = loaded_modules(["calc", "win_rate", "--won", "3", "--lost", "1"], tmp_path)
    assert "salesmetrics.config" in names  # the workspace's defaults were read


def test_a_calculator_that_needs_numpy_still_computes(tmp_path: Path) -> None:
    args = ["calc", "sales_forecast_accuracy", "--forecast", "100", "--actual", "80"]
    names = loaded_modules(args, tmp_path)
    assert "numpy" in names  # max(0, ...) is numpy's; still no Ibis or pandas
    assert _heavy(names) == []


def test_a_workspace_command_still_loads_what_it_needs(tmp_path: Path) -> None:
    names = loaded_modules(["init", str(tmp_path / "ws")], tmp_path)
    assert (tmp_path / "ws" / "salesmetrics.toml").exists()
    assert "ibis" in names


def test_importing_the_package_defers_the_workspace_api(tmp_path: Path) -> None:
    code = (
        "import sys, salesmetrics\n"
        "assert 'ibis' not in sys.modules and 'salesmetrics.workspace' not in sys.modules\n"
        "from salesmetrics import Workspace, calc, open_workspace\n"
        "assert Workspace.__module__ == 'salesmetrics.workspace' and callable(open_workspace)\n"
        "assert calc.evaluate('win_rate', {'won': 1, 'lost': 3}).value == 0.25\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)


def _run(args: list[str], cwd: Path) -> tuple[str, list[str]]:
    """``salesmetrics ARGS`` in a fresh interpreter: its stdout and the modules it loaded."""
    listing = cwd / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, str(listing), *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout, json.loads(listing.read_text(encoding="utf-8"))


@pytest.mark.parametrize("output", ["table", "json"])
def test_a_repeated_metrics_command_prints_the_kept_answer_without_the_engine(
    output: str, tmp_path: Path
) -> None:
    from salesmetrics.workspace import init_workspace
    from tests.pipeline.test_funnel import build

    ws = init_workspace(tmp_path / "ws")
    build(ws)
    ws.close()
    args = ["metrics", "--period", "2024", "--grain", "quarter", "--by", "team"]
    args += ["--format", output, "--workspace", str(tmp_path / "ws")]
    first, loaded_first = _run(args, tmp_path)
    again, loaded_again = _run(args, tmp_path)
    assert "ibis" in loaded_first  # computed by the engine, the answer kept
    assert again == first
    assert _heavy(loaded_again) == []  # the kept answer, read without Ibis or pandas
    csv_args = [a if a != output else "csv" for a in args]
    _, loaded_csv = _run(csv_args, tmp_path)
    assert "ibis" in loaded_csv  # CSV is always computed
