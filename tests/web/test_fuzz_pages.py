"""Arbitrary input to /api/calc and /api/drill is answered, never a server error.

Each property logs in once (a client per module and role): its examples only read.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics.formulas import FORMULAS
from tests.web.conftest import Site, login

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
NUMBERISH = st.one_of(TEXT, st.floats(allow_nan=True).map(str), st.integers().map(str))
KEYS = st.sampled_from(["won", "lost", "gross_margin", "x", "lang"])
GROUPS = st.sampled_from(["team=x", "rep=", "region=EMEA", "=1"])


@pytest.fixture(scope="module")
def rep(site: Site) -> TestClient:
    """The demo's rep, logged in once for the module."""
    return login(site, "rep")


@pytest.fixture(scope="module")
def manager(site: Site) -> TestClient:
    """The demo's manager (a team), logged in once for the module."""
    return login(site, "manager")


@settings(max_examples=40, deadline=None)
@given(
    name=st.one_of(st.sampled_from(list(FORMULAS)), TEXT),
    inputs=st.dictionaries(KEYS, NUMBERISH),
)
def test_api_calc_never_fails(rep: TestClient, name: str, inputs: dict[str, str]) -> None:
    answer = rep.get(f"/api/calc/{quote(name, safe='')}", params=inputs)
    assert answer.status_code in (200, 400, 404, 422), answer.text


@settings(max_examples=25, deadline=None)
@given(
    metric=st.sampled_from(["win_rate", "mrr", "enps", "nope"]),
    period=st.one_of(st.none(), st.sampled_from(["2025", "2025-Q2", "ytd", "2025-13"]), TEXT),
    group=st.lists(st.one_of(TEXT, GROUPS), max_size=2),
)
def test_api_drill_never_fails(
    manager: TestClient, metric: str, period: str | None, group: list[str]
) -> None:
    params: dict[str, str | list[str]] = {"metric": metric, "group": group, "limit": "5"}
    if period is not None:
        params["period"] = period
    answer = manager.get("/api/drill", params=params)
    assert answer.status_code in (200, 400, 403, 422), answer.text
