"""Loading the demo through the importer: nothing rejected, everything there, config set."""

from __future__ import annotations

import pyarrow as pa
import pytest

from salesmetrics import Workspace, schema
from salesmetrics.demo import DemoResult, build_demo
from salesmetrics.errors import UserError

from .conftest import needs_importer


def test_nothing_is_rejected(loaded: tuple[Workspace, DemoResult]) -> None:
    ws, result = loaded
    assert result.rejected == 0
    assert ws.count(schema.QUARANTINE.name) == 0


def test_one_import_batch_per_table(loaded: tuple[Workspace, DemoResult]) -> None:
    ws, _ = loaded
    rows = ws.duckdb.execute(
        "SELECT table_name, rows_loaded, rows_rejected FROM _import_log ORDER BY 1"
    ).fetchall()
    assert sorted(name for name, _, _ in rows) == sorted(schema.SCHEMA)
    assert all(rejected == 0 for _, _, rejected in rows)


def test_every_generated_row_is_loaded(
    loaded: tuple[Workspace, DemoResult], small: dict[str, pa.Table]
) -> None:
    ws, result = loaded
    for t in schema.TABLES:
        assert ws.count(t.name) == small[t.name].num_rows == result.rows[t.name], t.name


def test_mrr_comes_from_subscriptions(loaded: tuple[Workspace, DemoResult]) -> None:
    ws, result = loaded
    assert ws.config.recurring_source == "subscriptions"
    assert 'recurring_source = "subscriptions"' in (ws.root / "salesmetrics.toml").read_text()
    assert result.config_changed


def test_refuses_a_workspace_with_data(loaded: tuple[Workspace, DemoResult]) -> None:
    ws, _ = loaded
    with pytest.raises(UserError, match="--replace") as info:
        build_demo(ws, "small")
    assert "\n" not in str(info.value)


def test_period_covered(loaded: tuple[Workspace, DemoResult]) -> None:
    _, result = loaded
    assert (result.first_day, result.last_day) == ("2023-01-01", "2025-12-31")


def _one_rep(ws: Workspace) -> None:
    from salesmetrics.ingest import load_arrow

    load_arrow(ws, "reps", pa.table({"rep_id": ["OLD-1"], "name": ["Old Rep"]}), source="test")


@needs_importer
def test_replace_swaps_everything_in(workspace: Workspace) -> None:
    _one_rep(workspace)
    result = build_demo(workspace, "small", 3, replace=True)
    assert result.rejected == 0
    assert workspace.duckdb.execute(
        "SELECT count(*) FROM reps WHERE rep_id = 'OLD-1'"
    ).fetchone() == (0,)
    sources = workspace.duckdb.execute("SELECT DISTINCT file FROM _import_log").fetchall()
    assert sources == [("demo:small:seed=3",)]
    assert workspace.count("reps") == 40
    assert not list(workspace.root.glob(".demo-*"))


@needs_importer
def test_a_failed_build_leaves_the_workspace_as_it_was(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salesmetrics.ingest as ingest

    _one_rep(workspace)
    config_before = (workspace.root / "salesmetrics.toml").read_text()
    real = ingest.load_arrow
    calls = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(args[1])
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "load_arrow", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build_demo(workspace, "small", 3, replace=True)
    assert workspace.count("reps") == 1
    assert workspace.count("opportunities") == 0
    assert (workspace.root / "salesmetrics.toml").read_text() == config_before
    assert not list(workspace.root.glob(".demo-*"))
