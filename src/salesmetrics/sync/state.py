"""The cursors of incremental syncs, kept in the workspace as ``sync-state.json``.

One cursor per source and object (``{"hubspot": {"deals": "1717171717000", ...}}``). The file is
written whole to a temporary name and renamed over the old one, so a kill leaves the old cursors
or the new ones, never half of each. Cursors are saved only after every table of a sync has been
loaded: a sync that fails part way starts again from the old cursors, and since each batch
replaces rows by key, pulling a record twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from salesmetrics.errors import UserError

STATE_FILE = "sync-state.json"


def load_cursors(root: Path, source: str) -> dict[str, str]:
    """The cursors of ``source`` kept in the workspace at ``root`` (empty when never synced)."""
    path = root / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(
            f"{path}: cannot be read ({err}); delete it to sync everything again (--full)"
        ) from None
    found = data.get(source, {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def save_cursors(root: Path, source: str, cursors: dict[str, str]) -> None:
    """Replace the cursors of ``source`` (other sources' cursors are kept)."""
    path = root / STATE_FILE
    data: dict[str, dict[str, str]] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            data = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            data = {}
    data[source] = dict(sorted(cursors.items()))
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)
