"""The functions of salesmetrics.incremental on small tables and version maps, without a
workspace: rows replaced and added per group, and the batches found since a kept slot."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from salesmetrics import incremental


def test_units_rows_are_replaced_per_group() -> None:
    old = pa.table(
        {
            "period": ["Q1", "Q1", "Q2"],
            "rep": ["a", None, "a"],
            "n": pa.array([3, 2, 1], pa.int64()),
            "amount": pa.array([1.1, None, 2.0], pa.float64()),
        }
    )
    before = pa.table(
        {
            "period": ["Q1", "Q2"],
            "rep": ["a", "a"],
            "n": pa.array([1, 1], pa.int64()),
            "amount": pa.array([0.2, None], pa.float64()),
        }
    )
    now = pa.table(
        {
            "period": ["Q1", "Q2", "Q2"],
            "rep": ["a", "a", None],
            "n": pa.array([2, 1, 1], pa.int64()),
            "amount": pa.array([0.3, 0.7, None], pa.float64()),
        }
    )
    got = incremental.replaced(old, now, before, ["n", "amount"])
    assert got is not None
    assert got.sort_by([("period", "ascending"), ("rep", "ascending")]).to_pylist() == [
        {"period": "Q1", "rep": "a", "n": 4, "amount": 1.2},  # 1.1 - 0.2 + 0.3, exactly
        {"period": "Q1", "rep": None, "n": 2, "amount": None},
        {"period": "Q2", "rep": "a", "n": 1, "amount": 2.7},
        {"period": "Q2", "rep": None, "n": 1, "amount": None},
    ]
    # the units left a group (Q1, a), or a value (Q1 a's amount): computed again instead
    assert incremental.replaced(old, now.slice(1), before, ["n", "amount"]) is None
    emptied = now.set_column(3, "amount", pa.array([None, 0.7, None], pa.float64()))
    assert incremental.replaced(old, emptied, before, ["n", "amount"]) is None


def test_rows_are_added_per_group_sums_and_maxima() -> None:
    old = pa.table(
        {
            "period": ["Q1", "Q1", "Q2"],
            "rep": ["a", None, "a"],
            "won": pa.array([1, None, 2], pa.int64()),
            "amount": pa.array([Decimal("1.10"), None, Decimal("2.00")], pa.decimal128(18, 2)),
            "top": pa.array([3, 1, None], pa.int64()),
        }
    )
    new = pa.table(
        {
            "top": pa.array([5, None], pa.int64()),
            "amount": pa.array([Decimal("0.15"), None], pa.decimal128(38, 2)),
            "won": pa.array([1, None], pa.int64()),
            "rep": [None, "b"],
            "period": ["Q1", "Q1"],
        }
    )
    got = incremental.added(old, new, ["won", "amount"], ["top"]).sort_by(
        [("period", "ascending"), ("rep", "ascending")]
    )
    assert got.schema == old.schema
    assert got.to_pylist() == [
        {"period": "Q1", "rep": "a", "won": 1, "amount": Decimal("1.10"), "top": 3},
        {"period": "Q1", "rep": "b", "won": None, "amount": None, "top": None},
        {"period": "Q1", "rep": None, "won": 1, "amount": Decimal("0.15"), "top": 5},
        {"period": "Q2", "rep": "a", "won": 2, "amount": Decimal("2.00"), "top": None},
    ]


def logged_batches(table: str, n: int) -> list[tuple[str, int]]:
    """An import log of three batches per table, 10 rows loaded each (the last ``n``)."""
    return [(f"{table}-{i}", 10) for i in range(3)][-n:]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # one batch of 10 new rows: appended
        ({"deals": (30, 2, 2, 0), "reps": (5, 1, 1, 0)}, ({"deals": ["deals-2"]}, True)),
        # one batch loaded 10 rows but the table grew by 4: some replaced existing keys
        ({"deals": (24, 2, 2, 0), "reps": (5, 1, 1, 0)}, ({"deals": ["deals-2"]}, False)),
        # two batches: both found in the log
        ({"deals": (40, 3, 3, 0), "reps": (5, 1, 1, 0)}, ({"deals": ["deals-1", "deals-2"]}, True)),
        # a write that was no import (writes grew more than batches)
        ({"deals": (30, 2, 3, 0), "reps": (5, 1, 1, 0)}, None),
        # a write counted for every table
        ({"deals": (30, 2, 2, 1), "reps": (5, 1, 1, 0)}, None),
        # rows removed
        ({"deals": (10, 2, 2, 0), "reps": (5, 1, 1, 0)}, None),
        # nothing changed
        ({"deals": (20, 1, 1, 0), "reps": (5, 1, 1, 0)}, None),
    ],
)
def test_the_batches_since_a_kept_slot_are_found_from_the_versions(
    now: dict[str, tuple[int, ...]], expected: tuple[dict[str, list[str]], bool] | None
) -> None:
    before = incremental.as_json({"deals": (20, 1, 1, 0), "reps": (5, 1, 1, 0)})
    found = incremental.plan(before, now, frozenset(now), logged_batches)
    assert (found and (found.batches, found.appended)) == expected


def test_a_table_missing_from_the_log_is_no_delta() -> None:
    before = incremental.as_json({"deals": (20, 1, 1, 0)})
    assert (
        incremental.plan(before, {"deals": (30, 2, 2, 0)}, frozenset({"deals"}), lambda t, n: [])
        is None
    )
