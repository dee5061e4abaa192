"""The PDF pack: pages with numbers, every section's title, the engine's numbers; its pages
drawn as PNG for a person to look at."""

from __future__ import annotations

import shutil

import pytest

from salesmetrics import Workspace
from salesmetrics.reports import ReviewPack
from tests.reports.conftest import ARTIFACTS, PackFiles

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(written: PackFiles) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(written[".pdf"]).pages]


def test_the_pdf_has_numbered_pages_and_every_section(
    full_pack: ReviewPack, pages: list[str]
) -> None:
    assert len(pages) >= 10
    assert f"Page 2 of {len(pages)}" in pages[1]
    text = "\n".join(pages)
    for section in full_pack.sections:
        assert section.title in text, section.title
    assert full_pack.title in pages[0]


def test_the_pdf_shows_the_engine_s_numbers(
    pages: list[str], shared_demo: Workspace, quarter: str
) -> None:
    text = "\n".join(pages)
    rows = {
        r["metric"]: r for r in shared_demo.metrics(["total_revenue", "mrr"], period=quarter).rows()
    }
    assert f"${rows['total_revenue']['value']:,.2f}" in text
    assert f"${rows['mrr']['value']:,.2f}" in text


def test_the_pdf_says_where_the_rows_it_leaves_out_are(
    full_pack: ReviewPack, pages: list[str]
) -> None:
    text = " ".join(" ".join(pages).split())
    notes = [t.printed.note for s in full_pack.sections for t in s.tables() if t.printed]
    assert notes  # the small demo's leaderboard (30 reps) is longer than the printed one
    for note in notes:
        assert " ".join(note.split()) in text


def test_the_pages_drawn_for_a_person(written: PackFiles) -> None:
    import pypdfium2 as pdfium

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    pdf = pdfium.PdfDocument(written[".pdf"])
    count = len(pdf)
    try:
        for i in range(count):
            pdf[i].render(scale=1.2).to_pil().save(ARTIFACTS / f"page-{i + 1:02d}.png")
    finally:
        pdf.close()
    assert len(list(ARTIFACTS.glob("page-*.png"))) == count
