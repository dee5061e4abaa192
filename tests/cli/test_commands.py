"""The command table ``main`` uses to import only the module of the command it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from salesmetrics import cli


def registered_modules() -> dict[str, str]:
    """Every top-level command and group of the app, with the module that registers it, after
    every command module was imported."""
    cli.register()
    found: dict[str, str] = {}
    for command in cli.app.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        found[name] = command.callback.__module__
    for group in cli.app.registered_groups:
        sub = group.typer_instance
        assert group.name is not None and sub is not None
        callbacks = [c.callback for c in sub.registered_commands]
        if sub.registered_callback is not None:
            callbacks.append(sub.registered_callback.callback)
        (module,) = {c.__module__ for c in callbacks if c is not None}
        found[group.name] = module
    return found


def test_the_table_names_every_command_and_its_module() -> None:
    expected = {name: f"salesmetrics.cli.{module}" for name, module in cli.COMMAND_MODULES.items()}
    assert registered_modules() == expected


#: Runs ``salesmetrics ARGS`` and prints the command modules it imported.
LIST_COMMAND_MODULES = """
import sys
from salesmetrics.cli import COMMAND_MODULES, main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted(m for m in set(COMMAND_MODULES.values()) if f"salesmetrics.cli.{m}" in sys.modules))
"""


def imported(args: list[str], cwd: Path) -> str:
    """The command modules ``salesmetrics ARGS`` imported, as printed (the command's own output
    comes first)."""
    done = subprocess.run(
        [sys.executable, "-c", LIST_COMMAND_MODULES, *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (["calc", "win_rate", "--won", "3", "--lost", "1"], "['calc_cmd']"),
        (["glossary", "win_rate"], "['metrics_cmds']"),
        (["user", "--help"], "['web_cmds']"),
    ],
)
def test_a_command_imports_only_its_module(args: list[str], modules: str, tmp_path: Path) -> None:
    assert imported(args, tmp_path) == modules


@pytest.mark.parametrize("args", [["--help"], ["no-such-command"]])
def test_help_and_a_mistyped_command_see_every_command(args: list[str], tmp_path: Path) -> None:
    every = sorted(set(cli.COMMAND_MODULES.values()))
    assert imported(args, tmp_path) == str(every)


@pytest.mark.parametrize("name", sorted(cli.COMMAND_MODULES))
def test_each_command_alone_runs_as_a_command_of_the_app(name: str, tmp_path: Path) -> None:
    """With only its module registered, a command is still ``salesmetrics NAME`` (Typer would
    run a lone command as the whole app, taking ``NAME`` for an extra argument)."""
    done = subprocess.run(
        [sys.executable, "-c", "from salesmetrics.cli import main; main()", name, "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert f"Usage: salesmetrics {name} " in done.stdout
