"""A pack as PDF: the HTML document laid out by WeasyPrint (page numbers from its ``@page``
rules, the charts kept as vector SVG)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesmetrics.progress import Progress


def write_pdf(html: str, out: Path, *, progress: Progress | None = None) -> None:
    """Lay ``html`` out as a PDF in ``out``; nothing is fetched (the document has no URL)."""
    with warnings.catch_warnings():
        # HarfBuzz-Subset (font subsetting) is optional: without it fonts are embedded whole
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        import weasyprint

    # WeasyPrint logs every CSS property it ignores; the pack's are meant for browsers too
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    if progress is not None:
        progress("laying out the PDF", 0, 1)
    with warnings.catch_warnings():
        # HarfBuzz-Subset (font subsetting) is optional: without it fonts are embedded whole
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        document = weasyprint.HTML(string=html, base_url=str(out.parent), url_fetcher=_no_fetch)
        document.write_pdf(out)
    if progress is not None:
        progress("laying out the PDF", 1, 1)


def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """Refuse every fetch: a pack is standalone, so an URL in it is a bug, never a download."""
    raise ValueError(f"a review pack fetches nothing ({url})")
