"""Whole-history intermediates kept in the workspace database between sessions (DuckDB).

A DuckDB workspace is a file one process opens at a time: the CLI's every command, the web app
when it starts. Its whole-history intermediates (:mod:`salesmetrics.derived`) are stored there
as ordinary tables (``_sm_kept_<name>``) with, in the table ``_sm_kept``, the *stamp* of the
data they were computed from: a digest of the data version (row counts, configuration), the
package's source code (another version of the code may define them differently) and the
table's name. A later session of the same data and code reads them instead of computing them
again; a different stamp, or a write (see :meth:`Kept.forget`), drops them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesmetrics.backends import scratch

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: The table of stamps: one row per kept table.
STAMPS = "_sm_kept"
_PREFIX = "_sm_kept_"


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

    def keep_only(self, stamp: str) -> None:
        """Drop the kept tables computed under any other stamp (other data or code)."""
        for name in [n for n, s in self._read().items() if s != stamp]:
            self._drop(name)

    def forget(self) -> None:
        """Drop every kept table (the data are about to change)."""
        for name in list(self._read()):
            self._drop(name)

    def _drop(self, name: str) -> None:
        scratch.drop(self._backend(), _PREFIX + name)
        self._sql(f"DELETE FROM {STAMPS} WHERE name = $name", name=name)
        self._read().pop(name, None)

    def _read(self) -> dict[str, str]:
        if self._stamps is None:
            con = self._backend().con
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND NOT temporary",
                {"t": STAMPS},
            ).fetchone()
            rows = con.execute(f"SELECT name, stamp FROM {STAMPS}").fetchall() if exists[0] else []
            self._stamps = dict(rows)
        return self._stamps

    def _sql(self, sql: str, **params: str) -> None:
        self._backend().con.execute(sql, params)
