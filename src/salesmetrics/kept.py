"""Whole-history intermediates kept in the workspace database between sessions (DuckDB).

A DuckDB workspace is a file one process opens at a time: the CLI's every command, the web app
when it starts. Its whole-history intermediates (:mod:`salesmetrics.derived`) are stored there
as ordinary tables (``_sm_kept_<name>``) with, in the table ``_sm_kept``, the *stamp* of the
data they were computed from: a digest of the data version (row counts, configuration), the
package's source code (another version of the code may define them differently) and the
table's name. A later session of the same data and code reads them instead of computing them
again; a different stamp, or a write (see :meth:`Kept.forget`), drops them.

**Per-period tables.** Some kept results are rows of periods (a family's component cube:
:mod:`salesmetrics.metrics.rollup`), filled as periods are asked for: :meth:`Kept.append` adds
the rows of some periods (column :data:`PERIOD_KEY`) and records them as done in the bookkeeping
table :data:`PERIODS` in one transaction, so a period without rows is known to be done and a
killed process leaves no half-written period; :meth:`Kept.read` returns the rows of the periods
asked for.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from salesmetrics.backends import scratch

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: The table of stamps: one row per kept table.
STAMPS = "_sm_kept"
#: The periods each per-period table holds: ``(name, period)``, one row per period.
PERIODS = "_sm_kept_periods"
#: The column of a per-period table naming the period of a row (see :func:`period_key`).
PERIOD_KEY = "_sm_period"
_PREFIX = "_sm_kept_"
_views = itertools.count()


def period_key(label: str, start: object, end: object) -> str:
    """The key of a period in per-period tables: its label and dates (a label alone may name a
    clipped part of its grain period too)."""
    return f"{label}|{start}|{end}"


@functools.cache
def code_digest() -> str:
    """A digest of the package's Python sources (read once per process)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def stamp(version: Hashable) -> str:
    """The stamp of tables computed from data of ``version`` by this code."""
    return hashlib.sha256(f"{code_digest()}\n{version!r}".encode()).hexdigest()


class Kept:
    """The kept tables of one DuckDB workspace, read through its Ibis backend (``backend()``,
    connected on first use); the stamps are read once."""

    def __init__(self, backend: Callable[[], Any]) -> None:
        self._backend = backend
        self._stamps: dict[str, str] | None = None  # name -> stamp, read on first use
        self._periods: dict[str, set[str]] = {}  # per-period table -> its periods (with stamps)

    def get(self, name: str, stamp: str) -> ir.Table | None:
        """The kept table ``name`` if it was computed under ``stamp``, else None."""
        if self._read().get(name) != stamp:
            return None
        table: ir.Table = self._backend().table(_PREFIX + name)
        return table

    def put(self, name: str, stamp: str, expr: ir.Table) -> ir.Table:
        """``expr`` computed and kept as ``name`` under ``stamp`` (one query)."""
        stamps = self._read()
        # Compressed (DuckDB's default): uncompressed tables scanned up to 6 x faster on their
        # own, but a review of the medium demo was no faster and the file grew 4 x more.
        table = scratch.persist(self._backend(), _PREFIX + name, expr)
        self._sql(f"CREATE TABLE IF NOT EXISTS {STAMPS} (name VARCHAR, stamp VARCHAR)")
        self._sql(f"DELETE FROM {STAMPS} WHERE name = $name", name=name)
        self._sql(f"INSERT INTO {STAMPS} VALUES ($name, $stamp)", name=name, stamp=stamp)
        stamps[name] = stamp
        return table

    def periods(self, name: str, stamp: str) -> set[str]:
        """The periods the per-period table ``name`` holds under ``stamp`` (none under another)."""
        if self._read().get(name) != stamp:
            return set()
        return set(self._periods.get(name, ()))

    def append(self, name: str, stamp: str, periods: Sequence[str], rows: pa.Table) -> None:
        """Add ``rows`` (with column :data:`PERIOD_KEY`), the rows of ``periods``, to the
        per-period table ``name`` under ``stamp`` (replacing a table of another stamp), in one
        transaction."""
        if self._read().get(name) not in (None, stamp):
            self._drop(name)
        exists = name in self._read()
        con = self._backend().con
        view = f"_sm_rows_{next(_views)}"
        table = _quoted(_PREFIX + name)
        con.register(view, rows)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"CREATE TABLE IF NOT EXISTS {STAMPS} (name VARCHAR, stamp VARCHAR)")
                con.execute(f"CREATE TABLE IF NOT EXISTS {PERIODS} (name VARCHAR, period VARCHAR)")
                if exists:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
                else:
                    con.execute(f"CREATE TABLE {table} AS SELECT * FROM {view}")
                    con.execute(
                        f"INSERT INTO {STAMPS} VALUES ($name, $stamp)",
                        {"name": name, "stamp": stamp},
                    )
                con.execute(
                    f"INSERT INTO {PERIODS} SELECT $name, unnest($periods::VARCHAR[])",
                    {"name": name, "periods": list(periods)},
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.unregister(view)
        self._read()[name] = stamp
        self._periods.setdefault(name, set()).update(periods)

    def read(self, name: str, periods: Sequence[str]) -> pa.Table:
        """The rows of ``periods`` in the per-period table ``name`` (one query)."""
        # literals: DuckDB plans an IN list faster than an unnested parameter
        keys = ", ".join(_literal(p) for p in periods)
        sql = f"SELECT * FROM {_quoted(_PREFIX + name)} WHERE {PERIOD_KEY} IN ({keys})"
        rows: pa.Table = self._backend().con.execute(sql).to_arrow_table()
        return rows

    def keep_only(self, stamp: str) -> None:
        """Drop the kept tables computed under any other stamp (other data or code)."""
        for name in [n for n, s in self._read().items() if s != stamp]:
            self._drop(name)

    def forget(self) -> None:
        """Drop every kept table (the data are about to change)."""
        for name in list(self._read()):
            self._drop(name)
        scratch.drop(self._backend(), PERIODS)

    def _drop(self, name: str) -> None:
        scratch.drop(self._backend(), _PREFIX + name)
        self._sql(f"DELETE FROM {STAMPS} WHERE name = $name", name=name)
        if self._periods.pop(name, None) is not None:
            self._sql(f"DELETE FROM {PERIODS} WHERE name = $name", name=name)
        self._read().pop(name, None)

    def _read(self) -> dict[str, str]:
        if self._stamps is None:
            con = self._backend().con
            present = {
                row[0]
                for row in con.execute(
                    "SELECT table_name FROM duckdb_tables()"
                    " WHERE table_name IN ($stamps, $periods) AND NOT temporary",
                    {"stamps": STAMPS, "periods": PERIODS},
                ).fetchall()
            }
            rows = (
                con.execute(f"SELECT name, stamp FROM {STAMPS}").fetchall()
                if STAMPS in present
                else []
            )
            self._stamps = dict(rows)
            self._periods = {}
            if PERIODS in present:
                for name, period in con.execute(f"SELECT name, period FROM {PERIODS}").fetchall():
                    self._periods.setdefault(name, set()).add(period)
        return self._stamps

    def _sql(self, sql: str, **params: str) -> None:
        self._backend().con.execute(sql, params)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
