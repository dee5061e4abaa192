"""The demo cache: the stamp follows the sources, callers at once build once, and a build that
fails or is stale never looks current."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import salesmetrics.demo
from bench import cache
from salesmetrics.demo import DemoResult


def test_cache_stamp_follows_the_generator_inputs(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "demo").mkdir(parents=True)
    (package / "ingest").mkdir()
    (package / "metrics").mkdir()
    for name in (
        "schema.py",
        "config.py",
        "conventions.py",
        "demo/a.py",
        "ingest/b.py",
        "metrics/c.py",
    ):
        (package / name).write_text("x = 1\n")
    first = cache.inputs_digest("small", 7, package)
    assert first == cache.inputs_digest("small", 7, package)
    assert first != cache.inputs_digest("small", 8, package)
    (package / "demo/a.py").write_text("x = 2\n")
    changed = cache.inputs_digest("small", 7, package)
    assert changed != first
    root = tmp_path / "ws"
    root.mkdir()
    (root / "salesmetrics.toml").write_text("")
    (root / cache.STAMP).write_text(json.dumps({"digest": changed}))
    assert cache.is_current(root, changed)
    assert not cache.is_current(root, first)


def test_the_whole_package_digest_follows_every_source(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "demo").mkdir(parents=True)
    (package / "metrics").mkdir()
    for name in ("schema.py", "config.py", "conventions.py", "demo/a.py", "metrics/c.py"):
        (package / name).write_text("x = 1\n")
    (package / "ingest").mkdir()
    bench_before = cache.inputs_digest("small", 7, package)
    whole_before = cache.inputs_digest("small", 7, package, cache.WHOLE_PACKAGE)
    (package / "metrics/c.py").write_text("x = 2\n")
    assert cache.inputs_digest("small", 7, package) == bench_before  # not among the bench's
    assert cache.inputs_digest("small", 7, package, cache.WHOLE_PACKAGE) != whole_before


class FakeBuild:
    """Stands in for ``build_demo``: slow enough for callers to overlap; counts its calls."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def __call__(self, ws: Any, scale: str, seed: int) -> DemoResult:
        self.calls += 1
        time.sleep(0.5)
        if self.fail:
            raise RuntimeError("the build broke")
        return DemoResult(scale, seed, {"reps": 3}, 0, 0.5, True)


def test_callers_at_once_wait_for_one_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeBuild()
    monkeypatch.setattr(salesmetrics.demo, "build_demo", fake)
    found: list[Path] = []

    def ask() -> None:
        found.append(cache.demo_workspace("small", 7, cache=tmp_path))

    callers = [threading.Thread(target=ask) for _ in range(3)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    root = tmp_path / "small-seed7"
    assert fake.calls == 1
    assert found == [root] * 3
    assert cache.read_stamp(root)["result"]["rows"] == {"reps": 3}
    assert cache.is_current(root, cache.inputs_digest("small", 7))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small-seed7", "small-seed7.lock"]


def test_a_failed_build_leaves_nothing_that_looks_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "small-seed7"
    root.mkdir()
    (root / "salesmetrics.toml").write_text("")
    (root / cache.STAMP).write_text(json.dumps({"digest": "from older sources"}))
    monkeypatch.setattr(salesmetrics.demo, "build_demo", FakeBuild(fail=True))
    with pytest.raises(RuntimeError, match="broke"):
        cache.demo_workspace("small", 7, cache=tmp_path)
    assert not cache.is_current(root, cache.inputs_digest("small", 7))
    assert not list(tmp_path.glob(".*building*"))  # the scratch folder is gone

    fake = FakeBuild()
    monkeypatch.setattr(salesmetrics.demo, "build_demo", fake)
    assert cache.demo_workspace("small", 7, cache=tmp_path) == root
    assert cache.is_current(root, cache.inputs_digest("small", 7))
    assert cache.demo_workspace("small", 7, cache=tmp_path) == root
    assert fake.calls == 1  # current: not built again
