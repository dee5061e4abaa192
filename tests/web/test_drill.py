"""Drill-down from a figure to the rows behind it: the page, paging, the CSV and XLSX exports
and /api/drill, each within the user's scope."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pandas as pd
import pytest

from salesmetrics.web import export
from tests.web.conftest import Site, login


def test_the_rows_behind_win_rate_are_its_closed_deals(site: Site) -> None:
    client = login(site, "admin")
    year = str(site.year)
    row = client.get("/api/metrics", params={"metric": "win_rate", "period": year}).json()
    components = row["results"][0]["components"]
    answer = client.get("/api/drill", params={"metric": "win_rate", "period": year})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["total"] == components["won"] + components["lost"]
    assert len(data["rows"]) == 50 and data["offset"] == 0
    assert {r["status"] for r in data["rows"]} <= {"won", "lost"}
    # paged: the next page follows on, with no row twice
    more = client.get("/api/drill", params={"metric": "win_rate", "period": year, "offset": 50})
    ids = [r["opportunity_id"] for r in data["rows"] + more.json()["rows"]]
    assert len(set(ids)) == len(ids) == 100


def test_a_figures_group_narrows_the_rows(site: Site) -> None:
    client = login(site, "admin")
    params = {"metric": "win_rate", "period": str(site.year), "group": f"team={site.team}"}
    data = client.get("/api/drill", params={**params, "limit": 1000}).json()
    assert data["group"] == {"team": site.team}
    assert data["rows"] and {r["team"] for r in data["rows"]} == {site.team}
    page = client.get("/drill", params=params)
    assert page.status_code == 200
    assert f"of {data['total']}" in page.text
    owner = data["rows"][0]["owner_id"]
    name = client.app.state.service.names("rep")[owner]  # type: ignore[attr-defined]
    assert f"<td>{name} ({owner})</td>" in page.text
    assert "/drill.csv?" in page.text and "/drill.xlsx?" in page.text
    # the downloads are plain links: htmx's boost would swap the file into the page
    assert '<p class="exports" hx-boost="false">' in page.text


def test_a_survey_metric_has_no_drill_down(site: Site) -> None:
    answer = login(site, "admin").get("/api/drill", params={"metric": "enps"})
    assert answer.status_code == 400
    assert "anonymous" in answer.json()["detail"]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_rep_drills_and_exports_only_their_own_rows(site: Site) -> None:
    client = login(site, "rep")
    params = {"metric": "win_rate", "period": str(site.year)}
    data = client.get("/api/drill", params={**params, "limit": 1000}).json()
    assert data["rows"] and {r["owner_id"] for r in data["rows"]} == {site.rep}
    rows = _csv(client.get("/drill.csv", params=params).text)
    assert len(rows) == data["total"] and {r["owner_id"] for r in rows} == {site.rep}
    book = openpyxl.load_workbook(io.BytesIO(client.get("/drill.xlsx", params=params).content))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    owners = {r[header.index("owner_id")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert owners == {site.rep}
    for url in ("/drill", "/drill.csv", "/drill.xlsx", "/api/drill"):
        refused = client.get(url, params={**params, "group": f"rep={site.other_rep}"})
        assert refused.status_code == 403, url


def test_a_managers_export_is_their_team(site: Site) -> None:
    client = login(site, "manager")
    params = {"metric": "total_revenue", "period": str(site.year)}
    rows = _csv(client.get("/drill.csv", params=params).text)
    assert rows and {r["owner_id"] for r in rows} <= set(site.members)
    refused = client.get("/drill.xlsx", params={**params, "where": f"team={site.other_team}"})
    assert refused.status_code == 403
    # another team's filter stays refused whatever group is asked for
    both = {**params, "where": f"team={site.other_team}", "group": f"team={site.team}"}
    assert client.get("/api/drill", params=both).status_code in (400, 403)
    admin = login(site, "admin")
    assert admin.get("/api/drill", params=both).status_code == 400


def test_drill_needs_a_login(site: Site) -> None:
    from fastapi.testclient import TestClient

    anonymous = TestClient(site.app)
    assert anonymous.get("/api/drill", params={"metric": "win_rate"}).status_code == 401
    assert (
        anonymous.get(
            "/drill.csv", params={"metric": "win_rate"}, follow_redirects=False
        ).status_code
        == 303
    )


HOSTILE = pd.DataFrame(
    {
        "name": ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "plain"],
        "amount": [1.5, 2.0, None, 4.0],
        "deals": [1, 2, 3, 4],
    }
)


def test_exports_neutralise_formulas_and_keep_numbers() -> None:
    rows = _csv(export.to_csv(HOSTILE).decode("utf-8"))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://x")', "'+1", "'@SUM(A1)", "plain"]
    assert [float(r["amount"]) if r["amount"] else None for r in rows] == [1.5, 2.0, None, 4.0]
    assert export.to_csv(HOSTILE).decode("utf-8").splitlines()[2].endswith(",2,2")  # unquoted
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(HOSTILE, "rows")))
    sheet = book["rows"]
    values: list[tuple[Any, ...]] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in values] == ['\'=HYPERLINK("http://x")', "'+1", "'@SUM(A1)", "plain"]
    assert [v[1] for v in values] == [1.5, 2.0, None, 4.0]
    assert [v[2] for v in values] == [1, 2, 3, 4]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("limit", [0, 1001])
def test_api_drill_bounds_the_page(site: Site, limit: int) -> None:
    answer = login(site, "admin").get("/api/drill", params={"metric": "win_rate", "limit": limit})
    assert answer.status_code == 422


def test_every_figure_links_to_its_rows(site: Site) -> None:
    client = login(site, "admin")
    year = str(site.year)
    home = client.get("/", params={"period": year}).text
    assert f'href="/drill?period={year}&amp;metric=win_rate"' in home
    page = client.get("/metrics/win_rate", params={"period": year, "by": "team"}).text
    group = f"team%3D{site.team.replace(' ', '+')}"
    assert f'href="/drill?period={year}&amp;metric=win_rate&amp;group={group}"' in page
    assert f'href="/drill?period={year}-03&amp;metric=win_rate"' in page  # a trend month
    # the linked rows are the breakdown row's: as many as its closed deals
    rows = client.get(
        "/api/metrics", params={"metric": "win_rate", "period": year, "by": "team"}
    ).json()["results"]
    mine = next(r for r in rows if r["group"]["team"] == site.team)["components"]
    drilled = client.get(
        "/api/drill", params={"metric": "win_rate", "period": year, "group": f"team={site.team}"}
    ).json()
    assert drilled["total"] == mine["won"] + mine["lost"]
    survey = client.get("/metrics/enps", params={"period": year}).text
    assert "/drill?" not in survey


@pytest.mark.slow  # 53 drills (a minute under load); the fast tier drills a rep's rows above
def test_a_rep_drills_into_every_metric_without_reaching_past_their_scope(site: Site) -> None:
    # every metric: the rep's own rows, or a one-line 400 (surveys are anonymous; costs carry
    # no rep), never a server error and never another rep's row
    from salesmetrics.metrics import registry as reg

    client = login(site, "rep")
    owners = ("owner_id", "rep")
    for metric in reg.REGISTRY:
        answer = client.get(
            "/api/drill", params={"metric": metric, "period": f"{site.year}-Q2", "limit": 1000}
        )
        assert answer.status_code in (200, 400), (metric, answer.text)
        if answer.status_code == 400:
            assert metric in answer.json()["detail"]
            continue
        data = answer.json()
        assert data["group"]["rep"] == site.rep
        for column in owners:
            if column in data["columns"]:
                assert {r[column] for r in data["rows"]} <= {site.rep}, (metric, column)


def test_the_language_switch_keeps_the_figure(site: Site) -> None:
    client = login(site, "admin")
    params = {"metric": "win_rate", "period": str(site.year), "group": f"team={site.team}"}
    page = client.get("/drill", params=params).text
    group = f"team%3D{site.team.replace(' ', '+')}"
    switch = f'href="/drill?metric=win_rate&amp;period={site.year}&amp;group={group}&amp;lang=id"'
    assert switch in page
    indonesian = client.get("/drill", params={**params, "lang": "id"})
    assert indonesian.status_code == 200 and "Baris di balik" in indonesian.text
    back = f'href="/drill?metric=win_rate&amp;period={site.year}&amp;group={group}" hreflang="en"'
    assert back in indonesian.text
