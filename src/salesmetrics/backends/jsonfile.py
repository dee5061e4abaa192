"""Small JSON stores kept beside a workspace (users, surveys, deliveries), written whole and
atomically: a temporary file in the same folder, flushed to disk, renamed over the old one, so
a crash leaves the old file or the new one, never half of either."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any, *, private: bool = False, indent: int = 2) -> None:
    """Replace ``path`` with ``data`` as JSON, atomically; ``private`` makes it readable by its
    owner only (mode 600), set before a byte is written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        if private:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=indent, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
