"""The low-level connection every layer below the API takes: a workspace's folder, its
configuration, its backend, its tables and the cache of intermediates computed from them.

:class:`salesmetrics.workspace.Workspace` is the facade built on it (import, metrics, drill,
export); nothing internal imports the facade, everything internal takes a :class:`Connection`.

**Readers and the writer.** A connection reads: on an embedded (DuckDB) workspace it opens the
database file read-only, so any number of processes read at once, and it never writes the file.
Code that changes data does so inside :meth:`Connection.writing` (the import stores do), which
writes a new snapshot of the file and swaps it in when done (:mod:`salesmetrics.backends.snapshot`);
every reader notices the new snapshot at its next :meth:`Connection.refresh` (the engine calls it
before each evaluation). PostgreSQL and Spark workspaces have their own transactions; there
:meth:`Connection.writing` simply hands out the backend.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from salesmetrics import schema
from salesmetrics.backends import snapshot, spare
from salesmetrics.config import Config
from salesmetrics.errors import UserError, failure_cause

if TYPE_CHECKING:
    import ibis
    from duckdb import DuckDBPyConnection
    from ibis.backends import BaseBackend

    from salesmetrics.derived import Derived

#: The folder of a workspace holding the raw copy of every import batch.
RAW_DIR = "raw"
#: The suffix of a raw copy being written (renamed away once its batch is committed).
PARTIAL = ".partial"


class Connection:
    """An open workspace's folder, configuration and backend connection (opened on first use)."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._tables: dict[str, ibis.Table] = {}
        self._reader: BaseBackend | None = None
        self._snapshot: tuple[int, int, int] | None = None  # of the file the reader opened
        self._writer: BaseBackend | None = None
        self._copy: Path | None = None  # the snapshot being written
        self._lock: contextlib.ExitStack | None = None
        self._depth = 0  # nested writes join the outermost one
        self._written: set[str] = set()  # the tables the write in progress changed
        # while an intermediate is brought up to date: the tables narrowed to some rows
        self._narrow: dict[str, Callable[[ibis.Table], ibis.Table]] = {}

    def __repr__(self) -> str:
        from salesmetrics.backends import display_url

        name = type(self).__name__
        return f"{name}({str(self.root)!r}, backend={display_url(self.config.backend)!r})"

    @property
    def embedded(self) -> bool:
        """Whether the workspace is an embedded DuckDB file (read through snapshots)."""
        return self.config.backend_scheme == "duckdb"

    @property
    def database(self) -> Path:
        """The DuckDB file of an embedded workspace."""
        from salesmetrics.backends.embedded import database_path

        return database_path(self.config, self.root)

    @property
    def backend(self) -> BaseBackend:
        """The Ibis backend holding the canonical tables: the snapshot being written inside
        :meth:`writing`, else the reader (opened on first use; see :mod:`salesmetrics.backends`)."""
        if self._writer is not None:
            return self._writer
        if self._reader is None:
            from salesmetrics.backends import connect

            if self.embedded:
                self._snapshot = snapshot.identity(self.database)
            self._reader = connect(self.config, self.root)
        return self._reader

    def refresh(self) -> None:
        """Reopen the reader if a writer has swapped in a new snapshot since it was opened, so
        that the next query reads the data as they are now (whole writes only)."""
        if (
            self.embedded
            and self._writer is None
            and self._reader is not None
            and snapshot.identity(self.database) != self._snapshot
        ):
            self._close_reader()

    @contextlib.contextmanager
    def writing(self) -> Iterator[BaseBackend]:
        """Write through the yielded backend: on an embedded workspace a new snapshot, swapped
        in when the block ends without an error and discarded otherwise. Nested blocks join the
        outermost one."""
        backend = self.begin_write()
        try:
            yield backend
        except BaseException:
            self.end_write(commit=False)
            raise
        self.end_write(commit=True)

    def begin_write(self) -> BaseBackend:
        """Start a write (see :meth:`writing`); each call is ended by one :meth:`end_write`."""
        self._depth += 1
        if self._depth > 1 or not self.embedded:
            return self.backend
        from salesmetrics.backends.embedded import open_writer

        lock = contextlib.ExitStack()
        try:
            lock.enter_context(snapshot.writer_lock(self.database))
            self._close_reader()
            self._copy = snapshot.begin(self.database)
            self._writer = open_writer(self.config, self._copy)
        except BaseException as err:
            self._depth -= 1
            if self._copy is not None:
                snapshot.abort(self._copy)
                self._copy = None
            lock.close()
            cause = failure_cause(err, unchanged=True)
            if cause is not None:
                raise cause from None
            raise
        self._lock = lock
        return self._writer

    def wrote(self, *tables: str) -> None:
        """Say which tables the write in progress changes (a write that says none is taken to
        change every table): the kept intermediates of the others stay valid."""
        self._written.update(tables)

    def end_write(self, *, commit: bool) -> None:
        """End a write begun by :meth:`begin_write`: the outermost end swaps the new snapshot
        in (``commit``) or discards it."""
        self._depth -= 1
        if self._depth > 0 or self._writer is None or self._copy is None:
            return
        self._forget_session()
        writer, copy, lock = self._writer, self._copy, self._lock
        written, self._written = self._written or {snapshot.ALL}, set()
        self._writer = self._copy = self._lock = None
        try:
            if commit:
                writer.con.execute(*snapshot.bump_sql(written))
                writer.con.execute("CHECKPOINT")
                writer.disconnect()
                snapshot.commit(copy, self.database)
            else:  # after a failure, which the caller reports: closing must not replace it
                with contextlib.suppress(Exception):
                    writer.disconnect()
        except Exception as err:
            with contextlib.suppress(Exception):
                writer.disconnect()
            cause = failure_cause(err, unchanged=True)
            if cause is not None:
                raise cause from None
            raise
        finally:
            snapshot.abort(copy)  # nothing left once committed
            if lock is not None:
                lock.close()

    def recover(self) -> None:
        """Remove what a killed write left in an embedded workspace's folder: its snapshot copy
        (``FILE.next-PID``) and the raw copies of batches that never committed (a raw copy of a
        batch that did commit is completed). Done only when no writer is at work, without
        waiting for one; cheap when there is nothing to do (every command opening the workspace
        calls it)."""
        if not self.embedded:
            return
        database = self.database
        raw = self.root / RAW_DIR
        copies = list(
            database.parent.glob(snapshot.glob_escape(database.name) + snapshot.NEXT + "*")
        )
        partials = list(raw.glob(f"*{PARTIAL}")) if raw.is_dir() else []
        if not copies and not partials:
            return
        with snapshot.writer_lock_if_free(database) as free:
            if not free:
                return
            with contextlib.suppress(OSError):
                snapshot.remove_stale_copies(database)
                if partials:
                    recover_raw_copies(self.root, _logged_batches(database))

    @property
    def duckdb(self) -> DuckDBPyConnection:
        """The raw DuckDB connection behind :attr:`backend`, for DuckDB workspaces only (code
        that must work on every backend goes through :attr:`backend` or an import store)."""
        if self.config.backend_scheme != "duckdb":
            raise UserError(
                f"backend {self.config.backend!r}: this operation needs a duckdb:// workspace"
            )
        return self.backend.con  # type: ignore[no-any-return]

    @cached_property
    def derived(self) -> Derived:
        """The intermediates materialised in :attr:`backend`, and kept for later sessions on an
        embedded workspace (see :mod:`salesmetrics.derived`)."""
        from salesmetrics.derived import Derived

        return Derived(
            lambda: self.backend, cache=self.cache_folder, table=self.table, narrowed=self.narrowed
        )

    def table_versions(self) -> dict[str, Hashable] | None:
        """Each table's data version (:mod:`salesmetrics.inventory`) on an embedded workspace,
        read through the open connection, or without one through a short read-only connection
        of its own (no Ibis: cheap for a command that may need nothing else); None elsewhere,
        or when the database does not exist yet."""
        from salesmetrics import inventory

        if not self.embedded:
            return None
        if self._reader is None and self._writer is None:
            return inventory.read_versions(self.database)
        from salesmetrics.backends import fetch_rows

        self.refresh()
        rows = fetch_rows(self.backend, inventory.inventory_sql("duckdb", writes=True))
        return inventory.read_counts(rows).versions

    @property
    def cache_folder(self) -> Path | None:
        """The folder beside an embedded workspace's database where sessions keep what they
        computed for later ones (``FILE.cache``); None for other backends."""
        return self.database.with_name(self.database.name + ".cache") if self.embedded else None

    def table(self, name: str) -> ibis.Table:
        """The canonical (or internal) table ``name`` as an Ibis table expression.

        Looked up once per connection: the tables are created with the workspace from the
        declarative schema and never change shape, and a lookup is a catalog query (an
        evaluation reads some sixty tables).
        """
        table = self._tables.get(name)
        if table is None:
            if name not in schema.SCHEMA and name not in {t.name for t in schema.INTERNAL_TABLES}:
                schema.table(name)  # raises the one-line error with suggestions
            table = self._tables[name] = self.backend.table(name)
        narrow = self._narrow.get(name)
        return narrow(table) if narrow is not None else table

    @contextlib.contextmanager
    def narrowed(self, narrow: Mapping[str, Callable[[ibis.Table], ibis.Table]]) -> Iterator[None]:
        """While the block runs, :meth:`table` gives each table of ``narrow`` through its
        function (a filter): an intermediate is computed for some rows only, to be merged with
        its kept rows (:mod:`salesmetrics.incremental`)."""
        saved, self._narrow = self._narrow, {**self._narrow, **narrow}
        try:
            yield
        finally:
            self._narrow = saved

    def count(self, name: str) -> int:
        """Number of rows in table ``name``."""
        return int(self.table(name).count().execute())

    def close(self) -> None:
        """Close the backend connection, if it was opened."""
        self._close_reader()

    def _forget_session(self) -> None:
        """Drop what this session materialised and looked up (before its backend changes)."""
        if "derived" in self.__dict__:
            self.derived.clear()
        self._tables.clear()

    def _close_reader(self) -> None:
        self._forget_session()
        if self._reader is not None:
            reader, self._reader = self._reader, None
            reader.disconnect()
            spare.release(reader)  # the file it read may be reused by a writer now


def recover_raw_copies(root: Path, logged: Callable[[str], bool]) -> None:
    """Finish or remove the raw copies (``raw/*.partial``) left by an import killed around its
    commit: renamed into place when ``logged`` says their batch committed, else removed."""
    directory = root / RAW_DIR
    if not directory.is_dir():
        return
    for leftover in directory.glob(f"*{PARTIAL}"):
        final = leftover.with_name(leftover.name.removesuffix(PARTIAL))
        batch = final.name.split(".", 1)[0]
        if logged(batch):
            leftover.rename(final)
        else:
            leftover.unlink(missing_ok=True)


def _logged_batches(database: Path) -> Callable[[str], bool]:
    """Whether the import log of the embedded ``database`` records a batch (read once, through
    a short read-only connection of its own; no batch when the file cannot be read)."""
    import duckdb

    batches: set[str] = set()
    if database.is_file():
        with contextlib.suppress(duckdb.Error), spare.reading(database) as con:
            batches = {
                str(r[0])
                for r in con.execute(f'SELECT batch_id FROM "{schema.IMPORT_LOG.name}"').fetchall()
            }
    return batches.__contains__
