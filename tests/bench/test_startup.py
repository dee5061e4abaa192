"""P8, start-up: the medians against each command's limit, and what the light commands load."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bench import startup


def test_every_command_is_timed_after_one_untimed_run_and_light_ones_are_checked() -> None:
    calls: list[tuple[str, ...]] = []
    checked: list[tuple[str, ...]] = []

    def timer(args: Sequence[str], cwd: Path) -> startup.Run:
        calls.append(tuple(args))
        return startup.Run(float(len(calls)), 0.5)  # the untimed first run is told apart

    def heavy(args: Sequence[str], cwd: Path) -> list[str]:
        checked.append(tuple(args))
        return []

    fig = startup.measure(Path("/demo"), "2025", runs=3, timer=timer, heavy=heavy)

    labels = ["--help", "calc", "glossary", "metrics (small demo)"]
    assert list(fig.details["seconds"]) == labels
    assert len(calls) == 4 * (1 + 3)
    assert fig.details["seconds"]["--help"] == [2.0, 3.0, 4.0]  # the first run is not timed
    metrics = next(c for c in calls if c[0] == "metrics")
    assert metrics[metrics.index("--workspace") + 1] == "/demo" and "2025" in metrics
    assert [c[0] for c in checked] == ["--help", "calc", "glossary"]
    assert all(label in fig.measured for label in labels)


def test_the_ratio_is_the_worst_median_against_its_limit() -> None:
    walls = {
        "--help": [0.1, 0.2, 0.9],
        "calc": [0.2, 0.15, 0.25],
        "glossary": [0.1, 0.1, 0.1],
        "metrics (small demo)": [0.5, 0.6, 2.0],
    }
    timings = {k: [startup.Run(w, w / 2) for w in v] for k, v in walls.items()}
    fig = startup.figure(timings, {"--help": [], "calc": []}, Path("/demo"), "2025")
    assert fig.details["median_seconds"]["--help"] == 0.2
    assert fig.ratio == max(0.2 / 0.3, 0.2 / 0.3, 0.1 / 0.3, 0.6 / 1.0)
    assert fig.holds is True
    assert fig.details["median_cpu_seconds"]["--help"] == 0.1
    assert fig.bar == "P8" and "metrics (small demo) 0.60 s (≤ 1; CPU 0.30 s)" in fig.measured

    slow = {**timings, "calc": [startup.Run(0.4, 0.2)] * 3}
    assert startup.figure(slow, {}, Path("/demo"), "2025").holds is False


def test_a_light_command_loading_pandas_fails_the_bar_whatever_its_time() -> None:
    timings = {
        label: [startup.Run(0.01, 0.01)]
        for label in ("--help", "calc", "glossary", "metrics (small demo)")
    }
    loads = {"--help": [], "glossary": ["pandas", "pandas.core"]}
    fig = startup.figure(timings, loads, Path("/demo"), "2025")
    assert fig.ratio is not None and fig.ratio < 1
    assert fig.holds is False
    assert fig.note == "glossary loaded pandas"


def test_help_really_runs_and_loads_nothing_heavy(tmp_path: Path) -> None:
    run = startup.run_once(["--help"], tmp_path)
    assert run.wall > 0 and run.cpu > 0
    assert startup.loaded_heavy(["--help"], tmp_path) == []
    assert "ibis" in startup.loaded_heavy(["init", str(tmp_path / "ws")], tmp_path)


def test_children_may_cache_bytecode_as_an_installed_package_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("SALESMETRICS_BENCH_PROBE", "kept")
    env = startup.child_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["SALESMETRICS_BENCH_PROBE"] == "kept"
