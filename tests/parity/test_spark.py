"""Parity on Spark (local[2]): the whole registry on the small demo, as on DuckDB, value by value.

The slow tier: a Spark query costs seconds where DuckDB takes milliseconds, and each case runs
every family's query once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.result import MetricResult
from tests.parity.compare import CASES, Case, differences, review
from tests.parity.conftest import restored

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark_workspace(
    reference_workspace: Workspace,
    demo_export: Path,
    spark_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Workspace]:
    """The demo export restored into a Spark workspace."""
    root = tmp_path_factory.mktemp("spark") / "ws"
    ws = restored(reference_workspace, root, spark_url, demo_export)
    yield ws
    ws.close()


def test_the_restored_tables_hold_the_same_rows(
    reference_workspace: Workspace, spark_workspace: Workspace
) -> None:
    from salesmetrics.demo.load import table_counts

    assert table_counts(spark_workspace) == table_counts(reference_workspace)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_metric_matches_duckdb(
    case: Case,
    spark_workspace: Workspace,
    reference_results: Callable[[Case], MetricResult],
) -> None:
    reference = reference_results(case)
    assert len(reference) > 0
    got = review(spark_workspace, case)
    assert differences(reference, got) == []
