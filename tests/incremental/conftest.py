"""The small demo reviewed once per session (per xdist worker), copied by the tests that grow
it, and a copy of it the tests compare with (they only read it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salesmetrics import Workspace
from tests.demos import DemoBuild, copy_demo
from tests.incremental.grow import ReviewedDemo, copy_reviewed, reviewed


@pytest.fixture(scope="session")
def reviewed_demo(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> ReviewedDemo:
    """The small demo as built, reviewed once (every case computed from nothing, so every
    intermediate is kept), then closed: the reference review, and the workspace a test
    copies (:func:`~tests.incremental.grow.copy_reviewed`) instead of reviewing its own."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("reviewed") / "ws")
    try:
        results = reviewed(ws)
    finally:
        ws.close()
    return ReviewedDemo(ws.root, results)


@pytest.fixture(scope="session")
def whole(
    reviewed_demo: ReviewedDemo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """A copy of the reviewed demo (the data as built, its intermediates kept), for the tests
    that compare kept rows or ask for more metrics (it must keep the demo's rows)."""
    ws = copy_reviewed(reviewed_demo, tmp_path_factory.mktemp("whole") / "ws")
    yield ws
    ws.close()
