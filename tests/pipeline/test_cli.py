"""``salesmetrics pipeline`` and ``salesmetrics forecast`` on the hand-built Q2 history."""

from __future__ import annotations

import datetime as dt

import pytest

from salesmetrics.workspace import Workspace
from tests.cli.test_metrics_cli import run
from tests.pipeline import scenario


def test_pipeline_as_of(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    scenario.build(workspace)
    frame = workspace.pipeline(as_of=dt.date(2024, 4, 1), by="team")
    assert int(frame["deals"].sum()) == 6 and frame["amount"].sum() == 840  # 750 + d8 90
    code, out, err = run(
        ["pipeline", "--as-of", "2024-04-01", "--by", "team", "-w", str(workspace.root)], capsys
    )
    assert code == 0, err
    assert "2024-Q2" in out and "6 deals" in out
    code, _, err = run(["pipeline", "--as-of", "April", "-w", str(workspace.root)], capsys)
    assert code == 1 and "not a date" in err


def test_forecast_save_and_backtest(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario.build(workspace)
    root = str(workspace.root)
    workspace.close()
    code, out, err = run(["forecast", "--period", "2024-Q2", "--save", "-w", root], capsys)
    assert code == 0, err
    assert "weighted_pipeline" in out and "statistical" in out and "saved 2 forecasts" in out
    code, out, err = run(
        ["forecast", "--backtest", "--from", "2024-Q1", "--to", "2024-Q2", "-w", root], capsys
    )
    assert code == 0, err
    assert "Methods compared" in out
