"""Each role reaches only what it may: direct API calls and pages, cookies and tokens.

A manager's every answer is the engine's answer filtered to their team, a rep's to their own
numbers; asking for another team or rep is 403, and no grouping reaches past the scope.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesmetrics.web import users
from tests.web.conftest import Site, login


def metrics(client: TestClient, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/metrics", params=params)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def groups(data: dict[str, Any], dim: str) -> set[Any]:
    return {row["group"].get(dim) for row in data["results"]}


@pytest.mark.parametrize("role", ["admin", "executive"])
def test_admins_and_executives_see_every_team(site: Site, role: str) -> None:
    client = login(site, role)
    data = metrics(client, metric="win_rate", period=str(site.year), by="team")
    assert {site.team, site.other_team} <= groups(data, "team")


def test_a_manager_sees_their_team_only(site: Site) -> None:
    client = login(site, "manager")
    year = str(site.year)
    by_team = metrics(client, metric="win_rate", period=year, by="team")
    assert groups(by_team, "team") == {site.team}
    by_rep = metrics(client, metric=["win_rate", "average_deal_size"], period=year, by="rep")
    assert groups(by_rep, "rep") <= set(site.members)
    assert by_rep["results"]
    # the same answer as an admin asking for that team
    admin = login(site, "admin")
    same = metrics(
        admin,
        metric=["win_rate", "average_deal_size"],
        period=year,
        by="rep",
        where=f"team={site.team}",
    )
    assert by_rep == same
    answer = client.get("/api/metrics", params={"period": year, "where": f"team={site.other_team}"})
    assert answer.status_code == 403
    assert f"team={site.team} only" in answer.json()["detail"]


def test_a_rep_sees_their_own_numbers_only(site: Site) -> None:
    client = login(site, "rep")
    year = str(site.year)
    by_rep = metrics(client, metric="win_rate", period=year, by="rep")
    assert groups(by_rep, "rep") == {site.rep}
    company = metrics(client, metric="win_rate", period=year)
    admin = login(site, "admin")
    assert company == metrics(admin, metric="win_rate", period=year, where=f"rep={site.rep}")
    for where in (f"rep={site.other_rep}",):
        answer = client.get("/api/metrics", params={"period": year, "where": where})
        assert answer.status_code == 403


def test_a_token_carries_its_users_scope(site: Site) -> None:
    token = users.create_token(site.root, site.email("rep"))
    client = TestClient(site.app, headers={"Authorization": f"Bearer {token}"})
    data = metrics(client, metric="win_rate", period=str(site.year), by="rep")
    assert groups(data, "rep") == {site.rep}
    answer = client.get("/api/metrics", params={"where": f"rep={site.other_rep}"})
    assert answer.status_code == 403


def test_pages_apply_the_scope_too(site: Site) -> None:
    manager = login(site, "manager")
    page = manager.get("/", params={"period": str(site.year)})
    assert page.status_code == 200
    assert f"team={site.team}" in page.text
    refused = manager.get("/metrics/win_rate", params={"where": f"team={site.other_team}"})
    assert refused.status_code == 403
    assert f"team={site.team} only" in refused.text
    rep = login(site, "rep")
    refused = rep.get("/", params={"where": f"rep={site.other_rep}"})
    assert refused.status_code == 403
    page = rep.get("/metrics/win_rate", params={"period": str(site.year), "by": "team"})
    assert page.status_code == 200
    assert site.other_team not in page.text


@pytest.mark.parametrize(("role", "dim"), [("manager", "team"), ("rep", "rep")])
def test_no_company_figure_reaches_a_scoped_user(site: Site, role: str, dim: str) -> None:
    # every metric: each row is the scope's group, or has no value (costs and surveys carry
    # no rep or team, so CAC, spend and eNPS are null for them, never the company's figure)
    client = login(site, role)
    data = metrics(client, period=str(site.year))
    wanted = site.team if role == "manager" else site.rep
    assert data["results"]
    for row in data["results"]:
        assert row["group"].get(dim) == wanted, row
    cac = [r for r in data["results"] if r["metric"] == "customer_acquisition_cost"]
    assert cac and all(r["value"] is None for r in cac)


def _values(page: str) -> list[str]:
    """The value cell of each figure of a home dashboard page."""
    figure = r'<th scope="row"><a href="/metrics/[^"]*">[^<]*</a></th>\s*<td class="num">'
    return re.findall(figure + r"(?:<a [^>]*>)?([^<]*)", page)


def test_a_remembered_dashboard_is_never_served_to_another_scope(site: Site) -> None:
    from salesmetrics.web import views

    service = site.app.state.service
    period = service.default_period()
    scopes = {"manager": {"team": site.team}, "rep": {"rep": site.rep}, "admin": {}}
    clients = {role: login(site, role) for role in scopes}  # the manager's page comes first
    seen: dict[str, list[list[str]]] = {role: [] for role in scopes}
    for _ in range(2):  # the second round is answered from memory
        for role, client in clients.items():
            answer = client.get("/")
            assert answer.status_code == 200, answer.text
            seen[role].append(_values(answer.text))
    for role, where in scopes.items():
        fresh = views._dashboard(service, period, where, "en", views.DASHBOARD)  # not remembered
        assert seen[role] == [[f.value for f in fresh]] * 2, role
    assert seen["manager"][0] != seen["admin"][0] != seen["rep"][0]
    api = {role: metrics(c, metric="total_revenue", period=period) for role, c in clients.items()}
    assert api["manager"] != api["admin"] and api["rep"] != api["manager"]
