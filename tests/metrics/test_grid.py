"""The component grid: family frames placed on (period, group) rows by position."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from salesmetrics.metrics.grid import Components, decimal_floats, factorize, positions


def _spine(*periods: str, prev: dict[str, str] | None = None) -> pd.DataFrame:
    prev = prev or {}
    return pd.DataFrame(
        {
            "period": list(periods),
            "start": [dt.date(2025, 1, 1)] * len(periods),
            "end": [dt.date(2025, 4, 1)] * len(periods),
            "output": [True] * len(periods),
            "compare_period": [None] * len(periods),
            "prev_period": [prev.get(p) for p in periods],
        }
    )


def _objects(*values: object) -> list[object]:
    return list(values)


def test_positions_match_rows_with_missing_values_equal() -> None:
    among = [np.array(["a", None, "b"], dtype=object), np.array([1, 2, None], dtype=object)]
    values = [
        np.array([None, "b", "a", "a"], dtype=object),
        np.array([2, None, 1, 2], dtype=object),
    ]
    assert positions(values, among).tolist() == [1, 2, 0, -1]


def test_factorize_gives_one_code_per_distinct_row_and_its_first_row() -> None:
    codes, first = factorize([np.array(["x", "y", "x", None, None], dtype=object)])
    assert codes.tolist() == [0, 1, 0, 2, 2] and first.tolist() == [0, 1, 3]


def test_a_group_without_a_value_is_none_after_merging_families() -> None:
    frames = {
        "forecasts": (pa.table({"period": ["2025-Q1"], "team": _objects("East")}), ["team"]),
        # deals of a rep without a team
        "deals": (
            pa.table({"period": ["Q1"] * 2, "team": _objects("East", None), "won": [1, 2]}),
            ["team"],
        ),
    }
    grid = Components(_spine("2025-Q1", "Q1"), frames).grid(
        ["team"], ["forecasts", "deals"], [], {"won"}
    )
    assert grid.columns["team"].tolist() == [None, "East", None, "East"]  # missing sorts first
    assert grid.group_dicts.tolist() == [{"team": None}, {"team": "East"}]
    assert grid.columns["won"].tolist() == [0.0, 0.0, 2.0, 1.0]  # additive: missing is 0


def test_groups_are_those_of_the_primary_families_in_any_period() -> None:
    deals = pa.table({"period": ["P1", "P2"], "rep": _objects("r2", "r1"), "won": [1, 5]})
    leads = pa.table({"period": ["P2"], "rep": _objects("r3"), "median": [7.5]})
    components = Components(
        _spine("P1", "P2"), {"deals": (deals, ["rep"]), "leads": (leads, ["rep"])}
    )
    grid = components.grid(["rep"], ["deals"], [], {"won"})
    assert grid.groups["rep"].tolist() == ["r1", "r2"] and grid.size == 4
    assert grid.columns["won"].tolist() == [0.0, 1.0, 5.0, 0.0]
    both = components.grid(["rep"], ["deals", "leads"], [], {"won"})
    assert both.groups["rep"].tolist() == ["r1", "r2", "r3"]
    assert np.isnan(both.columns["median"]).tolist() == [True] * 5 + [False]  # not additive


def test_a_broadcast_family_is_read_on_its_own_dimensions() -> None:
    deals = pa.table(
        {
            "period": ["P1", "P1", "P2"],
            "team": _objects("A", "B", "A"),
            "rep": _objects("r1", "r2", "r1"),
        }
    )
    costs = pa.table({"period": ["P1", "P2"], "spend": [10.0, 20.0]})
    quota = pa.table({"period": ["P2"], "team": _objects("A"), "quota": [3.0]})
    frames = {
        "deals": (deals, ["team", "rep"]),
        "costs": (costs, []),
        "quota": (quota, ["team"]),
    }
    grid = Components(_spine("P1", "P2"), frames).grid(
        ["team", "rep"], ["deals"], ["costs", "quota"], set()
    )
    assert grid.columns["spend"].tolist() == [10.0, 10.0, 20.0, 20.0]
    assert np.isnan(grid.columns["quota"]).tolist() == [True, True, False, True]


def test_company_wide_grids_have_every_period_even_without_rows() -> None:
    empty = pa.table({"period": pd.Series([], dtype=object), "won": pd.Series([], dtype=object)})
    grid = Components(_spine("P1", "P2"), {"deals": (empty, [])}).grid([], ["deals"], [], {"won"})
    assert grid.size == 2 and grid.columns["won"].tolist() == [0.0, 0.0]
    assert grid.group_dicts.tolist() == [{}]


def test_shifted_finds_the_same_group_in_the_previous_period() -> None:
    deals = pa.table({"period": ["P1", "P2"], "rep": _objects("r1", "r2"), "won": [1, 2]})
    spine = _spine("P2", "P1", prev={"P2": "P1", "P1": "P0"})
    grid = Components(spine, {"deals": (deals, ["rep"])}).grid(["rep"], ["deals"], [], {"won"})
    # rows: (P2, r1), (P2, r2), (P1, r1), (P1, r2); P0 is not in the spine
    assert grid.shifted("prev_period").tolist() == [2, 3, -1, -1]


def test_decimals_become_floats_and_text_keeps_none() -> None:
    frame = pa.table(
        {
            "period": ["P1", "P2"],
            "amount": pa.array([Decimal("0.10"), None], pa.decimal128(38, 2)),
            "next_stage": _objects("Won", None),
        }
    )
    grid = Components(_spine("P1", "P2"), {"f": (frame, [])}).grid([], ["f"], [], set())
    assert grid.columns["amount"].dtype == np.float64 and grid.columns["amount"][0] == 0.1
    assert np.isnan(grid.columns["amount"][1])
    assert grid.columns["next_stage"].tolist() == ["Won", None]


@given(
    st.lists(st.one_of(st.none(), st.integers(-(10**20), 10**20)), min_size=1, max_size=50),
    st.sampled_from([0, 2, 4, 9]),
    st.integers(0, 3),
)
def test_decimal_floats_are_the_nearest_floats(
    units: list[int | None], scale: int, skip: int
) -> None:
    values = [None if u is None else Decimal(u).scaleb(-scale) for u in units]
    array = pa.chunked_array(
        [pa.array(values, pa.decimal128(38, scale)).slice(min(skip, len(values)))]
    )
    out = decimal_floats(array)
    expected = [float(v) if v is not None else None for v in values[min(skip, len(values)) :]]
    assert [None if np.isnan(x) else float(x) for x in out] == expected
