"""The review packs of the small demo, built once per session and written once per format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.reports import ReviewPack, build_pack, write_pack
from tests.demos import DemoBuild

ROOT = Path(__file__).resolve().parents[2]
#: Where the PDF's pages are drawn as PNG for a person to look at (gitignored).
ARTIFACTS = ROOT / ".cache" / "test-artifacts" / "reports"


def last_quarter(build: DemoBuild) -> str:
    """The demo's last full quarter (its last year's fourth)."""
    return f"{build.year}-Q4"


@pytest.fixture(scope="session")
def quarter(demo_build: DemoBuild) -> str:
    """The quarter the packs review."""
    return last_quarter(demo_build)


@pytest.fixture(scope="session")
def full_pack(shared_demo: Workspace, quarter: str) -> ReviewPack:
    """The quarterly pack of every role, in English."""
    return build_pack(shared_demo, "quarterly", quarter)


@pytest.fixture(scope="session")
def written(full_pack: ReviewPack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The full pack written as HTML, PDF and XLSX, by suffix."""
    folder = tmp_path_factory.mktemp("packs")
    return {s: write_pack(full_pack, folder / f"review{s}") for s in (".html", ".pdf", ".xlsx")}


def quarter_dates(label: str) -> tuple[dt.date, dt.date]:
    """The first day of quarter ``label`` and the first day after it."""
    year, q = int(label[:4]), int(label[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, end
