"""How pytest-xdist hands the tests to its workers: a module at a time, the Spark files together.

A module's tests run on one worker, so a module-scoped fixture (a demo restored into PostgreSQL,
the pandas review, a workspace whose kept intermediates later tests reuse) is built once, not
once per worker; modules that share a costly session fixture are one unit
(:data:`SHARED_UNITS`). Every test module whose file name has the word ``spark`` goes to one
worker, so one JVM starts: the Spark context is per process and costs seconds and a GiB or
more of memory.

Scheduling by file name and not by the ``xdist_group`` mark: with pytest 9.2, xdist 3.8's
``--dist loadgroup`` no longer groups (pytest-xdist issue #1386), and the controller that
schedules sees node ids only. tests/conftest.py checks that no test outside such a file starts
Spark, and orders the units longest first (:func:`run_first`): the workers take the units in
that order (``--no-loadscope-reorder``), each taking the next when it is nearly done, so the
long ones start early and no long unit ends the run alone. How long a unit takes is known for
the costly ones (:data:`COSTS`, measured); the others are ordered by whether they hold a slow
test, then as collected.
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadFileScheduling

#: The scope of every test in a Spark file.
SPARK_SCOPE = "spark"

#: Modules that read the same costly session fixture, each group scheduled as one unit so the
#: fixture is built once, not once per worker: module path → unit.
SHARED_UNITS: dict[str, str] = {
    # the full review pack of the demo (tests/reports/conftest.py): seconds to build
    "tests/reports/test_html.py": "review-pack",
    "tests/reports/test_pdf.py": "review-pack",
    "tests/reports/test_xlsx.py": "review-pack",
}


#: About what the costliest units take, in seconds of one worker on a quiet machine: the order
#: they are handed out in, longest first (longest-processing-time-first: the two longest start
#: at once on the two workers, and no long unit is left to end the run alone). Measured on
#: 2026-12-07 (docs/testing.md, "late night"): CPU seconds of the unit run alone (``-n 0``,
#: user + sys with the subprocesses) where measured, else the night CI run's ``--durations``
#: (Spark, whose JVM's CPU is not counted; the PostgreSQL and browser units, whose servers'
#: is not either). Only the order matters: a stale figure costs a little balance, never a
#: result. A unit not listed comes after every listed one.
COSTS: dict[str, float] = {
    SPARK_SCOPE: 300,
    # tests/incremental/ after its split (docs/testing.md): its 106.5 CPU s shared by test size
    "tests/incremental/test_new_keys.py": 55,
    "tests/incremental/test_replaced.py": 35,
    "tests/metrics/test_crosscheck.py": 85,
    "tests/metrics/test_rollup.py": 75,
    "review-pack": 60,
    "tests/parity/test_postgres.py": 60,
    "tests/demo/test_cli.py": 50,
    "tests/metrics/test_examples.py": 49,
    "tests/bench/test_p10_pack.py": 40,
    "tests/bench/test_pandas_review.py": 40,
    "tests/metrics/test_engine.py": 38,
    "tests/web/test_browser.py": 30,
    "tests/web/test_dashboards.py": 30,
    "tests/test_kept.py": 30,
    "tests/incremental/test_leads.py": 30,
    "tests/metrics/test_quality.py": 29,
}


def is_spark_file(nodeid: str) -> bool:
    """Whether the test ``nodeid`` lives in a module of the Spark tests: ``spark`` is one of the
    ``_``-separated words of its file name (``test_spark_store.py``, not ``test_sparkline.py``)."""
    stem = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
    return SPARK_SCOPE in stem.split("_")


def scope_of(nodeid: str) -> str:
    """The unit of work ``nodeid`` is scheduled in: its module, its :data:`SHARED_UNITS` unit,
    or :data:`SPARK_SCOPE`."""
    if is_spark_file(nodeid):
        return SPARK_SCOPE
    module = nodeid.split("::", 1)[0]
    return SHARED_UNITS.get(module, module)


def run_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """``items`` by unit, the units of :data:`COSTS` first (longest first), then the units
    holding a slow test, then the rest, each unit's tests together and in their order."""
    slow = {scope_of(item.nodeid) for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> tuple[float, int]:
        unit = scope_of(item.nodeid)
        return (-COSTS.get(unit, 0.0), 0 if unit in slow else 1)

    return sorted(items, key=rank)  # stable: a unit's tests stay together, in order


class ModuleScheduling(LoadFileScheduling):
    """xdist's file scheduling with the Spark files as one unit (:func:`scope_of`)."""

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)
