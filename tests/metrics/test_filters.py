"""Filters (``where``): a filtered result is the filtered value's group of the grouped result,
for every family; bad filters are one-line errors; kept answers and cubes key on the filter."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pandas as pd
import pytest

from salesmetrics import open_workspace
from salesmetrics.errors import UserError
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.metrics.request import Request
from salesmetrics.workspace import Workspace

#: Every field of a result row: a filtered row must equal its group's row in all of them.
FIELDS = ("value", "unit", "components", "note", "target", "status", "compare_value", "change")


def _key(row: dict[str, Any]) -> str:
    return json.dumps([row["metric"], row["period"], row["group"]], sort_keys=True, default=str)


def _common_value(result: Any, dim: str) -> str:
    """The value of ``dim`` the most rows of a grouped result have (a group with data)."""
    counts = Counter(r["group"].get(dim) for r in result.rows() if r["value"] is not None)
    counts.pop(None, None)
    return counts.most_common(1)[0][0]


# (grouped by, filtered dimension): together every family is filtered (asserted below)
CASES = [
    ((), "region"),
    ((), "first_plan"),
    ((), "team"),
    (("team",), "segment"),
    ((), "channel"),
    ((), "plan"),
    ((), "type"),
    (("region",), "source"),
]


@pytest.fixture(scope="module")
def families_seen() -> set[str]:
    return set()


@pytest.mark.parametrize(("by", "dim"), CASES)
def test_a_filtered_result_is_the_group_row_of_the_grouped_one(
    shared_demo: Workspace, by: tuple[str, ...], dim: str, families_seen: set[str]
) -> None:
    options: dict[str, Any] = {"period": "2025", "grain": "quarter", "compare": "previous"}
    if dim == "first_plan":  # the trailing-12-month retention (family recurring_12m) too
        options["basis"] = {"net_revenue_retention": "trailing_12m"}
    grouped = shared_demo.metrics(by=[*by, dim], **options)
    value = _common_value(grouped, dim)
    filtered = shared_demo.metrics(by=list(by), where={dim: value}, **options)
    assert filtered.where == {dim: value} and filtered.by == by
    expected = {_key(r): r for r in grouped.rows() if r["group"].get(dim) == value}
    compared = 0
    for row in filtered.rows():
        assert row["group"][dim] == value, row
        found = expected.pop(_key(row), None)
        if found is None:  # metrics whose facts carry no such dimension, or no such value, say so
            assert row["value"] is None, row
            assert row["note"].startswith(("not available ", f"no data for {dim}=")), row
            continue
        assert {f: row.get(f) for f in FIELDS} == {f: found.get(f) for f in FIELDS}, row
        compared += 1
    assert not expected  # every row of the group is there
    assert compared > 20
    families_seen.update(filtered.families)


def test_every_family_was_filtered(families_seen: set[str]) -> None:
    if len(families_seen) < 3:
        pytest.skip("runs after the parametrised cases of this module")
    assert families_seen == set(family_registry())


def test_a_filter_against_raw_rows(shared_demo: Workspace) -> None:
    """Deals won in 2025 by the EMEA reps, counted from the tables with pandas."""
    opps = shared_demo.backend.to_pyarrow(shared_demo.table("opportunities")).to_pandas()
    reps = shared_demo.backend.to_pyarrow(shared_demo.table("reps")).to_pandas()
    region = opps["owner_id"].map(dict(zip(reps["rep_id"], reps["region"], strict=True)))
    close = pd.to_datetime(opps["close_date"])
    mine = opps[(opps["status"] == "won") & (region == "EMEA") & (close.dt.year == 2025)]
    (row,) = shared_demo.metrics(["win_rate"], period="2025", where={"region": "EMEA"}).rows()
    assert row["components"]["won"] == len(mine) > 0


def test_two_filters_and_a_filter_without_rows(shared_demo: Workspace) -> None:
    grouped = shared_demo.metrics(["win_rate"], period="2025", by=["region", "segment"])
    both = shared_demo.metrics(["win_rate"], period="2025", where=["region=EMEA", "segment=SMB"])
    (row,) = both.rows()
    (match,) = [r for r in grouped.rows() if r["group"] == {"region": "EMEA", "segment": "SMB"}]
    assert row["value"] == match["value"] and row["components"] == match["components"]
    # a value of the data with no facts of this metric in the period: one row saying so
    (empty,) = shared_demo.metrics(["win_rate"], period="2019", where={"region": "EMEA"}).rows()
    assert empty["value"] is None and empty["note"].startswith("no data for region=EMEA")
    assert empty["group"] == {"region": "EMEA"}


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"region": "EMAE"}, "filter region='EMAE': no such region in the data (did you mean"),
        ({"region": "emea"}, "(did you mean 'EMEA'?)"),
        ({"regin": "EMEA"}, "unknown group dimension 'regin' (did you mean 'region'?)"),
        (["region"], "bad filter 'region': use DIM=VALUE"),
        (["region="], "filter region='': give a value"),
        (["region=EMEA", "region=APAC"], "filter region: one value at a time"),
    ],
)
def test_bad_filters_are_one_line_errors(shared_demo: Workspace, where: Any, message: str) -> None:
    with pytest.raises(UserError) as err:
        shared_demo.metrics(["win_rate"], period="2025", where=where)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_request_keys_on_the_filter() -> None:
    a = Request.of(["win_rate"], period="2025", where={"segment": "SMB", "region": "EMEA"})
    b = Request.of(["win_rate"], period="2025", where=["region=EMEA", "segment=SMB"])
    assert a == b and a.as_dict()["where"] == {"region": "EMEA", "segment": "SMB"}
    assert Request.from_dict(a.as_dict()) == a
    assert Request.of(["win_rate"], period="2025").as_dict() != a.as_dict()


def test_no_kept_answer_or_cube_of_another_filter_is_reused(demo_copy: Workspace) -> None:
    root = demo_copy.root
    emea = Request.of(["win_rate", "total_revenue"], period="2025", where={"region": "EMEA"})
    apac = Request.of(["win_rate", "total_revenue"], period="2025", where={"region": "APAC"})
    grouped = demo_copy.metrics(["win_rate", "total_revenue"], period="2025", by="region")
    first = demo_copy.metrics(emea)
    assert demo_copy.keep_answer(emea, first)
    demo_copy.close()
    with open_workspace(root) as ws:  # a second session: kept answers and cubes on disk
        assert ws.kept_answer(emea) is not None
        assert ws.kept_answer(apac) is None
        second = ws.metrics(apac)
    by_region = {_key(r): r for r in grouped.rows()}
    for row in second.rows():
        assert row["group"] == {"region": "APAC"}
        assert row["value"] == by_region[_key(row)]["value"]
    values = {r["metric"]: r["value"] for r in second.rows()}
    assert values != {r["metric"]: r["value"] for r in first.rows()}


def test_segments_are_saved_filters(demo_copy: Workspace) -> None:
    demo_copy.config.segments = {"emea_smb": {"region": "EMEA", "segment": "SMB"}}
    saved = demo_copy.metrics(["win_rate"], period="2025", segment="emea_smb")
    given = demo_copy.metrics(["win_rate"], period="2025", where=["region=EMEA", "segment=SMB"])
    assert saved.rows() == given.rows()
    with pytest.raises(UserError, match=r"no segment 'emea_sm' in salesmetrics\.toml"):
        demo_copy.metrics(["win_rate"], period="2025", segment="emea_sm")
    with pytest.raises(UserError, match="segment 'emea_smb' has region=EMEA"):
        demo_copy.metrics(["win_rate"], period="2025", segment="emea_smb", where=["region=APAC"])


def test_the_pipeline_filtered_is_its_group(shared_demo: Workspace) -> None:
    import datetime as dt

    day = dt.date(2025, 7, 1)
    grouped = shared_demo.pipeline(as_of=day, by=["region"])
    filtered = shared_demo.pipeline(as_of=day, where={"region": "EMEA"})
    mine = grouped[grouped["region"] == "EMEA"].drop(columns="region").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        filtered.sort_values(["stage", "close_period"]).reset_index(drop=True),
        mine.sort_values(["stage", "close_period"]).reset_index(drop=True),
        check_dtype=False,
    )
    with pytest.raises(UserError, match="plan"):
        shared_demo.pipeline(as_of=day, where={"plan": "Growth"})
