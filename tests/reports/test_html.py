"""The HTML pack: it parses, holds every section, fetches nothing, and formats by locale."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.registry import Role
from salesmetrics.reports import ReviewPack, build_pack, write_pack
from tests.reports.conftest import PackFiles

SECTIONS = ["summary", *(f"role-{r.value}" for r in Role), "movers", "quality", "glossary"]


class Page(HTMLParser):
    """What the tests read from a page: ids, section ids, URLs in src/href, headings."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.urls: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
            if tag == "section":
                self.sections.append(str(found["id"]))
        for key in ("src", "href"):
            if found.get(key):
                self.urls.append(str(found[key]))


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def assert_standalone(text: str, page: Page) -> None:
    """No URL a browser would fetch: every link is a fragment within the page."""
    assert all(u.startswith("#") for u in page.urls), [u for u in page.urls if u[:1] != "#"]
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text)
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?(?:https?:)?//", text)


@pytest.fixture(scope="module")
def people_pack(shared_demo: Workspace, quarter: str) -> ReviewPack:
    """The smallest pack: the people role's, in Indonesian."""
    return build_pack(shared_demo, "quarterly", quarter, role="people", lang="id")


def test_a_role_pack_has_only_that_role_section_and_is_standalone(
    people_pack: ReviewPack, tmp_path: Path, shared_demo: Workspace, quarter: str
) -> None:
    assert [s.id for s in people_pack.sections] == [
        "summary",
        "role-people",
        "movers",
        "quality",
        "glossary",
    ]
    assert {r["metric"] for r in people_pack.summary_rows()} <= {"enps"}
    text = write_pack(people_pack, tmp_path / "people.html").read_text(encoding="utf-8")
    page = parse(text)
    assert page.sections == ["cover", "summary", "role-people", "movers", "quality", "glossary"]
    assert "role-finance" not in page.ids
    assert_standalone(text, page)
    assert "<svg" in text  # the eNPS trend, inline
    # the eNPS of the quarter as the engine gives it, written the Indonesian way (32,0)
    engine = shared_demo.metrics("enps", period=quarter).rows()[0]["value"]
    assert f"{engine:.1f}".replace(".", ",") in text
    assert "Glosarium" in text and "Ringkasan" in text


@pytest.mark.slow
def test_the_full_pack_holds_every_section_and_no_url(
    full_pack: ReviewPack, written: PackFiles
) -> None:
    assert [s.id for s in full_pack.sections] == SECTIONS
    text = written[".html"].read_text(encoding="utf-8")
    page = parse(text)
    assert page.sections == ["cover", *SECTIONS]
    assert_standalone(text, page)
    for block_id in ("waterfall", "cohorts", "funnel", "leaderboard", "metric-movers", "glossary"):
        assert block_id in page.ids, block_id
    assert text.count("<svg") >= 20
    assert 'class="background"' not in text  # the charts are tidied (reports/svgtidy.py)


@pytest.mark.slow
def test_the_summary_numbers_are_the_engine_s_in_english(
    full_pack: ReviewPack, written: PackFiles, shared_demo: Workspace, quarter: str
) -> None:
    text = written[".html"].read_text(encoding="utf-8")
    engine = {
        r["metric"]: r
        for r in shared_demo.metrics(
            ["total_revenue", "win_rate", "mrr"], period=quarter, compare="previous"
        ).rows()
    }
    assert f"${engine['total_revenue']['value']:,.2f}" in text
    assert f"${engine['mrr']['compare_value']:,.2f}" in text
    assert f"{engine['win_rate']['value'] * 100:.1f}%" in text
    summary = {r["metric"]: r for r in full_pack.summary_rows()}
    for metric, row in engine.items():
        assert summary[metric]["value"] == pytest.approx(row["value"])
        assert summary[metric]["previous"] == pytest.approx(row["compare_value"])
        assert summary[metric]["change"] == pytest.approx(row["change"])


@pytest.mark.slow  # the fast tier's only reader of the full pack (about 45 s under load)
def test_the_quality_section_lists_the_data_quality_checks(
    full_pack: ReviewPack, written: PackFiles, shared_demo: Workspace
) -> None:
    (section,) = [s for s in full_pack.sections if s.id == "quality"]
    (checks,) = [t for t in section.tables() if t.id == "checks"]
    found = shared_demo.check().problems
    assert [r["title"] for r in checks.rows] == [f.check.title.en for f in found]
    assert [r["count"] for r in checks.rows] == [f.count for f in found]
    text = written[".html"].read_text(encoding="utf-8")
    assert 'id="checks"' in text or "checks" in parse(text).ids
    assert found[0].check.fix.en in text


@pytest.mark.slow
def test_the_printed_document_cuts_the_long_leaderboard_the_html_keeps_every_rep(
    full_pack: ReviewPack,
) -> None:
    from salesmetrics.reports.html import render_html

    (board,) = [t for s in full_pack.sections for t in s.tables() if t.id == "leaderboard"]
    assert board.printed is not None and len(board.rows) > len(board.printed.rows)

    def leaderboard_rows(text: str) -> int:
        table = text.split('id="leaderboard"', 1)[1].split("</table>", 1)[0]
        return table.count("<tr>") - 1  # the heading's row

    screen = render_html(full_pack)
    printed = render_html(full_pack, paged=True)
    assert leaderboard_rows(screen) == len(board.rows)
    assert leaderboard_rows(printed) == len(board.printed.rows)
    assert board.printed.note in printed and board.printed.note not in screen
