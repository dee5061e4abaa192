"""Saved mappings: the ``--map``/``--value-map`` options (and preset, date format, decimal
separator) of an import, stored in the workspace under a name (``--save-mapping NAME``) and
reused by the next import of a file like it (``--mapping NAME``). A mapping is a
:class:`~salesmetrics.ingest.options.SavedMapping`, defined beside the options it converts to and
from.

Stored as ``mappings/NAME.json`` in the workspace folder, so they travel with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

from salesmetrics.errors import UserError, suggest
from salesmetrics.ingest.options import SavedMapping

DIRECTORY = "mappings"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _path(root: Path, name: str) -> Path:
    if not _NAME.fullmatch(name) or name.endswith(".json"):
        raise UserError(
            f"mapping name {name!r}: use letters, digits, '_', '-' and '.', e.g. crm-deals"
        )
    return root / DIRECTORY / f"{name}.json"


def check_name(name: str) -> None:
    """A one-line error when ``name`` cannot name a saved mapping."""
    _path(Path(), name)


def names(root: Path) -> list[str]:
    """The names of the mappings saved in the workspace at ``root``."""
    folder = root / DIRECTORY
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def save_mapping(root: Path, name: str, mapping: SavedMapping) -> Path:
    """Store ``mapping`` as ``name`` (replacing a mapping of that name); the file written."""
    path = _path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(mapping), indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def load_mapping(root: Path, name: str, table: str) -> SavedMapping:
    """The mapping saved as ``name``; a one-line error when there is none or it is for another
    table."""
    path = _path(root, name)
    if not path.is_file():
        known = names(root)
        listed = f"; saved mappings: {', '.join(known)}" if known else "; none is saved yet"
        raise UserError(
            f"no saved mapping {name!r}{suggest(name, known)}{listed} (save one with"
            " --save-mapping NAME)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        saved = SavedMapping(**data)
    except (ValueError, TypeError) as err:
        raise UserError(f"saved mapping {name!r} ({path}) cannot be read: {err}") from None
    if saved.table != table:
        raise UserError(
            f"saved mapping {name!r} is for table {saved.table}, not {table}; import with"
            f" 'salesmetrics import {saved.table} FILE --mapping {name}'"
        )
    return saved
