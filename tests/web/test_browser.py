"""The web app in a real browser: Debian's Chromium driven by Playwright against the small demo
served by uvicorn on loopback.

One server and one browser for the module, one logged-in admin tab reused by the tests that
browse as an admin: log in, the home and role dashboards (their charts drawn, their numbers one
click away), a drill-down and its CSV export, an upload with a column mapping, a manager's
forecast and its roll-up, a survey answered from its link, the Indonesian pages. Every tab
records its console errors and requests: a test fails on a JavaScript error, a failed load or
a request that left 127.0.0.1. A screenshot of each step goes to the artifact folder
(tests/browser.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    WebError,
    expect,
    sync_playwright,
)
from playwright.sync_api import Request as PlaywrightRequest

from tests.browser import OFFLINE_ARGS, artifact_folder, require_chromium
from tests.demos import DemoBuild
from tests.web.conftest import PASSWORD, Site, build_site
from tests.web.live import HOST, serving

pytestmark = pytest.mark.slow

#: The role dashboards' paths, as the Roles menu lists them.
ROLES = ("finance", "operations", "customer-success", "marketing", "sales", "people")
#: Playwright's wait for a page or an element (the first dashboard waits for the engine).
WAIT_MS = 60_000
#: Schemes a page may use without a request to any host.
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass
class Watch:
    """What the pages of one browser context did: console errors, uncaught exceptions and
    every request's URL."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        """Record ``context``'s console errors, page errors and requests."""
        context.on("console", self._console)
        context.on("weberror", self._weberror)
        context.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} at {message.location.get('url')}")

    def _weberror(self, error: WebError) -> None:
        self.errors.append(f"uncaught: {error.error}")

    def _request(self, request: PlaywrightRequest) -> None:
        self.requests.append(request.url)

    def check(self) -> None:
        """Fail on any console error, or any request to a host other than the server's."""
        assert not self.errors, self.errors
        outside = [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != HOST
        ]
        assert not outside, f"requests that left {HOST}: {outside}"


@dataclass
class Tab:
    """A page of its own browser context, the server's base URL, and what the context did."""

    page: Page
    base: str
    watch: Watch
    shots: Path

    def open(self, path: str) -> None:
        """Load ``path`` of the server (a full page load)."""
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        """A full-page screenshot of the step ``name`` into the artifact folder."""
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)


@dataclass(frozen=True)
class Live:
    """The demo site and the URL it is served at."""

    site: Site
    base: str


@pytest.fixture(scope="module")
def chromium() -> str:
    """The system Chromium (the module skips, or fails with ``CI=true``, without it)."""
    return require_chromium()


@pytest.fixture(scope="module")
def live(
    chromium: str, demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The small demo's site served on a free loopback port; it computes the home dashboard
    as it starts, as ``salesmetrics serve`` does, while the browser starts."""
    site = build_site(demo_build, tmp_path_factory.mktemp("browser") / "ws", prepare=True)
    with serving(site.app) as base:
        yield Live(site, base)


@pytest.fixture(scope="module")
def browser(chromium: str, live: Live) -> Iterator[Browser]:
    """One headless Chromium for the module, unable to resolve any host but loopback."""
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(OFFLINE_ARGS)
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    """The module's screenshot folder."""
    return artifact_folder("browser")


def new_tab(browser: Browser, live: Live, shots: Path) -> Tab:
    """A fresh context (no cookies) and a page in it, watched."""
    context = browser.new_context(base_url=live.base)
    context.set_default_timeout(WAIT_MS)
    watch = Watch()
    watch.attach(context)
    return Tab(context.new_page(), live.base, watch, shots)


def log_in(tab: Tab, email: str, path: str = "/", shot: str | None = None) -> None:
    """Open ``path``, which sends to the login page, log in there as a person would, and land
    back on ``path``."""
    tab.open(path)
    expect(tab.page).to_have_url(re.compile(r"/login"))
    tab.page.get_by_label("Email").fill(email)
    tab.page.get_by_label("Password").fill(PASSWORD)
    if shot:
        tab.shot(shot)
    tab.page.locator("main form button[type=submit]").click()
    expect(tab.page).to_have_url(f"{tab.base}{path}")


@pytest.fixture(scope="module")
def admin(browser: Browser, live: Live, shots: Path) -> Iterator[Tab]:
    """The admin's tab, logged in once and reused by the tests that browse as the admin."""
    tab = new_tab(browser, live, shots)
    log_in(tab, live.site.email("admin"), shot="01-login")
    expect(tab.page.locator("h1")).to_contain_text("Dashboard")
    tab.watch.check()  # the login page and the first dashboard
    yield tab
    tab.page.context.close()


@pytest.fixture
def as_admin(admin: Tab) -> Tab:
    """The admin's tab with a fresh record of errors and requests, checked by the test."""
    admin.watch.errors.clear()
    admin.watch.requests.clear()
    return admin


def assert_charts_render(tab: Tab, name: str) -> None:
    """The page's charts (inline SVG) are drawn with a size, and one click on "Numbers as a
    table" shows a chart's numbers."""
    page = tab.page
    sizes = page.eval_on_selector_all(
        "main svg",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
    )
    assert sizes, f"{name}: no chart"
    assert all(w > 0 and h > 0 for w, h in sizes), f"{name}: a chart has no size: {sizes}"
    toggle = page.locator("main details").filter(has=page.locator("table")).first
    numbers = toggle.locator("table")
    expect(numbers).to_be_hidden()
    toggle.locator("summary").click()
    expect(numbers).to_be_visible()
    assert numbers.locator("tr").count() > 0, f"{name}: the chart's table is empty"


def test_log_in_and_see_the_home_dashboard_charts(as_admin: Tab) -> None:
    tab = as_admin
    expect(tab.page.locator("h1")).to_contain_text("Dashboard")
    tab.shot("02-home")
    assert_charts_render(tab, "home")
    tab.shot("03-home-table")
    tab.watch.check()


def test_each_role_dashboard_draws_its_charts(as_admin: Tab) -> None:
    tab = as_admin
    page = tab.page
    for role in ROLES:
        menu = page.locator("nav details.menu")
        menu.locator("summary").click()
        menu.locator(f"a[href^='/role/{role}']").click()  # hx-boost: swapped in, URL pushed
        expect(page).to_have_url(re.compile(rf"/role/{role}(\?|$)"))
        title = re.compile(rf"Dashboard: {role.replace('-', ' ')}", re.IGNORECASE)
        expect(page.locator("h1")).to_contain_text(title)
        assert_charts_render(tab, role)
        tab.shot(f"04-role-{role}")
    tab.watch.check()


def test_a_metric_page_draws_its_trend(as_admin: Tab) -> None:
    tab = as_admin
    page = tab.page
    tab.open("/")
    page.locator("table.figures th a[href^='/metrics/']").first.click()
    expect(page).to_have_url(re.compile(r"/metrics/\w+"))
    expect(page.locator("figure.chart svg")).to_be_visible()
    assert_charts_render(tab, "metric page")
    tab.shot("05-metric")
    tab.watch.check()


def test_every_page_of_the_menu_opens_without_error(as_admin: Tab) -> None:
    """The menu's pages, each loaded whole: a broken link, a failing page or a missing asset
    shows as a status or a console error."""
    tab = as_admin
    page = tab.page
    tab.open("/")
    links = page.eval_on_selector_all(
        "header nav a[href]", "els => [...new Set(els.map(e => e.getAttribute('href')))]"
    )
    assert len(links) > 10, links
    for link in links:
        answer = page.goto(tab.base + link)
        assert answer is not None and answer.status == 200, (link, answer and answer.status)
        expect(page.locator("main h1")).to_be_visible()
    tab.shot("06-menu-last")
    tab.watch.check()


def test_drill_into_a_figure_and_export_its_rows(as_admin: Tab) -> None:
    tab = as_admin
    page = tab.page
    tab.open("/")
    deal_size = page.locator("table.figures tr").filter(
        has=page.locator("a[href^='/metrics/average_deal_size']")
    )
    deal_size.locator("td.num a").click()  # the figure is its drill-down's link
    expect(page).to_have_url(re.compile(r"/drill\?.*metric=average_deal_size"))
    rows = page.locator("table.drill tbody tr")
    expect(rows.first).to_be_visible()
    headers = page.locator("table.drill thead th").all_inner_texts()
    assert {"opportunity_id", "amount", "status"} <= set(headers)  # the deals behind it
    tab.shot("07-drill")
    shown = page.locator("main p").filter(has_text=re.compile(r"^Rows ")).inner_text()
    total = re.search(r"of ([\d,]+)$", shown.strip())
    assert total, "the drill page states no total"
    with page.expect_download() as download:
        page.locator("p.exports a[href*='/drill.csv']").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(exported)))
    assert records[0] == headers
    assert len(records) - 1 == int(total.group(1).replace(",", ""))
    tab.watch.check()


def test_switch_to_indonesian(as_admin: Tab) -> None:
    tab = as_admin
    page = tab.page
    tab.open("/")
    page.locator("span.langs a[hreflang=id]").click()
    expect(page).to_have_url(re.compile(r"lang=id"))
    expect(page.locator("h1")).to_contain_text("Dasbor")
    expect(page.locator("nav")).to_contain_text("Glosarium")
    expect(page.locator("main details summary").first).to_have_text("Angka sebagai tabel")
    tab.shot("08-indonesian-home")
    # the language is in the URL, so the links keep it
    page.locator("nav a[href^='/glossary']").click()
    expect(page).to_have_url(re.compile(r"/glossary\?.*lang=id"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    tab.shot("09-indonesian-glossary")
    tab.watch.check()


def test_a_survey_answered_from_its_link_without_login(
    as_admin: Tab, browser: Browser, live: Live, shots: Path
) -> None:
    tab = as_admin
    page = tab.page
    tab.open("/surveys")
    page.get_by_label("Title").fill("Browser pulse")
    page.locator("textarea[name=questions]").fill("workload: My workload is manageable")
    page.locator("textarea[name=people]").fill(
        f"ayu@example.com, {live.site.team}\nbudi@example.com, {live.site.team}"
    )
    tab.shot("10-survey-new")
    page.locator("main form.entry button[type=submit]").click()
    expect(page.locator("table.links code")).to_have_count(2)
    links = page.locator("table.links code").all_inner_texts()
    assert all(link.startswith(f"{tab.base}/s/") for link in links)
    tab.shot("11-survey-links")
    tab.watch.check()
    # an employee opens the link in a browser of their own, without logging in
    employee = new_tab(browser, live, shots)
    answer = employee.page
    answer.goto(links[0])
    expect(answer.locator("h1")).to_have_text("Browser pulse")
    expect(answer.locator("nav a[href^='/forms']")).to_have_count(0)  # nobody is signed in
    answer.locator("input[name='q:enps'][value='9']").check()
    answer.locator("input[name='q:workload'][value='7']").check()
    answer.locator("textarea[name=comment]").fill("fine")
    employee.shot("12-survey-answer")
    answer.locator("main form button[type=submit]").click()
    expect(answer.locator("h1")).to_have_text("Thank you")
    employee.shot("13-survey-thanks")
    answer.goto(links[0])  # once only
    expect(answer.locator("[role=alert]")).to_be_visible()
    # the used link answers 410 Gone, which Chromium logs as a failed load: that one is meant
    employee.watch.errors[:] = [e for e in employee.watch.errors if "410" not in e]
    employee.watch.check()
    answer.context.close()


def test_a_manager_enters_a_forecast_and_sees_the_rollup(
    browser: Browser, live: Live, shots: Path
) -> None:
    tab = new_tab(browser, live, shots)
    page = tab.page
    log_in(tab, live.site.email("manager"), "/forms")  # not their dashboard: not needed here
    page.locator("main a[href^='/forms/forecasts']").click()
    expect(page).to_have_url(re.compile(r"/forms/forecasts(\?|$)"))
    page.get_by_label("Period").fill("2036-Q3")
    page.locator("input[name=commit]").fill("900")
    page.locator("input[name=most_likely]").fill("1000")
    page.locator("input[name=best_case]").fill("1200")
    tab.shot("14-forecast-form")
    page.locator("main form.entry button[type=submit]").click()
    page.locator("main a[href^='/forecasts/rollup']").click()
    team = page.locator("table.rollup tr.level-team")
    expect(team).to_contain_text(live.site.team)
    for amount in ("900.00", "1,000.00", "1,200.00"):
        expect(team).to_contain_text(amount)
    tab.shot("15-forecast-rollup")
    tab.watch.check()
    page.context.close()


QUOTAS = (
    "Sales Rep,Start,End,Quota Amount\n"
    "{rep},2031-01-01,2031-03-31,1000\n"
    "{rep},2031-04-01,2031-06-30,2000\n"
)


def test_upload_a_file_map_its_columns_and_see_it_in_the_log(as_admin: Tab, live: Live) -> None:
    tab = as_admin
    page = tab.page
    page.locator("nav a[href^='/imports']").click()
    expect(page).to_have_url(re.compile(r"/imports(\?|$)"))
    page.get_by_label("Table").select_option("quotas")
    page.locator("input[type=file]").set_input_files(
        {
            "name": "browser-quotas.csv",
            "mimeType": "text/csv",
            "buffer": QUOTAS.format(rep=live.site.rep).encode(),
        }
    )
    tab.shot("16-upload")
    page.locator("main form button[type=submit]").click()
    # the preview: the first rows, and the mapping the assistant proposes
    expect(page.locator("table.preview")).to_contain_text("Quota Amount")
    expect(page.locator("#map-amount")).to_have_value("Quota Amount")
    page.locator("#map-rep_id").select_option("Sales Rep")  # not proposed: the person picks it
    tab.shot("17-preview-mapping")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("ul.summary")).to_contain_text("loaded 2, rejected 0")
    tab.shot("18-imported")
    page.locator("main a[href^='/imports']").click()
    log = page.locator("table.log")
    expect(log).to_contain_text("browser-quotas.csv")
    tab.shot("19-import-log")
    tab.watch.check()
