"""Saved mappings: the ``--map``/``--value-map`` options (and preset, date format, decimal
separator) of an import, stored in the workspace under a name (``--save-mapping NAME``) and
reused by the next import of a file like it (``--mapping NAME``).

Stored as ``mappings/NAME.json`` in the workspace folder, so they travel with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from salesmetrics.errors import UserError, suggest

DIRECTORY = "mappings"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class SavedMapping:
    """The options of one saved mapping."""

    table: str
    map: list[str] = field(default_factory=list)
    value_map: list[str] = field(default_factory=list)
    preset: str | None = None
    date_format: str | None = None
    decimal: str | None = None


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


def merged(
    saved: SavedMapping, maps: list[str], value_maps: list[str]
) -> tuple[list[str], list[str]]:
    """The saved ``--map``/``--value-map`` items followed by the ones given now (which win: a
    later item for the same field replaces an earlier one)."""
    given = {m.partition("=")[0].strip() for m in maps}
    kept = [m for m in saved.map if m.partition("=")[0].strip() not in given]
    return kept + maps, saved.value_map + value_maps


def applied(
    root: Path,
    name: str,
    table: str,
    maps: list[str],
    value_maps: list[str],
    preset: str | None,
    date_format: str | None,
    decimal: str,
) -> tuple[list[str], list[str], str | None, str | None, str]:
    """An import's options with the mapping saved as ``name`` under them (given options win):
    ``(maps, value_maps, preset, date_format, decimal)``."""
    saved = load_mapping(root, name, table)
    maps, value_maps = merged(saved, maps, value_maps)
    return (
        maps,
        value_maps,
        preset or saved.preset,
        date_format or saved.date_format,
        saved.decimal if decimal == "." and saved.decimal else decimal,
    )
