"""Fixtures shared by the whole suite, the Hypothesis profiles, and the order of the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from salesmetrics import Workspace, init_workspace
from tests.depth import DEEP_FACTOR, GATE_EXAMPLES, PROFILE_ENV
from tests.scheduling import ModuleScheduling, is_spark_file, run_first

#: Shared fixtures kept in their own modules (``pg_url``: a PostgreSQL schema per test;
#: ``spark_url``: the test session's Spark context; ``demo_build``, ``shared_demo``,
#: ``demo_copy``, ``small``: the seeded small demo, built once and cached).
pytest_plugins = ["tests.postgres", "tests.spark", "tests.demos"]

#: Hypothesis profiles, chosen by ``$HYPOTHESIS_PROFILE``: ``gate`` (the default: ``make check``,
#: ``make test``, CI) draws Hypothesis's default 100 examples per property, and fewer where each
#: example imports a file or queries a database; it is derandomized (the same examples every
#: run, no example database), so the gate's time and verdict do not vary from run to run.
#: ``deep`` draws ten times as many, fresh each run, for a nightly or occasional run
#: (``HYPOTHESIS_PROFILE=deep make test``). Such a property states its count at the gate
#: with tests/depth.py's ``examples``, which the profile scales. No deadline: the properties
#: import files and query databases, whose timings vary with the machine's load. Both print
#: the blob that reproduces a failure (``@reproduce_failure``).
_PROFILE = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
    "print_blob": True,
}
settings.register_profile(
    "gate", max_examples=GATE_EXAMPLES, derandomize=True, database=None, **_PROFILE
)
# derandomize stated: with CI set, Hypothesis's own "ci" profile (derandomized) is the parent.
settings.register_profile(
    "deep", max_examples=DEEP_FACTOR * GATE_EXAMPLES, derandomize=False, **_PROFILE
)
settings.load_profile(os.environ.get(PROFILE_ENV, "gate"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that starts Spark outside a Spark file (they must share one worker), and
    order the modules for the workers (tests/scheduling.py)."""
    strays = [
        item.nodeid
        for item in items
        if "spark_url" in getattr(item, "fixturenames", ()) and not is_spark_file(item.nodeid)
    ]
    if strays:
        raise pytest.UsageError(
            "tests using spark_url must live in a file named with the word spark "
            f"(test_spark_x.py): {', '.join(strays)}"
        )
    items[:] = run_first(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ModuleScheduling | None:
    """``--dist loadfile`` (the suite's default): by module, the Spark files as one unit."""
    return ModuleScheduling(config, log) if config.getvalue("dist") == "loadfile" else None


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace (embedded DuckDB) in a temporary folder."""
    ws = init_workspace(tmp_path / "ws")
    yield ws
    ws.close()
