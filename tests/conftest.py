"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace, init_workspace

#: Shared fixtures kept in their own modules (``pg_url``: a PostgreSQL schema per test;
#: ``spark_url``: the test session's Spark context; ``demo_build``, ``shared_demo``,
#: ``demo_copy``, ``small``: the seeded small demo, built once and cached).
pytest_plugins = ["tests.postgres", "tests.spark", "tests.demos"]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace (embedded DuckDB) in a temporary folder."""
    ws = init_workspace(tmp_path / "ws")
    yield ws
    ws.close()
