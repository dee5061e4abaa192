"""Writing a pack in the format its file's suffix names (.html, .pdf, .xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.progress import Progress
    from salesmetrics.reports.model import ReviewPack

#: The formats a pack is written in, by file suffix.
FORMATS = (".html", ".pdf", ".xlsx")


def write_pack(pack: ReviewPack, out: Path | str, *, progress: Progress | None = None) -> Path:
    """Write ``pack`` to ``out`` as HTML, PDF or XLSX (by its suffix); returns the path."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"cannot write a pack to {out.name!r}: name a .html, .pdf or .xlsx file")
    if not out.parent.exists():
        raise UserError(f"cannot write {out}: folder {out.parent} does not exist")
    if suffix == ".xlsx":
        from salesmetrics.reports.xlsx import write_xlsx

        write_xlsx(pack, out)
        return out
    from salesmetrics.reports.html import render_html

    html = render_html(pack, progress=progress, paged=suffix == ".pdf")
    if suffix == ".html":
        out.write_text(html, encoding="utf-8")
        return out
    from salesmetrics.reports.pdf import write_pdf

    write_pdf(html, out, progress=progress)
    return out
