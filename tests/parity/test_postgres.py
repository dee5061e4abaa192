"""Parity on PostgreSQL: the whole registry on the small demo, as on DuckDB, value by value."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.result import MetricResult
from tests.parity.compare import CASES, Case, differences, review
from tests.parity.conftest import restored
from tests.postgres import fresh_schema


@pytest.fixture(scope="module")
def postgres_workspace(
    reference_workspace: Workspace, demo_export: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """The demo export restored into a PostgreSQL workspace (its own schema, dropped after)."""
    with fresh_schema() as url:
        ws = restored(reference_workspace, tmp_path_factory.mktemp("pg") / "ws", url, demo_export)
        yield ws
        ws.close()


def test_the_restored_tables_hold_the_same_rows(
    reference_workspace: Workspace, postgres_workspace: Workspace
) -> None:
    from salesmetrics.demo.load import table_counts

    assert table_counts(postgres_workspace) == table_counts(reference_workspace)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_metric_matches_duckdb(
    case: Case,
    postgres_workspace: Workspace,
    reference_results: Callable[[Case], MetricResult],
) -> None:
    reference = reference_results(case)
    assert len(reference) > 0
    got = review(postgres_workspace, case)
    assert differences(reference, got) == []
