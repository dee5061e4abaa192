"""The demo company loaded into a PostgreSQL workspace (built in a scratch DuckDB workspace,
exported and restored in one transaction); ``--replace`` is refused there."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import UserError, Workspace, init_workspace
from salesmetrics.demo import build_demo
from salesmetrics.demo.load import table_counts
from tests.demos import SEED

pytestmark = pytest.mark.slow


def test_the_demo_loads_into_postgres_like_into_duckdb(
    tmp_path: Path, pg_url: str, shared_demo: Workspace
) -> None:
    with init_workspace(tmp_path / "pg", backend=pg_url) as ws:
        result = build_demo(ws, "small", SEED)
        counts = table_counts(ws)
        assert ws.config.recurring_source == "subscriptions"
        assert "subscriptions" in (ws.root / "salesmetrics.toml").read_text(encoding="utf-8")
        with pytest.raises(UserError, match="--replace empties duckdb:// workspaces only"):
            build_demo(ws, "small", SEED, replace=True)
        assert table_counts(ws) == counts  # refused before touching anything
    assert not list((tmp_path / "pg").glob(".demo-*"))  # the scratch workspace is gone
    assert counts == table_counts(shared_demo)  # the same seed built on DuckDB
    assert result.rows == {name: counts[name] for name in result.rows}
