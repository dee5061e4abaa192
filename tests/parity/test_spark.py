"""Parity on Spark (local[2]): the whole registry on the small demo, as on DuckDB, value by value.

The slow tier: a Spark query costs seconds where DuckDB takes milliseconds. One case runs every
family's query: the demo's last full year by quarter and by team (:data:`CASE`). The other
grains and groupings are expressions built the same way on every backend; they are compared
value by value on PostgreSQL (tests/parity/test_postgres.py, every case of
:data:`~tests.parity.compare.CASES`), and Spark's own date handling in another time zone in
tests/backends/test_spark.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.registry import REGISTRY
from salesmetrics.metrics.result import MetricResult
from tests.parity.compare import Case, differences, review
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


#: The evaluation compared on Spark: every family, grouped, over four periods.
CASE = Case("quarter", ("team",))


def test_every_metric_family_matches_duckdb(
    reference_workspace: Workspace,
    spark_workspace: Workspace,
    reference_results: Callable[[Case], MetricResult],
) -> None:
    from salesmetrics.demo.load import table_counts

    assert table_counts(spark_workspace) == table_counts(reference_workspace)
    reference = reference_results(CASE)
    assert set(reference.frame["metric"]) == set(REGISTRY)  # every family has rows to compare
    got = review(spark_workspace, CASE)
    assert differences(reference, got) == []
