"""Recognized-revenue tests of tests/recurring/test_recognition.py rerun on PostgreSQL
workspaces: the same lines, the same expected values (the plain-Python reference's and the
hand-worked ones), so the cumulative rounding and the exact division of the converted shares
hold on PostgreSQL's arithmetic too. The lines of every shape include the ties and the few cents
over many days of the DuckDB-only tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace, init_workspace
from tests.recurring.test_recognition import (  # noqa: F401 - rerun on PostgreSQL
    test_foreign_line_converts_each_days_exact_share,
    test_foreign_line_over_whole_and_partial_months_of_any_periods,
    test_large_amounts_over_long_periods_do_not_overflow,
    test_lines_of_every_shape_against_the_reference,
    test_the_issue_example_is_within_a_cent_of_every_months_share,
)

#: The PostgreSQL parity tier: make test (make check runs them on DuckDB).
pytestmark = pytest.mark.slow


@pytest.fixture
def workspace(tmp_path: Path, pg_url: str) -> Iterator[Workspace]:
    """A fresh PostgreSQL workspace (its own schema) instead of the embedded one."""
    ws = init_workspace(tmp_path / "ws", backend=pg_url)
    yield ws
    ws.close()
