"""The mapping assistant of ``salesmetrics import`` (``--suggest``), and the saving of an import's
options under a name (``--save-mapping NAME``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from salesmetrics.cli.options import out
from salesmetrics.cli.safe import printable

if TYPE_CHECKING:
    from salesmetrics.ingest.options import ImportOptions


def run_suggest(
    table: str, file: Path, workspace: Path | None, save_as: str | None, options: ImportOptions
) -> None:
    """Print the proposed mapping of ``file`` (read as ``options`` say) onto ``table`` (and save
    it as ``save_as``)."""
    from salesmetrics.ingest.options import SavedMapping
    from salesmetrics.ingest.saved import save_mapping
    from salesmetrics.ingest.suggest import suggest_file
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        found = suggest_file(ws, table, file, options)
        for line in found.lines():
            out.print(printable(line), markup=False)
        if save_as is not None:
            path = save_mapping(
                ws.root, save_as, SavedMapping.of(found.table, found.import_options())
            )
            out.print(
                printable(
                    f"mapping saved as {save_as!r} ({path}); import with"
                    f" 'salesmetrics import {table} FILE --mapping {save_as}'"
                ),
                markup=False,
            )
