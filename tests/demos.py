"""The seeded small demo for tests: built once, copied for each use.

The workspace is built by ``bench/cache.py`` in a cache folder that outlives the test session
(``$SALESMETRICS_TEST_CACHE``, default ``.cache/test-demos`` in the repository), stamped with a
digest of every source of the package, so any change of the code rebuilds it once and an
unchanged tree never does. pytest-xdist workers asking at once wait for one build.

Nothing opens the cached folder itself: :func:`copy_demo` copies it (a few MB) where a test
wants it. :func:`shared_demo` is one copy per session (per xdist worker) for tests that only
read: they must not change its rows or its config. A test that writes takes :func:`demo_copy`
(a copy of its own), or makes one with :func:`copy_demo` at the scope it needs.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from bench import cache
from salesmetrics import Workspace, open_workspace
from salesmetrics.demo import DemoResult, generate
from salesmetrics.demo.calendar import DATA_END, to_date

SCALE = "small"
SEED = 7
ENV_CACHE = "SALESMETRICS_TEST_CACHE"
DEFAULT_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "test-demos"


@dataclass(frozen=True)
class DemoBuild:
    """A cached demo workspace: its folder (never opened in place) and what the build loaded."""

    root: Path
    result: DemoResult

    @property
    def year(self) -> int:
        """The demo's last full calendar year (the year most tests review)."""
        last = to_date(DATA_END)
        return last.year if (last.month, last.day) == (12, 31) else last.year - 1


def cache_folder() -> Path:
    """Where the test demos are cached (``$SALESMETRICS_TEST_CACHE``, else the default)."""
    return Path(os.environ.get(ENV_CACHE) or DEFAULT_CACHE)


def cached_demo(scale: str = SCALE, seed: int = SEED) -> DemoBuild:
    """The demo of ``scale``/``seed`` in the test cache, built unless current."""
    root = cache.demo_workspace(scale, seed, cache=cache_folder(), inputs=cache.WHOLE_PACKAGE)
    return DemoBuild(root, DemoResult(**cache.read_stamp(root)["result"]))


def copy_demo(build: DemoBuild, dest: Path) -> Workspace:
    """A copy of the cached demo in ``dest`` (which must not exist), opened."""
    shutil.copytree(build.root, dest)
    (dest / cache.STAMP).unlink()
    return open_workspace(dest)


def collect(scale: str = SCALE, seed: int = SEED) -> dict[str, pa.Table]:
    """Every table of a generated demo, as Arrow tables (the generator's output, not loaded)."""
    batches: dict[str, list[pa.RecordBatch]] = defaultdict(list)
    for name, batch in generate(scale, seed):
        batches[name].append(batch)
    return {name: pa.Table.from_batches(b) for name, b in batches.items()}


@pytest.fixture(scope="session")
def demo_build() -> DemoBuild:
    """The small demo (seed 7), built through the importer once (see the module's docstring)."""
    return cached_demo()


@pytest.fixture(scope="session")
def shared_demo(
    demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """One copy of the small demo for the session, shared by the tests that only read it."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("shared-demo") / "ws")
    yield ws
    ws.close()


@pytest.fixture
def demo_copy(demo_build: DemoBuild, tmp_path: Path) -> Iterator[Workspace]:
    """A copy of the small demo of the test's own, free to change."""
    ws = copy_demo(demo_build, tmp_path / "demo")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def small() -> dict[str, pa.Table]:
    """The small demo (seed 7) as the generator yields it, as Arrow tables, generated once."""
    return collect()
