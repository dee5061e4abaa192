"""The review packs of the small demo, built once per session and written once per format.

The modules that read the full pack (test_html, test_pdf, test_xlsx) are one unit of work for
the xdist workers (tests/scheduling.py), so the pack is built once, and each format is written
only when a test asks for it (the PDF costs the most).
"""

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


class PackFiles:
    """The full pack's files by suffix (``.html``, ``.pdf``, ``.xlsx``), each written on first
    use."""

    def __init__(self, pack: ReviewPack, folder: Path) -> None:
        self._pack, self._folder = pack, folder
        self._paths: dict[str, Path] = {}

    def __getitem__(self, suffix: str) -> Path:
        if suffix not in self._paths:
            self._paths[suffix] = write_pack(self._pack, self._folder / f"review{suffix}")
        return self._paths[suffix]


@pytest.fixture(scope="session")
def written(full_pack: ReviewPack, tmp_path_factory: pytest.TempPathFactory) -> PackFiles:
    """The full pack written as HTML, PDF or XLSX, by suffix, each format once per session."""
    return PackFiles(full_pack, tmp_path_factory.mktemp("packs"))


def quarter_dates(label: str) -> tuple[dt.date, dt.date]:
    """The first day of quarter ``label`` and the first day after it."""
    year, q = int(label[:4]), int(label[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, end
