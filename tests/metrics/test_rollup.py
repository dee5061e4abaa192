"""Component cubes: groupings by rep dimensions summed up from the finest one."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from salesmetrics import init_workspace
from salesmetrics.metrics import rollup
from salesmetrics.metrics.families import Family
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.workspace import Workspace
from tests.demos import DemoBuild, copy_demo
from tests.metrics.randomized import build as build_random
from tests.metrics.test_crosscheck import YEAR


def _family(**changes: Any) -> Family:
    fields = {
        "name": "f",
        "tables": (),
        "dims_supported": frozenset({"rep", "team", "manager", "region", "segment"}),
        "components": ("n",),
        "build": lambda ctx, dims: None,
        "additive": True,
    }
    return Family(**{**fields, **changes})  # type: ignore[arg-type]


def test_applies_only_to_additive_families_and_rep_dimensions() -> None:
    assert rollup.applies(_family(), ())
    assert rollup.applies(_family(), ("team", "region"))
    assert not rollup.applies(_family(), ("segment",))
    assert not rollup.applies(_family(), ("team", "segment"))
    assert not rollup.applies(_family(additive=False), ())
    assert not rollup.applies(_family(other=("median",)), ())
    assert rollup.applies(_family(other=("next",), maxima=("next",)), ())
    assert rollup.applies(_family(inherent=("stage",)), ("team", "stage"))
    assert not rollup.applies(_family(dims_supported=frozenset({"rep", "team"})), ())


def _cube() -> pa.Table:
    return pa.table(
        {
            "period": ["Q1", "Q1", "Q1", "Q2", "Q2"],
            "rep": ["r1", "r2", None, "r1", "r2"],
            "team": ["A", "A", None, "A", "B"],
            "manager": ["m1", "m1", None, "m1", "m2"],
            "region": ["EU", "US", None, "EU", "US"],
            "n": [1, 2, 4, 8, 16],
            "amount": pa.array(
                [Decimal("0.10"), Decimal("0.20"), None, None, None], pa.decimal128(38, 2)
            ),
            "latest": ["b", "a", None, None, None],
        }
    )


FAMILY = _family(components=("n", "amount"), other=("latest",), maxima=("latest",))


def test_roll_sums_by_the_requested_dimensions() -> None:
    out = rollup.roll(_cube(), FAMILY, ["team"]).to_pandas()
    rows = {(r.period, r.team): (r.n, r.amount) for r in out.itertuples()}
    assert rows[("Q1", "A")] == (3, Decimal("0.30"))  # decimals stay exact
    latest = {(r.period, r.team): r.latest for r in out.itertuples()}
    assert latest[("Q1", "A")] == "b" and pd.isna(latest[("Q2", "B")])  # maxima: the largest
    none_key = next(k for k in rows if k[0] == "Q1" and pd.isna(k[1]))
    assert rows[none_key][0] == 4  # a missing team is its own group
    assert pd.isna(rows[("Q2", "B")][1])  # all cells null: null, as SQL's SUM
    company = rollup.roll(_cube(), FAMILY, []).to_pandas()
    assert dict(zip(company["period"], company["n"], strict=True)) == {"Q1": 7, "Q2": 24}


def test_roll_of_an_empty_cube_is_empty() -> None:
    out = rollup.roll(_cube().slice(0, 0), FAMILY, ["rep"])
    assert out.column_names == ["period", "rep", "n", "amount", "latest"] and out.num_rows == 0


def test_roll_keeps_the_inherent_dimensions() -> None:
    family = _family(inherent=("stage",))
    cube = pa.concat_tables(
        [_cube().append_column("stage", pa.array([stage] * 5)) for stage in ("Won", "Lost")]
    )
    out = rollup.roll(cube.drop_columns(["amount", "latest"]), family, ["stage"])
    columns = (out[c].to_pylist() for c in ("period", "stage", "n"))
    assert sorted(zip(*columns, strict=True)) == [
        ("Q1", "Lost", 7),
        ("Q1", "Won", 7),
        ("Q2", "Lost", 24),
        ("Q2", "Won", 24),
    ]


def test_roll_refuses_a_column_that_is_not_a_component() -> None:
    with pytest.raises(ValueError, match="median"):
        rollup.roll(_cube().append_column("median", pa.array([1.0] * 5)), FAMILY, [])


#: The random company (make check) and the demo company (make test, the slow tier).
BOTH = ["random", pytest.param("demo", marks=pytest.mark.slow)]


@pytest.fixture(scope="module")
def company(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, int]]:
    root: Path = tmp_path_factory.mktemp(f"rollup-{request.param}") / "ws"
    if request.param == "demo":
        # a copy of its own: the tests count the queries, which another module's use would save
        build: DemoBuild = request.getfixturevalue("demo_build")
        ws, year = copy_demo(build, root), build.year
    else:
        ws, year = init_workspace(root), YEAR
        build_random(ws)
    yield ws, year
    ws.close()


def _close(a: Any, b: Any, cents: bool = False) -> bool:
    """Equal, numbers to 1e-9 (``cents``: money shown rounded to the cent may differ by one
    cent, the two sums adding the same floats in another order)."""
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return a is b or (pd.isna(a) and pd.isna(b))
    if isinstance(a, int | float | Decimal) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.011 if cents else 1e-9)
    return bool(a == b)


def _rows(ws: Workspace, year: int, by: list[str]) -> dict[tuple[str, str, str], Any]:
    result = ws.metrics(period=str(year), grain="quarter", by=by)
    return {(r["metric"], r["period"], repr(sorted(r["group"].items()))): r for r in result.rows()}


def _same_rows(got: dict[tuple[str, str, str], Any], want: dict[tuple[str, str, str], Any]) -> None:
    assert got.keys() == want.keys()
    for key, row in want.items():
        other = got[key]
        money = row["unit"] in ("money", "money_per_day")
        assert _close(other["value"], row["value"], money), (key, other["value"], row["value"])
        assert other["components"].keys() == row["components"].keys(), key
        for name, value in row["components"].items():
            assert _close(other["components"][name], value, cents=True), (key, name)


@pytest.mark.parametrize("by", [[], ["team"], ["rep"], ["manager", "region"]])
@pytest.mark.parametrize("company", BOTH, indirect=True)
def test_the_review_is_the_same_with_and_without_cubes(
    company: tuple[Workspace, int], by: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, year = company
    with_cubes = _rows(ws, year, by)
    monkeypatch.setattr(rollup, "applies", lambda family, dims: False)
    ws.derived.clear()
    direct = _rows(ws, year, by)
    _same_rows(with_cubes, direct)


# twelve reviews and three of the whole year: on the demo only, whose data every family reads
# (the random company has no billing data, history or forecasts); the property is the engine's,
# not the data's
@pytest.mark.slow
@pytest.mark.parametrize("company", ["demo"], indirect=True)
def test_a_period_is_the_same_computed_alone_or_with_other_periods(
    company: tuple[Workspace, int],
) -> None:
    # every family's rows are kept per period (Derived.periodic): a period's rows must not
    # depend on the other periods of the spine that computed them
    ws, year = company
    groupings: list[list[str]] = [[], ["rep"], ["segment"]]
    ws.derived.reset()
    together = {tuple(by): _rows(ws, year, by) for by in groupings}
    ws.derived.reset()
    for quarter in range(1, 5):
        for by in groupings:
            ws.metrics(period=f"{year}-Q{quarter}", by=by)  # each quarter (and the one before)
    for by in groupings:
        pieces = ws.metrics(period=str(year), grain="quarter", by=by)
        assert not set(family_registry()) & set(pieces.queries)  # every period's rows kept
        _same_rows(_rows(ws, year, by), together[tuple(by)])


@pytest.mark.slow
@pytest.mark.parametrize("company", ["demo"], indirect=True)
def test_a_coarser_grouping_of_the_same_periods_runs_no_query_for_additive_families(
    company: tuple[Workspace, int],
) -> None:
    ws, year = company
    ws.derived.reset()  # the cubes' periods kept by earlier tests too
    first = ws.metrics(period=str(year), grain="quarter")
    by_team = ws.metrics(period=str(year), grain="quarter", by=["team"])
    additive = {name for name, f in family_registry().items() if f.additive}
    assert additive & set(first.queries)
    assert not additive & set(by_team.queries)
    other_periods = ws.metrics(period=str(year), grain="month", by=["team"])
    assert additive & set(other_periods.queries)  # another spine: its own cubes
