"""The order and units the xdist workers take the tests in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from tests.scheduling import COSTS, SHARED_UNITS, SPARK_SCOPE, run_first, scope_of

ROOT = Path(__file__).resolve().parent.parent


def test_a_module_is_one_unit_and_the_spark_files_are_one() -> None:
    assert scope_of("tests/metrics/test_rollup.py::test_a[demo]") == "tests/metrics/test_rollup.py"
    assert scope_of("tests/metrics/test_rollup.py::Cls::test_b") == "tests/metrics/test_rollup.py"
    for nodeid in (
        "tests/parity/test_spark.py::test_every_metric_family_matches_duckdb",
        "tests/ingest/test_spark_store.py::test_import_log",
        "tests/cli/test_spark_cli.py::test_init[a::b]",
    ):
        assert scope_of(nodeid) == SPARK_SCOPE
    assert scope_of("tests/spark_like/test_x.py::test_y") == "tests/spark_like/test_x.py"
    # a word of the file name, not a part of one: the web sparklines need no JVM
    assert scope_of("tests/web/test_sparkline.py::test_z") == "tests/web/test_sparkline.py"


def test_modules_sharing_the_review_pack_are_one_unit_and_exist() -> None:
    units = {scope_of(f"{module}::test_a") for module in SHARED_UNITS}
    assert units == {"review-pack"}
    assert scope_of("tests/reports/test_delivery.py::t") == "tests/reports/test_delivery.py"
    assert all((ROOT / module).is_file() for module in SHARED_UNITS)  # no stale entry


@dataclass
class Item:
    """What run_first reads of a pytest item."""

    nodeid: str
    slow: bool = False

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "slow" and self.slow else None


def nodeids(items: list[Item]) -> list[str]:
    """The node ids of ``items`` in the order run_first gives them."""
    return [cast(Any, i).nodeid for i in run_first(cast(list[pytest.Item], items))]


def test_the_costly_units_first_longest_first_then_the_slow_then_the_rest_each_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "tests.scheduling.COSTS", {SPARK_SCOPE: 300.0, "tests/big.py": 400.0, "tests/d.py": 50.0}
    )
    items = [
        Item("tests/a.py::t1"),
        Item("tests/b.py::t1"),
        Item("tests/b.py::t2", slow=True),
        Item("tests/c_spark.py::t1"),
        Item("tests/d.py::t1"),
        Item("tests/a.py::t2"),
        Item("tests/b.py::t3"),
        Item("tests/big.py::t1"),
        Item("tests/x_spark.py::t1"),
        Item("tests/big.py::t2"),
    ]
    assert nodeids(items) == [
        "tests/big.py::t1",
        "tests/big.py::t2",
        "tests/c_spark.py::t1",
        "tests/x_spark.py::t1",
        "tests/d.py::t1",
        "tests/b.py::t1",
        "tests/b.py::t2",
        "tests/b.py::t3",
        "tests/a.py::t1",
        "tests/a.py::t2",
    ]


def test_a_unit_with_one_slow_module_runs_before_the_fast_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tests.scheduling.COSTS", {})
    items = [
        Item("tests/a.py::t1"),
        Item("tests/reports/test_html.py::t1"),
        Item("tests/reports/test_pdf.py::t1", slow=True),
    ]
    assert nodeids(items) == [
        "tests/reports/test_html.py::t1",
        "tests/reports/test_pdf.py::t1",
        "tests/a.py::t1",
    ]


def test_every_costly_unit_exists_and_spark_is_costed() -> None:
    modules = {unit for unit in COSTS if unit not in (SPARK_SCOPE, *SHARED_UNITS.values())}
    assert all((ROOT / module).is_file() for module in modules)  # no stale entry
    assert SPARK_SCOPE in COSTS  # the JVM's unit is among the longest: it must start early
