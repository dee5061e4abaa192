"""An exclusive lock on a file, for the writers of a workspace to take turns (POSIX ``flock``:
the OS releases it when the process dies, so a killed writer never leaves it held)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (created if missing), waiting for its holder."""
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
