"""Parity on PostgreSQL: the whole registry on the small demo, as on DuckDB, value by value."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.result import MetricResult
from tests.cli.test_workspace_cli import run
from tests.parity.compare import CASES, COMMANDS, Case, differences, review
from tests.parity.conftest import restored
from tests.postgres import fresh_schema

#: The parity tier runs in make test; make check has the PostgreSQL backend's own tests
#: (tests/backends/test_postgres.py, tests/cli/test_postgres_cli.py, the worked examples rerun
#: in test_postgres_examples.py).
pytestmark = pytest.mark.slow


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


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=c.marks) for c in CASES], ids=[c.id for c in CASES]
)
def test_every_metric_matches_duckdb(
    case: Case,
    postgres_workspace: Workspace,
    reference_results: Callable[[Case], MetricResult],
) -> None:
    reference = reference_results(case)
    assert len(reference) > 0
    got = review(postgres_workspace, case)
    assert differences(reference, got) == []


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_commands_print_the_same(
    command: tuple[str, ...],
    reference_workspace: Workspace,
    postgres_workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = run([*command, "-w", str(reference_workspace.root)], capsys)
    assert expected[0] == 0, expected[2]
    assert run([*command, "-w", str(postgres_workspace.root)], capsys) == expected


def test_comparisons_with_last_year_match_duckdb(
    reference_workspace: Workspace, postgres_workspace: Workspace
) -> None:
    def compared(ws: Workspace) -> MetricResult:
        return ws.metrics(period="2025-Q2", by=["team"], compare="year")

    reference = compared(reference_workspace)
    assert reference.frame["compare_value"].notna().any()
    assert differences(reference, compared(postgres_workspace)) == []
