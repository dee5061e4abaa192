"""The demo company loaded into a PostgreSQL workspace (built in a scratch DuckDB workspace,
exported and restored in one transaction); ``--replace`` is refused there."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import UserError, init_workspace
from salesmetrics.demo import build_demo
from salesmetrics.demo.load import table_counts

pytestmark = pytest.mark.slow


def test_the_demo_loads_into_postgres_like_into_duckdb(tmp_path: Path, pg_url: str) -> None:
    with init_workspace(tmp_path / "pg", backend=pg_url) as ws:
        result = build_demo(ws, "small", 3)
        counts = table_counts(ws)
        assert ws.config.recurring_source == "subscriptions"
        assert "subscriptions" in (ws.root / "salesmetrics.toml").read_text(encoding="utf-8")
        with pytest.raises(UserError, match="--replace empties duckdb:// workspaces only"):
            build_demo(ws, "small", 3, replace=True)
        assert table_counts(ws) == counts  # refused before touching anything
    assert not list((tmp_path / "pg").glob(".demo-*"))  # the scratch workspace is gone
    with init_workspace(tmp_path / "duck") as duck:
        build_demo(duck, "small", 3)
        assert counts == table_counts(duck)
    assert result.rows == {name: counts[name] for name in result.rows}
