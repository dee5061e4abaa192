"""Recognized revenue on Spark: the lines of every shape (tests/recurring/test_recognition.py)
against the plain-Python reference, on a Spark workspace. Spark is where decimal arithmetic is
narrowed (a product wider than 38 digits loses scale), so the exact division of the converted
shares and the 64-bit cumulative cents are checked there line by line, not only through the
demo's sums (tests/parity/test_spark.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace, init_workspace
from tests.recurring.test_recognition import (  # noqa: F401 - rerun on Spark
    test_lines_of_every_shape_against_the_reference,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def workspace(tmp_path: Path, spark_url: str) -> Iterator[Workspace]:
    """A fresh Spark workspace instead of the embedded one."""
    ws = init_workspace(tmp_path / "ws", backend=spark_url)
    yield ws
    ws.close()
