"""Role dashboards and the rep leaderboard: the registry's metrics of the role and cadence, the
engine's values and changes, and each role's scope by direct URL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesmetrics.metrics import registry as reg
from salesmetrics.reports.locale import Formats
from salesmetrics.web.boards import ROLES
from tests.web.conftest import Site, login


def api(client: TestClient, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/metrics", params=params)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def linked(page: str) -> set[str]:
    """The metrics a dashboard's rows link to."""
    return set(re.findall(r'<th scope="row"><a href="/metrics/(\w+)', page))


@pytest.mark.parametrize("name", list(ROLES))
def test_each_role_dashboard_lists_the_metrics_it_owns(site: Site, name: str) -> None:
    page = login(site, "executive").get(f"/role/{name}", params={"period": str(site.year)})
    assert page.status_code == 200, page.text
    role = ROLES[name]
    owned = {
        m.id for m in reg.REGISTRY.values() if role in m.owners and reg.Cadence.ANNUAL in m.cadence
    }
    assert owned and linked(page.text) == owned


def test_the_cadence_follows_the_period(site: Site) -> None:
    client = login(site, "admin")
    month = client.get("/role/marketing", params={"period": f"{site.year}-03"})
    quarter = client.get("/role/marketing", params={"period": f"{site.year}-Q1"})
    # lead-to-customer rate is reviewed quarterly and yearly, not monthly
    assert "lead_to_customer_rate" in linked(quarter.text)
    assert "lead_to_customer_rate" not in linked(month.text)
    assert "lead_conversion_rate" in linked(month.text)
    every = client.get("/role/marketing", params={"period": f"{site.year}-03", "cadence": "all"})
    assert "lead_to_customer_rate" in linked(every.text)
    assert client.get("/role/marketing", params={"cadence": "weekly"}).status_code == 400
    assert client.get("/role/legal").status_code == 400


def test_a_role_dashboard_shows_the_engines_values_and_changes(site: Site) -> None:
    client = login(site, "admin")
    year = str(site.year)
    page = client.get("/role/sales", params={"period": year}).text
    fmt = Formats("en", "USD")
    prev = api(client, metric="win_rate", period=year, compare="previous")["results"][0]
    last = api(client, metric="win_rate", period=f"{site.year - 1}")["results"][0]
    assert fmt.value(prev["value"], "ratio") in page
    assert fmt.change(prev["change"], prev["change_rate"], "ratio") in page
    assert f"vs {site.year - 1}" in page and last["value"] is not None
    # a quarter: the change against the same quarter last year differs from the previous one's
    q = f"{site.year}-Q2"
    qpage = client.get("/role/sales", params={"period": q}).text
    yoy = api(client, metric="win_rate", period=q, compare="year")["results"][0]
    assert fmt.change(yoy["change"], yoy["change_rate"], "ratio") in qpage
    assert f"vs {site.year - 1}-Q2" in qpage or f"vs Q2 {site.year - 1}" in qpage
    # each drillable value links to the rows behind it, each row to the metric page
    assert f'href="/drill?period={q}&amp;metric=win_rate"' in qpage
    assert f'href="/metrics/win_rate?period={q}"' in qpage


def test_a_role_dashboard_in_indonesian(site: Site) -> None:
    page = login(site, "admin").get(
        "/role/finance", params={"period": str(site.year), "lang": "id"}
    )
    assert page.status_code == 200
    assert "Dasbor: keuangan (CFO)" in page.text and "Perubahan vs tahun lalu" in page.text


def test_role_dashboards_carry_the_users_scope(site: Site) -> None:
    year = str(site.year)
    manager = login(site, "manager")
    page = manager.get("/role/sales", params={"period": year}).text
    admin = login(site, "admin")
    theirs = api(admin, metric="win_rate", period=year, where=f"team={site.team}")["results"][0]
    company = api(admin, metric="win_rate", period=year)["results"][0]
    fmt = Formats("en", "USD")
    assert theirs["value"] != company["value"]
    assert fmt.value(theirs["value"], "ratio") in page
    assert (
        manager.get("/role/sales", params={"where": f"team={site.other_team}"}).status_code == 403
    )
    rep = login(site, "rep")
    assert rep.get("/role/finance", params={"where": f"rep={site.other_rep}"}).status_code == 403


def leaders(page: str) -> list[str]:
    """The rep ids of the leaderboard, in rank order (drill links name them)."""
    found = re.findall(r"group=rep%3D([\w-]+)", page)
    return list(dict.fromkeys(found))


def test_the_leaderboard_ranks_reps_by_quota_attainment(site: Site) -> None:
    client = login(site, "executive")
    year = str(site.year)
    page = client.get("/leaderboard", params={"period": year})
    assert page.status_code == 200
    ranked = leaders(page.text)
    rows = api(client, metric="quota_attainment", period=year, by="rep")["results"]
    value = {r["group"]["rep"]: r["value"] for r in rows if r["value"] is not None}
    known = [r for r in ranked if r in value]
    assert len(known) >= 3
    assert [value[r] for r in known] == sorted((value[r] for r in known), reverse=True)
    assert ranked[: len(known)] == known  # the reps without attainment come last


def test_a_managers_leaderboard_is_their_team_a_reps_is_themselves(site: Site) -> None:
    year = str(site.year)
    team = leaders(login(site, "manager").get("/leaderboard", params={"period": year}).text)
    assert team and set(team) <= set(site.members)
    own = leaders(login(site, "rep").get("/leaderboard", params={"period": year}).text)
    assert own == [site.rep]


def test_each_sparkline_has_its_numbers_in_a_table(site: Site) -> None:
    client = login(site, "admin")
    page = client.get("/role/sales", params={"period": str(site.year)}).text
    fmt = Formats("en", "USD")
    rows = api(client, metric="win_rate", period=str(site.year), grain="month")["results"]
    december = next(r for r in rows if r["period"].endswith("-12"))
    shown = fmt.value(december["value"], "ratio")
    assert f'<td>Dec {site.year}</td><td class="num">{shown}</td>' in page
    assert page.count('class="spark-table"') == page.count('class="spark"')
