"""Snapshots of an embedded (DuckDB) workspace: many readers and one writer at a time.

DuckDB lets one process open a database file for writing, or many processes open it read-only,
never both. So readers open the workspace's file read-only and never write it, and a writer
never writes that file in place: it copies it to ``FILE.next-<pid>``, writes the copy, and
renames it over ``FILE`` (:func:`os.replace`, atomic). A reader that opened the old file keeps
reading it (its open file outlives the rename) and sees the data as they were before the
write; a reader opened afterwards sees them after it; none sees half of a write, and none waits.

Writers take turns through an exclusive lock on ``FILE.lock`` (a second import waits for the
first). A killed writer leaves only its ``.next`` copy behind, which the next writer removes.
The copy of a large file is not made from scratch: the file the last write replaced is kept
and brought up to date, chunk by chunk, when no reader still has it (:mod:`.spare`); readers
pin the file they read for that (:func:`.spare.pinned`). See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from salesmetrics.backends import spare
from salesmetrics.backends.filelock import exclusive, exclusive_if_free

#: The suffix of a writer's copy (followed by its process id).
NEXT = ".next-"
#: The table counting the writes into each table (``*``: a write that did not say which), so
#: that a reader can tell which tables a new snapshot changed (see salesmetrics.kept).
GENERATIONS = "_sm_generations"
ALL = "*"
GENERATIONS_SQL = (
    f'CREATE TABLE IF NOT EXISTS "{GENERATIONS}" (table_name VARCHAR PRIMARY KEY, n BIGINT)'
)


def bump_sql(tables: set[str]) -> tuple[str, list[list[str]]]:
    """The statement (and its parameters) that counts one more write into each of ``tables``."""
    return (
        f'INSERT INTO "{GENERATIONS}" SELECT unnest($1::VARCHAR[]), 1'
        " ON CONFLICT (table_name) DO UPDATE SET n = n + 1",
        [sorted(tables)],
    )


def lock_path(database: Path) -> Path:
    """The lock file writers of ``database`` take turns on."""
    return database.with_name(database.name + ".lock")


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log beside ``database``."""
    return database.with_name(database.name + ".wal")


def writer_lock(database: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the exclusive writer lock of ``database`` (waiting for another writer to finish)."""
    return exclusive(lock_path(database))


def remove_stale_copies(database: Path) -> None:
    """Remove the copies (and their logs) left by killed writers; call with the lock held."""
    for stale in database.parent.glob(glob_escape(database.name) + NEXT + "*"):
        stale.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    """``name`` with the characters :meth:`Path.glob` treats as patterns escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def begin(database: Path) -> Path:
    """A writable copy of ``database`` (with its log, if any) for this process to write: its
    spare brought up to date when it can be, else a copy; call with the lock held. A database
    that does not exist yet starts empty."""
    remove_stale_copies(database)
    copy = database.with_name(f"{database.name}{NEXT}{os.getpid()}")
    try:
        if database.exists():
            if not spare.take(database, copy):
                shutil.copyfile(database, copy)
            if wal_path(database).exists():
                shutil.copyfile(wal_path(database), wal_path(copy))
    except BaseException:
        abort(copy)  # a disk that filled up during the copy keeps no half of it
        raise
    return copy


def commit(copy: Path, database: Path) -> None:
    """Make the written ``copy`` (closed, its log checkpointed) the current ``database``."""
    with copy.open("rb+") as handle:
        os.fsync(handle.fileno())
    wal_path(copy).unlink(missing_ok=True)
    spare.keep(database)  # the file replaced, for the next writer to bring up to date
    copy.replace(database)
    # a log beside the old file belongs to it: it was copied into the snapshot just committed
    wal_path(database).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        directory = os.open(database.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def abort(copy: Path) -> None:
    """Discard the writer's ``copy`` (the current database is untouched)."""
    copy.unlink(missing_ok=True)
    wal_path(copy).unlink(missing_ok=True)


def identity(database: Path) -> tuple[int, int, int] | None:
    """What tells one snapshot of ``database`` from the next (device, inode and modification
    time: a spare reused comes back with its inode), or None when the file does not exist."""
    try:
        stat = database.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns)


def writer_lock_if_free(database: Path) -> contextlib.AbstractContextManager[bool]:
    """Hold the writer lock of ``database`` if no writer holds it (True), else False at once."""
    return exclusive_if_free(lock_path(database))
