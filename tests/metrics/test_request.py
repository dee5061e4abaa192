"""A metrics request: built once from loose arguments, canonical, checked before any query."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from salesmetrics.errors import UserError
from salesmetrics.metrics.request import Request
from salesmetrics.periods import Grain
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert
from tests.metrics.test_examples import deal


def test_loose_arguments_become_one_canonical_request() -> None:
    request = Request.of(
        "win_rate",
        period="2024",
        grain="Quarter",
        by="Team",
        compare="year",
        basis={"time_spent_selling": "standard"},
    )
    assert request == Request(
        ("win_rate",),
        period="2024",
        grain=Grain.QUARTER,
        by=("team",),
        compare="year",
        basis=(("time_spent_selling", "standard"),),
    )
    assert request.bases == {"time_spent_selling": "standard"}
    assert Request.of([" win_rate", "win_rate"], by=["rep", "team", "rep"]).metrics == ("win_rate",)
    assert Request.of(["win_rate"], by=["rep", "team", "rep"]).by == ("rep", "team")
    assert Request.of() == Request()
    assert hash(request) == hash(dataclasses.replace(request))
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.period = "2025"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"metrics": ["win_rte"]}, r"unknown metric 'win_rte' \(did you mean 'win_rate'"),
        ({"by": ["teams"]}, r"unknown group dimension 'teams' \(did you mean 'team'"),
        ({"compare": "last"}, r"bad comparison 'last'; use previous or year"),
        ({"basis": {"win_rate": "x"}}, r"win_rate: unknown basis 'x'"),
        ({"grain": "fortnight"}, r"bad grain 'fortnight'"),
        (
            {"period": "2024", "from_period": "2024-Q1", "to_period": "2024-Q2"},
            "either a period or --from/--to",
        ),
        ({"from_period": "2024-Q1"}, "--from and --to go together"),
    ],
)
def test_a_bad_request_is_refused_when_it_is_built(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        Request.of(**arguments)  # type: ignore[arg-type]


def test_the_facade_takes_a_request_or_its_keyword_arguments(workspace: Workspace) -> None:
    insert(workspace, "opportunities", [deal(1, "won", dt.date(2024, 5, 1), 100)])
    request = Request.of(["total_revenue"], period="2024", grain="quarter")
    given = workspace.metrics(request).rows()
    assert given == workspace.metrics(["total_revenue"], period="2024", grain="quarter").rows()
    assert [r["value"] for r in given] == [0, 100, 0, 0]
    with pytest.raises(UserError, match="either a Request or"):
        workspace.metrics(request, period="2025")


@pytest.mark.parametrize(
    "request_",
    [
        Request.of(),
        Request.of("win_rate", period="2025", grain="quarter", by=["team", "region"]),
        Request.of(["mrr", "arr"], from_period="2025-01", to_period="2025-06", compare="year"),
        Request.of("time_spent_selling", period="all", basis={"time_spent_selling": "standard"}),
    ],
)
def test_a_request_survives_its_json_form(request_: Request) -> None:
    import json

    data = json.loads(json.dumps(request_.as_dict()))
    assert Request.from_dict(data) == request_
