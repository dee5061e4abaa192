"""Pipeline, forecast, calculators, cohorts and data-quality pages, and /api/calc: the engine's
answers, in English and Indonesian, within each role's scope by direct URL."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from salesmetrics.metrics.quality import CHECKS
from salesmetrics.reports.locale import Formats
from salesmetrics.web import tool_views
from salesmetrics.web.service import Service
from tests.web.conftest import Site, login


def _service(site: Site) -> Service:
    found: Service = site.app.state.service
    return found


def test_the_pipeline_page_shows_the_engines_open_pipeline(site: Site) -> None:
    day = dt.date(site.year, 7, 1)
    page = login(site, "admin").get("/pipeline", params={"as_of": day.isoformat(), "by": "team"})
    assert page.status_code == 200
    frame = _service(site).read(lambda ws: ws.pipeline(as_of=day, by=["team"]))
    fmt = Formats("en", "USD")
    assert f"{fmt.fixed(frame['deals'].sum(), 0)} deals, {fmt.money(frame['amount'].sum())}" in (
        page.text
    )
    assert "<svg" in page.text and "Numbers as a table" in page.text
    assert site.team in page.text and site.other_team in page.text


def test_a_reps_pipeline_is_their_own(site: Site) -> None:
    day = dt.date(site.year, 7, 1)
    client = login(site, "rep")
    page = client.get("/pipeline", params={"as_of": day.isoformat()})
    mine = _service(site).read(lambda ws: ws.pipeline(as_of=day, where={"rep": site.rep}))
    fmt = Formats("en", "USD")
    assert f"{fmt.fixed(mine['deals'].sum(), 0)} deals, {fmt.money(mine['amount'].sum())}" in (
        page.text
    )
    refused = client.get("/pipeline", params={"where": f"rep={site.other_rep}"})
    assert refused.status_code == 403


def test_the_forecast_page_by_team_and_a_managers_own(site: Site) -> None:
    period = f"{site.year}-Q4"
    admin = login(site, "admin").get("/forecast", params={"period": period, "by": "team"})
    assert admin.status_code == 200
    assert site.team in admin.text and site.other_team in admin.text
    assert "weighted_pipeline" in admin.text and "statistical" in admin.text
    manager = login(site, "manager")
    own = manager.get("/forecast", params={"period": period})
    assert own.status_code == 200
    assert site.team in own.text and site.other_team not in own.text
    refused = manager.get("/forecast", params={"where": f"team={site.other_team}"})
    assert refused.status_code == 403
    by_rep = manager.get("/forecast", params={"period": period, "by": "rep"})
    assert by_rep.status_code == 400 and "give one scope" in by_rep.text
    rep = login(site, "rep").get("/forecast", params={"period": period})
    assert rep.status_code == 200
    names = _service(site).names("rep")
    assert names[site.rep] in rep.text and names[site.other_rep] not in rep.text


def test_calculators_list_form_and_result_in_both_languages(site: Site) -> None:
    client = login(site, "rep")  # no data: every role has them
    listing = client.get("/calculators")
    assert listing.status_code == 200 and 'href="/calculators/pipeline_velocity"' in listing.text
    page = client.get("/calculators/win_rate", params={"won": "3", "lost": "7"})
    assert "win_rate = 30% (0.3)" in page.text and "= 3 / (3 + 7)" in page.text
    indonesian = client.get("/calculators/win_rate", params={"won": "3", "lost": "7", "lang": "id"})
    assert "(0,3)" in indonesian.text and "Tingkat kemenangan" in indonesian.text
    bad = client.get("/calculators/win_rate", params={"won": "0", "lost": "0"})
    assert bad.status_code == 400 and "undefined" in bad.text


def test_api_calc(site: Site) -> None:
    client = login(site, "manager")
    answer = client.get("/api/calc/win_rate", params={"won": "3", "lost": "7"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["value"] == 0.3 and data["substituted"] == "3 / (3 + 7)"
    ratio = client.get("/api/calc/win_rate", params={"won": "x", "lost": "7"})
    assert ratio.status_code == 400 and "not a number" in ratio.json()["detail"]
    unknown = client.get("/api/calc/win_rat", params={"won": "3"})
    assert unknown.status_code == 400 and "win_rate" in unknown.json()["detail"]
    # an input the workspace sets defaults to its setting
    ltv = client.get(
        "/api/calc/customer_lifetime_value",
        params={"annual_revenue_per_customer": "1000", "lifetime_years": "3"},
    )
    assert ltv.status_code == 200, ltv.text
    margin = _service(site).read(lambda ws: ws.config.gross_margin)
    assert ltv.json()["components"]["gross_margin"] == float(margin)


def test_cohorts_and_quality_are_for_admins_and_executives(site: Site) -> None:
    for role in ("manager", "rep"):
        client = login(site, role)
        for url in ("/cohorts", "/quality"):
            assert client.get(url).status_code == 403, (role, url)
        assert 'href="/cohorts' not in client.get("/calculators").text
    client = login(site, "executive")
    cohorts = client.get("/cohorts")
    assert cohorts.status_code == 200
    assert "<svg" in cohorts.text and re.search(r"<td>100\.0%</td>", cohorts.text)
    quarterly = client.get("/cohorts", params={"measure": "mrr", "of": "quarter", "lang": "id"})
    assert quarterly.status_code == 200 and re.search(r"<td>100,0%</td>", quarterly.text)
    assert client.get("/cohorts", params={"measure": "arr"}).status_code == 400
    # the cohorts acquired in a period, as salesmetrics cohorts --period
    one = client.get("/cohorts", params={"period": f"{site.year}-Q1"})
    assert one.status_code == 200
    rows = re.findall(r"<tr><td>(\w{3} \d{4})</td>", one.text)
    assert rows == [f"Jan {site.year}", f"Feb {site.year}", f"Mar {site.year}"]


def test_the_quality_page_lists_every_check(site: Site) -> None:
    page = login(site, "admin").get("/quality")
    assert page.status_code == 200
    report = _service(site).read(lambda ws: ws.check())
    for finding in report.findings:
        assert f'<code class="muted">{finding.check.id}</code>' in page.text
        assert f'<td class="num">{finding.count}</td>' in page.text
    assert len(report.findings) == len(CHECKS)


def test_the_openapi_document_has_drill_and_calc(site: Site) -> None:
    doc = login(site, "admin").get("/openapi.json").json()
    assert "/api/drill" in doc["paths"] and "/api/calc/{name}" in doc["paths"]


def test_a_workspace_setting_fills_an_input_left_blank() -> None:
    inputs = {"annual_revenue_per_customer": "1000", "lifetime_years": "3", "gross_margin": ""}
    assert tool_views.evaluate("customer_lifetime_value", inputs, {"gross_margin": 0.8}).value == (
        pytest.approx(2400.0)
    )
    given = {**inputs, "gross_margin": "50%"}
    assert tool_views.evaluate("customer_lifetime_value", given, {"gross_margin": 0.8}).value == (
        pytest.approx(1500.0)
    )


def test_tool_pages_in_indonesian(site: Site) -> None:
    client = login(site, "admin")
    pipeline = client.get("/pipeline", params={"as_of": f"{site.year}-07-01", "lang": "id"})
    assert "Tahap" in pipeline.text and "Tertimbang" in pipeline.text
    assert "Pipeline terbuka pada awal" in pipeline.text
    forecast = client.get("/forecast", params={"period": f"{site.year}-Q4", "lang": "id"})
    assert "Metode" in forecast.text and "Prakiraan pendapatan menang" in forecast.text
    quality = client.get("/quality", params={"lang": "id"})
    assert "Kualitas data" in quality.text and "Perbaikan" in quality.text
    assert 'href="/role/customer-success?lang=id">Kesuksesan pelanggan</a>' in quality.text
