"""Every metric's values on the small demo are those recorded before the core refactor.

``data/small_demo_before.json.gz`` was recorded with ``python -m tests.metrics.golden`` on commit
fbd1166 (before the connection, snapshots, cache and layers changed); a later definition change
(another issue) re-records it in the commit that changes the definition, saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import Workspace
from tests.metrics import golden

BEFORE = Path(__file__).parent / "data" / "small_demo_before.json.gz"


@pytest.mark.slow
def test_values_are_those_recorded_before_the_refactor(shared_demo: Workspace) -> None:
    before = golden.load(BEFORE)
    after = golden.record(shared_demo.root)
    assert len(after) == len(before) > 4000
    assert list(golden.differences(before, after)) == []


def test_the_comparison_sees_a_cent_and_a_ratio_move() -> None:
    row = {
        "request": ["2025", None, [], None],
        "metric": "m",
        "period": "2025",
        "group": {"team": "A", "stage": "B"},
        "unit": "money",
        "value": 10.0,
        "components": {"won": 2},
        "note": None,
        "target": None,
        "status": None,
        "compare_value": None,
        "change": None,
    }
    same = {**row, "value": 10.004, "group": {"stage": "B", "team": "A"}}
    assert list(golden.differences([row], [same])) == []  # within the cent, keys in any order
    assert len(list(golden.differences([row], [{**row, "value": 10.01}]))) == 1
    ratio = {**row, "unit": "ratio", "value": 0.25}
    assert len(list(golden.differences([ratio], [{**ratio, "value": 0.25 + 1e-7}]))) == 1
    assert len(list(golden.differences([row], [{**row, "components": {"won": 3}}]))) == 1
    assert len(list(golden.differences([row], []))) == 1
