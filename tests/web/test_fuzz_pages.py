"""Arbitrary input to /api/calc and /api/drill is answered, never a server error."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmetrics.formulas import FORMULAS
from tests.web.conftest import Site, login

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
NUMBERISH = st.one_of(TEXT, st.floats(allow_nan=True).map(str), st.integers().map(str))
KEYS = st.sampled_from(["won", "lost", "gross_margin", "x", "lang"])
GROUPS = st.sampled_from(["team=x", "rep=", "region=EMEA", "=1"])
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    name=st.one_of(st.sampled_from(list(FORMULAS)), TEXT),
    inputs=st.dictionaries(KEYS, NUMBERISH),
)
def test_api_calc_never_fails(site: Site, name: str, inputs: dict[str, str]) -> None:
    client = login(site, "rep")
    answer = client.get(f"/api/calc/{quote(name, safe='')}", params=inputs)
    assert answer.status_code in (200, 400, 404, 422), answer.text


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    metric=st.sampled_from(["win_rate", "mrr", "enps", "nope"]),
    period=st.one_of(st.none(), st.sampled_from(["2025", "2025-Q2", "ytd", "2025-13"]), TEXT),
    group=st.lists(st.one_of(TEXT, GROUPS), max_size=2),
)
def test_api_drill_never_fails(
    site: Site, metric: str, period: str | None, group: list[str]
) -> None:
    client = login(site, "manager")
    params: dict[str, str | list[str]] = {"metric": metric, "group": group, "limit": "5"}
    if period is not None:
        params["period"] = period
    answer = client.get("/api/drill", params=params)
    assert answer.status_code in (200, 400, 403, 422), answer.text
