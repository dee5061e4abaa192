"""The import contracts of ``.importlinter`` (layers, views only in ``cli``, no cycles) hold, and
they catch an import that points up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import salesmetrics

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / ".importlinter"
PACKAGE = Path(salesmetrics.__file__).parent


def lint_imports(source: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` run on the package found in folder ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", str(CONTRACTS)]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def test_the_import_contracts_are_kept() -> None:
    run = lint_imports(PACKAGE.parent)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 kept, 0 broken" in run.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    copy = tmp_path / "salesmetrics"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    # the connection, below the engine, reaching up to it
    with (copy / "connection.py").open("a", encoding="utf-8") as f:
        f.write("\nfrom salesmetrics.metrics import engine  # noqa: E402\n")
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    assert "salesmetrics.connection is not allowed to import salesmetrics.metrics" in run.stdout
    assert "Layers point one way BROKEN" in run.stdout
