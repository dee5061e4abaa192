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


@contextlib.contextmanager
def exclusive_if_free(path: Path) -> Iterator[bool]:
    """Hold the exclusive lock of ``path`` if nobody holds it (yields True), else yield False at
    once without waiting; a folder that cannot be written also yields False."""
    try:
        handle = path.open("a+b")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
