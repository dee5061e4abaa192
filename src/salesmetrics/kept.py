"""Intermediates kept between sessions of an embedded workspace, as Parquet files.

Readers open the workspace's database read-only and never write it (see
:mod:`salesmetrics.backends.snapshot`), so what one session computes for the next is kept
beside it, in the folder ``FILE.cache``: one sub-folder per *stamp* (a digest of the data
version, the package's source code and nothing else), so that a session of other data or other
code never reads it, and every file written to a temporary name and renamed into place, so that
several sessions computing the same table at once each leave a whole file and none reads half
of one. A folder that cannot be written (read-only storage) keeps nothing: the session still
computes its answer, only the next session does not find it.

**Whole-history tables** (:meth:`Kept.get`, :meth:`Kept.put`): ``<stamp>/<name>.parquet``.

**Per-period tables** (:meth:`Kept.append`, :meth:`Kept.read`): a result made of rows per
period (column :data:`PERIOD_KEY`) is kept in parts, ``<stamp>/<name>/<part>.parquet``, each
with ``<part>.json`` naming the periods it holds (written after the rows: a part is done when
its list exists, a period without rows included). Two sessions may keep the same period; a read
takes each period from one part only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from salesmetrics.backends import scratch

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: The column of a per-period table naming the period of a row (see :func:`period_key`).
PERIOD_KEY = "_sm_period"
#: Folders of other stamps untouched this long are removed (no session still reads them).
STALE_SECONDS = 3600.0
_names = itertools.count()


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
    """The kept tables in folder ``root`` of one embedded workspace, read through its Ibis
    backend (``backend()``, connected on first use)."""

    def __init__(self, backend: Callable[[], Any], root: Path) -> None:
        self._backend = backend
        self._root = root
        self._parts: dict[tuple[str, str], dict[str, Path]] = {}  # period -> part, listed once

    def get(self, name: str, stamp: str) -> ir.Table | None:
        """The kept table ``name`` if it was computed under ``stamp``, else None."""
        path = self._root / stamp / f"{name}.parquet"
        if not path.is_file():
            return None
        return self._view(path)

    def put(self, name: str, stamp: str, expr: ir.Table) -> ir.Table:
        """``expr`` computed (one query) into a table of this session, and kept as ``name``
        under ``stamp`` for later ones."""
        name_here = f"_sm_keep_{os.getpid()}_{next(_names)}"
        table = scratch.materialise(self._backend(), name_here, expr)
        con = self._backend().con
        _keep(
            self._root / stamp / f"{name}.parquet",
            lambda to: con.execute(
                f"COPY {_quoted(name_here)} TO {_literal(str(to))} (FORMAT parquet)"
            ),
        )
        return table

    def periods(self, name: str, stamp: str) -> set[str]:
        """The periods the per-period table ``name`` holds under ``stamp``."""
        return set(self._index(name, stamp))

    def append(self, name: str, stamp: str, periods: Sequence[str], rows: pa.Table) -> None:
        """Keep ``rows`` (with column :data:`PERIOD_KEY`), the rows of ``periods``, as a part of
        the per-period table ``name`` under ``stamp``."""
        folder = self._root / stamp / name
        part = folder / f"{os.getpid()}-{time.time_ns()}-{next(_names)}"
        data = part.with_suffix(".parquet")
        listing = json.dumps(list(periods))
        if _keep(data, lambda to: pq.write_table(rows, to)) and _keep(
            part.with_suffix(".json"), lambda to: to.write_text(listing, encoding="utf-8")
        ):
            index = self._index(name, stamp)
            for period in periods:
                index.setdefault(period, data)

    def read(self, name: str, stamp: str, periods: Sequence[str]) -> pa.Table:
        """The rows of ``periods`` (each held by some part) of the per-period table ``name``
        under ``stamp``."""
        by_part: dict[Path, list[str]] = {}
        index = self._index(name, stamp)
        for period in periods:
            by_part.setdefault(index[period], []).append(period)
        tables = []
        for path, wanted in by_part.items():
            keys = ", ".join(_literal(p) for p in wanted)
            sql = (
                f"SELECT * FROM read_parquet({_literal(str(path))}) WHERE {PERIOD_KEY} IN ({keys})"
            )
            tables.append(self._backend().con.execute(sql).to_arrow_table())
        return pa.concat_tables(tables, promote_options="permissive")

    def keep_only(self, stamp: str) -> None:
        """Remove the folders of other stamps that no session has written for a while."""
        with contextlib.suppress(OSError):
            for folder in self._root.iterdir():
                if folder.name != stamp and time.time() - folder.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)

    def forget(self) -> None:
        """Remove every kept table (the next session computes them again, as after a write)."""
        shutil.rmtree(self._root, ignore_errors=True)
        self._parts.clear()

    def _index(self, name: str, stamp: str) -> dict[str, Path]:
        """Period -> the part holding it, for ``name`` under ``stamp`` (listed once)."""
        key = (stamp, name)
        if key not in self._parts:
            index: dict[str, Path] = {}
            for listing in sorted((self._root / stamp / name).glob("*.json")):
                data = listing.with_suffix(".parquet")
                with contextlib.suppress(OSError, ValueError):
                    for period in json.loads(listing.read_text(encoding="utf-8")):
                        index.setdefault(period, data)
            self._parts[key] = index
        return self._parts[key]

    def _view(self, path: Path) -> ir.Table:
        """A view of the Parquet file ``path`` in the backend (read when queried)."""
        name = f"_sm_kept_{os.getpid()}_{next(_names)}"
        self._backend().con.execute(
            f"CREATE TEMPORARY VIEW {_quoted(name)} AS"
            f" SELECT * FROM read_parquet({_literal(str(path))})"
        )
        table: ir.Table = self._backend().table(name)
        return table


def _keep(path: Path, write: Callable[[Path], object]) -> bool:
    """``write(partial)`` a file beside ``path``, then rename it to ``path``; False (and
    nothing left behind) where the folder cannot be written: keeping is only a saving."""
    import duckdb

    partial = path.with_name(f".{path.name}.{os.getpid()}.{next(_names)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
        partial.replace(path)
    except (OSError, duckdb.IOException):
        with contextlib.suppress(OSError):
            partial.unlink()
        return False
    return True


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
