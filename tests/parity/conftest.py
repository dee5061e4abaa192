"""Fixtures of the parity tests: the small demo built once, its export, and the DuckDB results.

The reference is the session's shared copy of the small demo in an embedded DuckDB workspace
(tests/demos.py), exported once; a test for another backend restores that export into a
workspace of its own (:func:`restored`) and compares its results with
:func:`reference_results` (computed once per case and session).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from salesmetrics import Workspace, init_workspace
from salesmetrics.config import render_config
from salesmetrics.conventions import CONFIG_FILE
from salesmetrics.metrics.result import MetricResult
from tests.parity.compare import Case, review


@pytest.fixture(scope="session")
def reference_workspace(shared_demo: Workspace) -> Workspace:
    """The small demo (seed 7) in an embedded DuckDB workspace (only read)."""
    return shared_demo


@pytest.fixture(scope="session")
def demo_export(reference_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference workspace exported (``ws.export``): what other backends restore."""
    directory = tmp_path_factory.mktemp("parity-export")
    reference_workspace.export(directory)
    return directory


@pytest.fixture(scope="session")
def reference_results(reference_workspace: Workspace) -> Callable[[Case], MetricResult]:
    """The DuckDB result of a case, computed once per session."""
    cache: dict[Case, MetricResult] = {}

    def get(case: Case) -> MetricResult:
        if case not in cache:
            cache[case] = review(reference_workspace, case)
        return cache[case]

    return get


def restored(reference: Workspace, root: Path, backend: str, export: Path) -> Workspace:
    """A new workspace in ``root`` on ``backend`` holding the demo ``export``, with the
    ``reference`` workspace's settings but its own backend (the demo sets
    ``recurring_source``)."""
    ws = init_workspace(root, backend=backend)
    ws.restore(export)
    ws.config = reference.config.model_copy(update={"backend": ws.config.backend})
    (root / CONFIG_FILE).write_text(render_config(ws.config), encoding="utf-8")
    return ws
