"""The file a write replaced, kept for the next writer to bring up to date instead of copying.

A writer of an embedded workspace writes a file of its own that starts as the current database
(:mod:`.snapshot`). Copying the whole file for that costs its size in writes, flushed to disk
before the swap, for every import however small. So when a write is committed, the file it
replaces is kept as ``FILE.prev`` (a hard link: the *spare*), and the next writer renames the
spare to its copy and rewrites only the chunks in which it differs from the current file,
usually the few blocks the last write changed: both files are read (from the page cache, most
often), a few megabytes written and flushed.

A file must never change under a reader. Every reader the product opens *pins* the file it
reads: a shared ``flock`` on a handle of its own, held as long as it reads (:func:`pinned`;
within one process, until the last connection to the database closes, since DuckDB shares
one open file between the connections of a process).
A writer reuses the spare only if it gets an exclusive ``flock`` on it (no reader of this or
another process pins it) and an exclusive ``fcntl`` lock (no other process has it open through
DuckDB, which holds an ``fcntl`` read lock on the files it reads); otherwise it drops the spare
(its readers keep their open file) and copies the current file as before.

A spare is kept for files of at least :data:`SPARE_MIN_BYTES` only: a smaller file copies
quickly, and the spare doubles the disk a workspace takes. Removing ``FILE.prev`` by hand is
harmless (the next write copies).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")

#: The suffix of the spare beside the database file.
SPARE = ".prev"
#: The smallest database for which the file a write replaces is kept as the spare.
SPARE_MIN_BYTES = 64 * 1024 * 1024
#: The unit in which the spare is compared with the current file (DuckDB's block size).
CHUNK = 256 * 1024
#: How often a reader tries again when its file was replaced while it opened it.
ATTEMPTS = 100


def spare_path(database: Path) -> Path:
    """The spare kept beside ``database``."""
    return database.with_name(database.name + SPARE)


def pinned(database: Path, opener: Callable[[], T], close: Callable[[T], object]) -> T:
    """``opener()`` (a connection reading ``database``), the file it opened pinned until the
    matching :func:`unpinned` (no pin if the file is missing)."""
    pin: IO[bytes] | None = None
    opened: T | None = None
    for _ in range(ATTEMPTS):
        try:
            handle = database.open("rb")
        except FileNotFoundError:
            break
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # a writer is bringing it up to date: the name moved on
            handle.close()
            continue
        try:
            opened = opener()
        except BaseException:
            handle.close()
            raise
        if _same_file(handle, database):  # the name still names the file pinned: it was read
            pin = handle
            break
        close(opened)  # replaced between the pin and the open: pin the new one
        opened = None
        handle.close()
    if opened is None:  # missing, or writers swapped files all along: read without a pin
        opened = opener()
    _enter(database, pin)
    return opened


def _same_file(handle: IO[bytes], database: Path) -> bool:
    pinned_stat = os.fstat(handle.fileno())
    try:
        named = database.stat()
    except FileNotFoundError:
        return False
    return (pinned_stat.st_dev, pinned_stat.st_ino) == (named.st_dev, named.st_ino)


@dataclass
class _Readers:
    """The connections of this process reading one database, and every file they pinned."""

    count: int = 0
    pins: list[IO[bytes]] = field(default_factory=list)


#: Per database: DuckDB gives a connection opened while another of this process reads the
#: same path *that one's* file, whatever the name points to now. So the files pinned are all
#: kept until the last connection of the process closes.
_readers: dict[str, _Readers] = {}
_mutex = threading.Lock()


def _key(database: Path) -> str:
    return os.path.realpath(database)


def _enter(database: Path, pin: IO[bytes] | None) -> None:
    with _mutex:
        readers = _readers.setdefault(_key(database), _Readers())
        readers.count += 1
        if pin is not None:
            readers.pins.append(pin)


def unpinned(database: Path) -> None:
    """A connection :func:`pinned` opened on ``database`` is closed: once it was this
    process's last, the files its connections read are released."""
    with _mutex:
        readers = _readers.get(_key(database))
        if readers is None:
            return
        readers.count -= 1
        if readers.count > 0:
            return
        del _readers[_key(database)]
    for pin in readers.pins:
        pin.close()


@contextlib.contextmanager
def reading(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only DuckDB connection to ``database`` (no Ibis), its file pinned while
    the block runs."""
    import duckdb

    con = pinned(database, lambda: duckdb.connect(str(database), read_only=True), _close)
    try:
        yield con
    finally:
        con.close()
        unpinned(database)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


_held: dict[int, weakref.finalize[[int, Path], object]] = {}


def hold(owner: object, database: Path) -> None:
    """Call :func:`unpinned` for ``database`` at :func:`release` of ``owner``, or when
    ``owner`` is collected, whichever comes first."""
    key = id(owner)
    _held[key] = weakref.finalize(owner, _drop, key, database)


def release(owner: object) -> None:
    """``owner`` is closed: see :func:`hold` (nothing if it holds nothing)."""
    finalizer = _held.get(id(owner))
    if finalizer is not None:
        finalizer()


def _drop(key: int, database: Path) -> None:
    _held.pop(key, None)
    unpinned(database)


def take(database: Path, copy: Path) -> bool:
    """Make the spare of ``database`` the writer's ``copy``, brought up to date with
    ``database``; False (``copy`` not made) when there is no spare or a reader still has it."""
    spare = spare_path(database)
    try:
        handle = spare.open("r+b")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # no pin
            fcntl.lockf(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # no other DuckDB
        except OSError:
            spare.unlink(missing_ok=True)  # its readers keep it; the disk is freed after them
            return False
        spare.replace(copy)
        with database.open("rb") as source:
            sync(source.fileno(), handle.fileno())
    return True


def sync(source: int, target: int) -> int:
    """Make the file ``target`` (a descriptor open for reading and writing) equal to
    ``source`` by rewriting only the :data:`CHUNK` s that differ; how many bytes it wrote."""
    size = os.fstat(source).st_size
    theirs, ours = bytearray(CHUNK), bytearray(CHUNK)
    written = 0
    for offset in range(0, size, CHUNK):
        n = os.preadv(source, [theirs], offset)
        m = os.preadv(target, [ours], offset)
        # whole chunks compare as bytearrays (memcmp); the last, shorter one as slices
        same = n == m and (theirs == ours if n == CHUNK else theirs[:n] == ours[:n])
        if not same:
            view, at = memoryview(theirs)[:n], offset
            while view:
                done = os.pwrite(target, view, at)
                view, at, written = view[done:], at + done, written + done
    os.ftruncate(target, size)
    return written


def keep(database: Path) -> None:
    """Keep ``database`` (about to be replaced by a committed write) as its spare, if it is
    large enough to be worth it; called with the writer lock held."""
    spare = spare_path(database)
    spare.unlink(missing_ok=True)  # normally gone already: taken or dropped by the writer
    with contextlib.suppress(OSError):  # no hard links here: the next writer copies
        if database.stat().st_size >= SPARE_MIN_BYTES:
            os.link(database, spare)
