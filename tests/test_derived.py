"""The materialised whole-history intermediates: built once, shared, dropped when data change."""

from __future__ import annotations

from collections.abc import Hashable

import ibis
import pytest

from salesmetrics.workspace import Workspace
from tests.pipeline.test_funnel import PATHS, build


def _one_table(ws: Workspace, calls: list[int]) -> ibis.Table:
    def make() -> ibis.Table:
        calls.append(1)
        opps = ws.table("opportunities")
        return opps.group_by("stage").aggregate(n=opps.count())

    return ws.derived.get("stages_count", make)


def test_built_once_until_the_version_changes(workspace: Workspace) -> None:
    build(workspace)
    calls: list[int] = []
    first = _one_table(workspace, calls)
    again = _one_table(workspace, calls)
    assert calls == [1] and first is again
    assert first.count().execute() == len({p[-1][1] for p in PATHS.values()})
    workspace.derived.refresh("v1")  # a new version: dropped, built again on next use
    assert _one_table(workspace, calls) is not first and calls == [1, 1]
    workspace.derived.refresh("v1")
    _one_table(workspace, calls)
    assert calls == [1, 1]


def test_dropped_tables_are_gone_from_the_backend(workspace: Workspace) -> None:
    build(workspace)
    table = _one_table(workspace, [])
    name = table.get_name().split(".")[-1]  # temp.main.<name> on DuckDB

    def stored() -> int:
        sql = "SELECT count(*) FROM duckdb_tables() WHERE table_name = $n"
        row = workspace.duckdb.execute(sql, {"n": name}).fetchone()
        return int(row[0]) if row else 0

    assert stored() == 1
    workspace.derived.clear()
    assert stored() == 0


def add_a_deal(ws: Workspace) -> None:
    """Import one more deal, f4, with two stage changes (through the import store)."""
    from tests.metrics.builder import insert

    rows = [
        {"opportunity_id": "f4", "stage": "Proposal", "created_at": PATHS["f1"][0][0], "amount": 1}
    ]
    insert(ws, "opportunities", rows)
    history = [
        {"opportunity_id": "f4", "changed_at": PATHS["f1"][0][0], "stage": "Discovery"},
        {"opportunity_id": "f4", "changed_at": PATHS["f1"][3][0], "stage": "Proposal"},
    ]
    insert(ws, "opportunity_history", history)


def test_an_import_drops_them_and_metrics_see_the_new_data(
    workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from salesmetrics.workspace import init_workspace

    build(workspace)
    first = workspace.metrics(period="2024-Q2")  # every family: every derived table is built
    assert any(q.startswith("derived ") for q in first.queries)
    assert not any(q.startswith("derived ") for q in workspace.metrics(period="2024-Q2").queries)
    before = workspace.metrics(["time_in_stage"], period="2024-Q2")
    add_a_deal(workspace)
    after = workspace.metrics(["time_in_stage"], period="2024-Q2")
    fresh = init_workspace(tmp_path_factory.mktemp("fresh"))
    build(fresh)
    add_a_deal(fresh)
    expected = fresh.metrics(["time_in_stage"], period="2024-Q2")
    assert after.rows() == expected.rows() != before.rows()


def _ids(ws: Workspace, scope: Hashable, calls: list[Hashable]) -> ibis.Table:
    """A table of period ``scope`` (noting each build of it in ``calls``)."""

    def make() -> ibis.Table:
        calls.append(scope)
        return ws.table("opportunities").select("opportunity_id")

    return ws.derived.get("ids", make, scope=scope)


def test_a_period_scope_keeps_its_own_table(workspace: Workspace) -> None:
    build(workspace)
    calls: list[Hashable] = []

    def get(scope: str) -> ibis.Table:
        return _ids(workspace, scope, calls)

    quarters = get("quarters")
    assert get("quarters") is quarters and calls == ["quarters"]
    assert get("months") is not quarters and calls == ["quarters", "months"]
    assert workspace.derived.built[-2:] == ["periods ids", "periods ids"]
    assert _one_table(workspace, []) is not quarters  # the whole-history table is another one


def test_the_least_recently_used_period_scope_is_dropped(workspace: Workspace) -> None:
    from salesmetrics.derived import PERIOD_SCOPES

    build(workspace)
    calls: list[Hashable] = []

    def get(scope: int) -> ibis.Table:
        return _ids(workspace, scope, calls)

    first = get(0)
    whole = _one_table(workspace, [])
    for scope in range(1, PERIOD_SCOPES):
        get(scope)
    get(0)  # used again: now the most recent
    get(PERIOD_SCOPES)  # one scope too many: scope 1, the least recently used, goes
    assert get(0) is first
    assert _one_table(workspace, []) is whole  # whole-history tables are not scoped
    calls.clear()
    get(1)
    assert calls == [1]
    stored = workspace.duckdb.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_sm_periods_ids_%'"
    ).fetchone()
    assert stored == (PERIOD_SCOPES,)
