"""The worked example of every metric (tests/metrics/test_examples.py), and the saved-forecast
test, rerun on PostgreSQL workspaces: the same fixtures, the same expected values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace, init_workspace
from tests.metrics.test_examples import (  # noqa: F401 - rerun on PostgreSQL
    metric_id,
    test_components_of_the_json_contract_example,
    test_worked_example_through_the_engine,
)
from tests.metrics.test_forecasting import test_weighted_forecast_and_save  # noqa: F401

#: The PostgreSQL parity tier: make test (make check runs the worked examples on DuckDB).
pytestmark = pytest.mark.slow


@pytest.fixture
def workspace(tmp_path: Path, pg_url: str) -> Iterator[Workspace]:
    """A fresh PostgreSQL workspace (its own schema) instead of the embedded one."""
    ws = init_workspace(tmp_path / "ws", backend=pg_url)
    yield ws
    ws.close()
