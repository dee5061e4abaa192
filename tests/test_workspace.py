"""Workspaces: init, open by folder or environment, backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import UserError, init_workspace, open_workspace, schema
from salesmetrics.errors import ConfigError
from salesmetrics.workspace import ENV_WORKSPACE


def test_init_creates_config_database_and_every_table(tmp_path: Path) -> None:
    with init_workspace(tmp_path / "w") as ws:
        assert (tmp_path / "w" / "salesmetrics.toml").exists()
        assert (tmp_path / "w" / "workspace.duckdb").exists()
        assert set(schema.SCHEMA) <= set(ws.backend.list_tables())
        assert ws.count("opportunities") == 0


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    init_workspace(tmp_path).close()
    with pytest.raises(UserError, match="exists already"):
        init_workspace(tmp_path)
    init_workspace(tmp_path, force=True, base_currency="eur").close()
    assert open_workspace(tmp_path).config.base_currency == "EUR"


def test_open_uses_the_environment_then_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_workspace(tmp_path / "a").close()
    monkeypatch.setenv(ENV_WORKSPACE, str(tmp_path / "a"))
    assert open_workspace().root == tmp_path / "a"
    monkeypatch.delenv(ENV_WORKSPACE)
    monkeypatch.chdir(tmp_path / "a")
    assert open_workspace().root == Path()


def test_open_without_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no workspace here"):
        open_workspace(tmp_path)


def test_table_expressions_come_through_ibis(tmp_path: Path) -> None:
    with init_workspace(tmp_path) as ws:
        with ws.writing() as backend:
            backend.con.execute(
                "INSERT INTO reps (rep_id, name, team) VALUES ('r1', 'Ana', 'East')"
            )
        assert ws.table("reps").team.execute().tolist() == ["East"]
        with pytest.raises(UserError, match="did you mean 'reps'"):
            ws.table("rep")


def test_the_embedded_engine_keeps_to_the_configured_memory_limit(tmp_path: Path) -> None:
    init_workspace(tmp_path).close()
    config = tmp_path / "salesmetrics.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('memory_limit = "2GB"', 'memory_limit = "300MB"')
    config.write_text(text, encoding="utf-8")
    with open_workspace(tmp_path) as ws:
        limit, spill = ws.duckdb.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert limit == "286.1 MiB"  # DuckDB reports 300 MB in MiB
    assert spill == str(tmp_path / "workspace.duckdb.tmp")


def test_open_checks_target_metric_ids_against_the_registry(tmp_path: Path) -> None:
    init_workspace(tmp_path).close()
    path = tmp_path / "salesmetrics.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(f"{text}\n[targets.win_rte]\ndefault = 0.3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'targets.win_rte'.*did you mean 'win_rate'"):
        open_workspace(tmp_path)
    path.write_text(f"{text}\n[targets.win_rate]\ndefault = 0.3\n", encoding="utf-8")
    with open_workspace(tmp_path) as ws:
        assert ws.config.targets["win_rate"].default == 0.3
