"""The pages render on the small demo: the dashboard, a metric's page, the glossary, in English
and Indonesian, with every asset served from the package."""

from __future__ import annotations

import gc
import re
from pathlib import Path

from salesmetrics.metrics.registry import DASHBOARD, REGISTRY
from salesmetrics.reports.locale import Formats
from salesmetrics.web.app import STATIC
from tests.web.conftest import Site, login

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_the_dashboard_shows_the_starter_checklist_with_sparklines(site: Site) -> None:
    client = login(site, "admin")
    year = str(site.year)
    page = client.get("/", params={"period": year})
    assert page.status_code == 200
    for metric in DASHBOARD:
        assert REGISTRY[metric].name.en in page.text
        assert f'href="/metrics/{metric}?period={year}"' in page.text
    assert page.text.count('class="spark"') >= len(DASHBOARD) - 1
    # the values are the engine's, formatted: the API's win rate as a percentage
    api = client.get("/api/metrics", params={"metric": "win_rate", "period": year}).json()
    shown = Formats("en", api["base_currency"]).value(api["results"][0]["value"], "ratio")
    assert f'title="Drill-down">{shown}</a>' in page.text  # linked to the rows behind it
    assert not EXTERNAL.search(page.text)


def test_the_default_period_is_the_last_complete_year(site: Site) -> None:
    page = login(site, "executive").get("/")
    assert f"<h1>Dashboard · {site.year}</h1>" in page.text


def test_the_dashboard_in_indonesian(site: Site) -> None:
    page = login(site, "admin").get("/", params={"period": str(site.year), "lang": "id"})
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert "Dasbor" in page.text and "Tingkat kemenangan" in page.text
    assert re.search(r"\d+,\d%", page.text)  # 37,2%: Indonesian decimal comma
    assert 'href="/metrics/win_rate?period=' in page.text and "lang=id" in page.text


def test_a_metric_page_has_trend_table_breakdown_comparison_and_definition(site: Site) -> None:
    client = login(site, "admin")
    page = client.get("/metrics/win_rate", params={"period": str(site.year), "by": "region"})
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and "Table view of the chart&#39;s numbers" in text
    for quarter_month in ("Jan", "Dec"):
        assert quarter_month in text
    assert "Breakdown: region" in text and "EMEA" in text
    assert "Previous period" in text and "Same period last year" in text
    # the comparison's numbers are the engine's (the API's compare_value, formatted)
    api = client.get(
        "/api/metrics",
        params={"metric": "win_rate", "period": str(site.year), "compare": "previous"},
    ).json()
    row = api["results"][0]
    fmt = Formats("en", api["base_currency"])
    assert f'<td class="num">{fmt.value(row["compare_value"], "ratio")}</td>' in text
    assert fmt.change(row["change"], row["change_rate"], "ratio") in text
    assert REGISTRY["win_rate"].definition.en in text
    assert not EXTERNAL.search(text)


def test_a_breakdown_the_engine_cannot_make_shows_its_note(site: Site) -> None:
    # customer acquisition cost is company-wide only: costs carry no rep
    page = login(site, "admin").get(
        "/metrics/customer_acquisition_cost", params={"period": str(site.year), "by": "rep"}
    )
    assert page.status_code == 200
    assert "not available by rep" in page.text


def test_the_glossary_lists_every_metric(site: Site) -> None:
    page = login(site, "rep").get("/glossary", params={"lang": "id"})
    assert page.status_code == 200
    for metric in REGISTRY.values():
        assert f'id="{metric.id}"' in page.text
        assert metric.name.id in page.text


def test_bad_input_is_a_400_page_with_one_line(site: Site) -> None:
    client = login(site, "admin")
    for path, params, text in (
        ("/metrics/win_rat", {}, "unknown metric"),
        ("/", {"period": "2025-Q9"}, "2025-Q9"),
        ("/", {"lang": "fr"}, "use en or id"),
        ("/metrics/win_rate", {"by": "colour"}, "by=&#39;colour&#39;"),
        ("/metrics/win_rate", {"period": "2025-13"}, "2025-13"),
    ):
        page = client.get(path, params=params)
        assert page.status_code == 400, (path, params)
        assert text in page.text, (path, params)
        assert "Traceback" not in page.text


def test_assets_are_served_from_the_package(site: Site) -> None:
    client = login(site, "admin")
    page = client.get("/").text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.content == (STATIC / Path(asset).name).read_bytes()
    assert (STATIC / "htmx.min.js").read_text(encoding="utf-8").startswith("var htmx=")


def test_every_page_names_its_icon(site: Site) -> None:
    """Without a named icon a browser asks for /favicon.ico, a 404 in its console on every
    first page (found by the browser tests)."""
    for client, path in ((login(site, "admin"), "/"), (login(site, "admin"), "/login")):
        page = client.get(path).text
        icon = re.search(r'<link rel="icon" href="(/static/[^"]+)" type="([^"]+)">', page)
        assert icon, path
        answer = client.get(icon.group(1))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(icon.group(2))


def test_the_language_switch_loads_a_whole_page(site: Site) -> None:
    """htmx's boost swaps only the body, which would leave ``<html lang>`` in the old language
    (found by the browser tests): the language links are not boosted."""
    page = login(site, "admin").get("/").text
    langs = re.search(r'<span class="langs"[^>]*>(.*?)</span>', page, re.S)
    assert langs and 'hx-boost="false"' in langs.group(0)
    assert 'hreflang="id"' in langs.group(1)


def test_a_prepared_app_computes_the_dashboard_as_it_starts(site: Site) -> None:
    from fastapi.testclient import TestClient

    from salesmetrics.web.app import create_app

    app = create_app(site.root, prepare=True)
    with TestClient(app):
        assert app.state.prepared.wait(300)
    assert app.state.prepared_ok
    assert gc.get_freeze_count() > 0  # what lived then is out of the collector's full passes
    gc.unfreeze()  # (the test session goes on: give them back)
    unprepared = create_app(site.root)
    with TestClient(unprepared):
        assert not unprepared.state.prepared.is_set()
