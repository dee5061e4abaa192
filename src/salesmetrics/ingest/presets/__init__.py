"""Presets: column mappings and value maps of the common CRM exports, as data.

One module per vendor declares a :class:`~.model.Preset` (``PRESET``); this package collects
them. See :mod:`.model` for what a preset can say.
"""

from __future__ import annotations

from salesmetrics.errors import UserError, suggest
from salesmetrics.ingest.presets import capsule, hubspot, pipedrive, salesforce
from salesmetrics.ingest.presets.model import CLOSED_NEEDS_CLOSE_DATE, Preset, TablePreset

__all__ = ["CLOSED_NEEDS_CLOSE_DATE", "PRESETS", "Preset", "TablePreset", "get_preset"]

#: Every preset by name.
PRESETS: dict[str, Preset] = {
    m.PRESET.name: m.PRESET for m in (hubspot, salesforce, pipedrive, capsule)
}


def get_preset(name: str, table: str) -> TablePreset:
    """The mapping of preset ``name`` for ``table``; a one-line error when there is none."""
    found = PRESETS.get(name.lower())
    if found is None:
        raise UserError(
            f"unknown preset {name!r}{suggest(name.lower(), PRESETS)};"
            f" presets: {', '.join(PRESETS)}"
        )
    if table not in found.tables:
        fills = ", ".join(f"{t} ({found.objects.get(t, t)})" for t in found.tables)
        raise UserError(
            f"preset {found.name!r} has no mapping for table {table!r}; it fills: {fills}"
        )
    return found.tables[table]
