"""The mapping assistant and saved mappings of ``salesmetrics import`` (``--suggest``,
``--save-mapping NAME``, ``--mapping NAME``)."""

from __future__ import annotations

from pathlib import Path

from salesmetrics.cli.options import out
from salesmetrics.cli.safe import printable


def run_suggest(
    table: str,
    file: Path,
    workspace: Path | None,
    save_as: str | None,
    sheet: str | None,
    delimiter: str | None,
    encoding: str | None,
) -> None:
    """Print the proposed mapping of ``file`` onto ``table`` (and save it as ``save_as``)."""
    from salesmetrics.ingest.saved import SavedMapping, save_mapping
    from salesmetrics.ingest.suggest import suggest_file
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        found = suggest_file(ws, table, file, sheet=sheet, delimiter=delimiter, encoding=encoding)
        for line in found.lines():
            out.print(printable(line), markup=False)
        if save_as is not None:
            decimal = "," if "--decimal ," in found.options else None
            date_format = next(
                (o.split(" ", 1)[1] for o in found.options if o.startswith("--date-format")),
                None,
            )
            saved = SavedMapping(
                found.table,
                [f"{c}={h}" for c, h in found.mapping.items()],
                date_format=date_format,
                decimal=decimal,
            )
            path = save_mapping(ws.root, save_as, saved)
            out.print(
                printable(
                    f"mapping saved as {save_as!r} ({path}); import with"
                    f" 'salesmetrics import {table} FILE --mapping {save_as}'"
                ),
                markup=False,
            )


def store_mapping(
    root: Path,
    name: str,
    table: str,
    maps: list[str],
    value_maps: list[str],
    preset: str | None,
    date_format: str | None,
    decimal: str,
) -> Path:
    """Save the options of this import as ``name``; the file written."""
    from salesmetrics.ingest.saved import SavedMapping, save_mapping

    saved = SavedMapping(
        table, maps, value_maps, preset, date_format, decimal if decimal != "." else None
    )
    return save_mapping(root, name, saved)
