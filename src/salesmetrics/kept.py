"""Intermediates kept between sessions of an embedded workspace, as Parquet and Arrow files.

Readers open the workspace's database read-only and never write it (see
:mod:`salesmetrics.backends.snapshot`), so what one session computes for the next is kept
beside it, in the folder ``FILE.cache``, every file written to a temporary name and renamed
into place, so that several sessions computing the same table at once each leave a whole file
and none reads half of one. A folder that cannot be written (read-only storage) keeps nothing:
the session still computes its answer, only the next session does not find it.

**Kept by what it reads.** An intermediate is valid as long as the tables it reads hold the
same data: ``<env>/<name>/reads.json`` lists those tables (learnt from its expression the
first time it is computed, see :meth:`salesmetrics.derived.Derived.reads_of`), and its rows live
in ``<env>/<name>/<slot>/``, the slot a digest of those tables' current versions (row count and
batches imported). So an import of leads leaves the opportunity history's intermediates valid,
and an import of deals makes them stale. ``env`` is the stamp of the package's source code and
the workspace configuration (:func:`stamp`): other code or settings keep apart.

**Whole-history tables** (:meth:`Kept.get`, :meth:`Kept.put`): ``<slot>/table.parquet``, or
the Parquet files ``<slot>/parts.json`` lists (written after them) when the table was brought up
to date from an earlier slot (:meth:`Kept.put_parts`: that slot's files linked, and the new
rows; :mod:`salesmetrics.incremental`). ``<slot>/meta.json`` holds the versions of the tables
the rows were computed from, for that.

**Per-period tables** (:meth:`Kept.append`, :meth:`Kept.read`): a result made of rows per
period (column :data:`PERIOD_KEY`) is kept in parts, ``<slot>/<part>.arrow``, each with
``<part>.json`` naming the periods it holds (written after the rows: a part is done when its
list exists, a period without rows included), and ``<slot>/meta.json`` the versions of the
tables they were computed from, so that a later slot can add the rows of new units to them
(:class:`salesmetrics.incremental.PerUnit`). Two sessions may keep the same period; a read
takes each period from one part only. The parts are uncompressed Arrow IPC files, not
Parquet: a later session reads some eighty small ones, and one is mapped into memory in about
a tenth of the time a Parquet file takes to decode (their rows are a few times larger on
disk, a few MB on the medium demo).
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
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

#: The column of a per-period table naming the period of a row (see :func:`period_key`).
PERIOD_KEY = "_sm_period"
#: Folders of other code, settings or data untouched this long are removed (no session still
#: reads them).
STALE_SECONDS = 3600.0
#: In the tables an intermediate reads: something else (every table's version counts).
ALL = "*"
_names = itertools.count()
#: A whole-history table kept in one file, in its slot.
TABLE = "table.parquet"
#: The list of a whole-history table's parts (an earlier slot's files and the rows added).
PARTS = "parts.json"
#: The versions of the tables a slot's rows were computed from (for updating it later).
META = "meta.json"
#: The suffix of a per-period table's parts (Arrow IPC files, :func:`write_part`).
PART_SUFFIX = ".arrow"


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
    """The stamp of tables computed under ``version`` (settings, data) by this code."""
    return hashlib.sha256(f"{code_digest()}\n{version!r}".encode()).hexdigest()


def is_stamp(path: Path) -> bool:
    """Whether ``path`` is the folder of one stamp (:func:`stamp`) in a cache folder (beside
    them: the remembered requests and the kept answers, :mod:`salesmetrics.answers`)."""
    name = path.name
    return path.is_dir() and len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class Kept:
    """The kept tables of one embedded workspace under ``env`` in folder ``root``, valid for
    the table ``versions`` of the data now, read through its Ibis backend (``backend()``)."""

    def __init__(
        self,
        backend: Callable[[], Any],
        root: Path,
        env: str,
        versions: Mapping[str, Hashable],
    ) -> None:
        self._backend = backend
        self._root = root
        self._folder = root / env
        self._versions = versions
        self._reads: dict[str, frozenset[str] | None] = {}  # name -> tables it reads
        self._parts: dict[str, dict[str, Path]] = {}  # name -> period -> part, listed once

    def get(self, name: str) -> tuple[ir.Table, frozenset[str]] | None:
        """The kept table ``name`` valid for the data now, with the tables it reads; else
        None."""
        slot = self._slot(name)
        parts = parts_of(slot) if slot else []
        if not parts:
            return None
        reads = self._reads[name]
        assert reads is not None
        return self._view(parts), reads

    def put(self, name: str, expr: ir.Table, reads: frozenset[str]) -> ir.Table:
        """``expr`` (reading the tables ``reads``) computed in one query into a table of this
        session, and kept as ``name`` for later ones."""
        from salesmetrics.backends import scratch

        here = f"_sm_keep_{os.getpid()}_{next(_names)}"
        table = scratch.materialise(self._backend(), here, expr)
        con = self._backend().con
        slot = self._learn(name, reads)
        if slot is not None and self._write_meta(slot, reads):
            keep_file(
                slot / TABLE,
                lambda to: con.execute(
                    f"COPY {_quoted(here)} TO {_literal(str(to))} (FORMAT parquet)"
                ),
            )
        return table

    def reads(self, name: str) -> frozenset[str] | None:
        """The tables ``name`` reads, as recorded when it was first kept (None: never kept)."""
        self._slot(name)
        return self._reads.get(name)

    def view(self, parts: Sequence[Path]) -> ir.Table:
        """The rows of the kept Parquet files ``parts`` (of :meth:`previous`) as a table."""
        return self._view(parts)

    def previous(self, name: str) -> tuple[list[Path], dict[str, Any]] | None:
        """The parts of the most recently kept slot of ``name`` for other data, with the
        versions of the tables it was computed from (None when there is none)."""
        current = self._slot(name)
        folder = self._folder / name
        found = []
        with contextlib.suppress(OSError):
            for slot in folder.iterdir() if folder.is_dir() else ():
                parts = parts_of(slot) if slot.is_dir() and slot != current else []
                if parts:
                    with contextlib.suppress(OSError, ValueError):
                        meta = json.loads((slot / META).read_text(encoding="utf-8"))
                        found.append((slot.stat().st_mtime, parts, meta["versions"]))
        if not found:
            return None
        _, parts, versions = max(found, key=lambda f: f[0])
        return parts, versions

    def put_parts(
        self, name: str, reads: frozenset[str], linked: Sequence[Path], expr: ir.Table
    ) -> ir.Table | None:
        """Keep ``name`` for the data now as the Parquet files ``linked`` (of an earlier slot,
        linked, not copied) and the rows of ``expr``; the kept table, or None when the slot
        cannot be written."""
        con = self._backend().con
        slot = self._learn(name, reads)
        if slot is None or not self._write_meta(slot, reads):
            return None
        names = []
        for i, path in enumerate(linked):
            target = slot / f"part-{i}.parquet"
            if not keep_file(target, functools.partial(os.link, path)):
                return None
            names.append(target.name)
        last = slot / f"part-{len(linked)}.parquet"
        query = self._backend().compile(expr)
        if not keep_file(
            last, lambda to: con.execute(f"COPY ({query}) TO {_literal(str(to))} (FORMAT parquet)")
        ):
            return None
        names.append(last.name)
        listing = json.dumps(names)
        if not keep_file(slot / PARTS, lambda to: to.write_text(listing, encoding="utf-8")):
            return None
        return self._view(parts_of(slot))

    def _write_meta(self, slot: Path, reads: frozenset[str]) -> bool:
        """Note in ``slot`` the versions of the tables ``reads`` its rows were computed from."""
        from salesmetrics.incremental import as_json

        text = json.dumps({"versions": as_json({t: self._versions.get(t) for t in reads})})
        return keep_file(slot / META, lambda to: to.write_text(text, encoding="utf-8"))

    def periods(self, name: str) -> set[str]:
        """The periods the per-period table ``name`` holds for the data now."""
        return set(self._index(name))

    def append(
        self, name: str, periods: Sequence[str], rows: pa.Table, reads: frozenset[str]
    ) -> None:
        """Keep ``rows`` (with column :data:`PERIOD_KEY`), the rows of ``periods`` computed from
        the tables ``reads``, as a part of the per-period table ``name``."""
        slot = self._learn(name, reads)
        if slot is None or not ((slot / META).is_file() or self._write_meta(slot, reads)):
            return
        part = slot / f"{os.getpid()}-{time.time_ns()}-{next(_names)}"
        data = part.with_suffix(PART_SUFFIX)
        listing = json.dumps(list(periods))
        if keep_file(data, lambda to: write_part(rows, to)) and keep_file(
            part.with_suffix(".json"), lambda to: to.write_text(listing, encoding="utf-8")
        ):
            index = self._index(name)
            for period in periods:
                index.setdefault(period, data)

    def read(self, name: str, periods: Sequence[str]) -> pa.Table:
        """The rows of ``periods`` (each held by some part) of the per-period table ``name``.
        Read with pyarrow, not through the backend: the parts are small, and a query each
        costs more than reading them (a later session reads some forty)."""
        return read_periods(self._index(name), periods)

    def previous_periods(self, name: str) -> tuple[dict[str, Path], dict[str, Any]] | None:
        """The periods held by the most recently kept slot of the per-period table ``name``
        for other data (period -> part, for :func:`read_periods`), with the versions of the
        tables its rows were computed from (None when there is none)."""
        current = self._slot(name)
        folder = self._folder / name
        found = []
        with contextlib.suppress(OSError):
            for slot in folder.iterdir() if folder.is_dir() else ():
                if slot.is_dir() and slot != current:
                    with contextlib.suppress(OSError, ValueError, KeyError):
                        meta = json.loads((slot / META).read_text(encoding="utf-8"))
                        index = _index_of(slot)
                        if index:
                            found.append((slot.stat().st_mtime, index, meta["versions"]))
        if not found:
            return None
        _, index, versions = max(found, key=lambda f: f[0])
        return index, versions

    def tidy(self) -> None:
        """Remove what no session has written for a while and the data now cannot use: the
        folders of other code or settings, and the slots of other data but the most recent
        one of each table (the one the data now grow from, :meth:`previous`, even when the
        import came hours after it was kept)."""
        now = time.time()

        def stale(path: Path) -> bool:
            return now - path.stat().st_mtime > STALE_SECONDS

        with contextlib.suppress(OSError):
            for env in self._root.iterdir():
                if is_stamp(env) and env != self._folder and stale(env):
                    shutil.rmtree(env, ignore_errors=True)
            for name in self._folder.iterdir() if self._folder.is_dir() else ():
                current = self._slot(name.name)
                others = [s for s in name.iterdir() if s.is_dir() and s != current]
                latest = max(others, key=lambda s: s.stat().st_mtime, default=None)
                for slot in others:
                    if slot != latest and stale(slot):
                        shutil.rmtree(slot, ignore_errors=True)

    def forget(self) -> None:
        """Remove every kept table (the next session computes them again, as after a write)."""
        shutil.rmtree(self._root, ignore_errors=True)
        self._reads.clear()
        self._parts.clear()

    def _slot(self, name: str) -> Path | None:
        """The folder of ``name`` for the current versions of the tables it reads; None when it
        was never kept (which tables it reads is learnt when it is first computed)."""
        if name not in self._reads:
            listing = self._folder / name / "reads.json"
            try:
                self._reads[name] = frozenset(json.loads(listing.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                self._reads[name] = None
        reads = self._reads[name]
        return None if reads is None else self._folder / name / slot_of(reads, self._versions)

    def _learn(self, name: str, reads: frozenset[str]) -> Path | None:
        """Record that ``name`` reads ``reads``; its slot, or None if it cannot be written."""
        if self._reads.get(name) != reads:
            listing = json.dumps(sorted(reads))
            path = self._folder / name / "reads.json"
            if not keep_file(path, lambda to: to.write_text(listing, encoding="utf-8")):
                return None
            self._reads[name] = reads
            self._parts.pop(name, None)
        return self._slot(name)

    def _index(self, name: str) -> dict[str, Path]:
        """Period -> the part holding it, for ``name`` and the data now (listed once)."""
        if name not in self._parts:
            slot = self._slot(name)
            self._parts[name] = _index_of(slot) if slot else {}
        return self._parts[name]

    def _view(self, paths: Sequence[Path]) -> ir.Table:
        """A view of the Parquet files ``paths`` in the backend (read when queried)."""
        name = f"_sm_kept_{os.getpid()}_{next(_names)}"
        files = ", ".join(_literal(str(p)) for p in paths)
        self._backend().con.execute(
            f"CREATE TEMPORARY VIEW {_quoted(name)} AS SELECT * FROM read_parquet([{files}])"
        )
        table: ir.Table = self._backend().table(name)
        return table


def parts_of(slot: Path) -> list[Path]:
    """The Parquet files holding a whole-history table kept in ``slot`` (none until it is
    complete): :data:`TABLE`, or the parts :data:`PARTS` lists (written after them)."""
    whole = slot / TABLE
    if whole.is_file():
        return [whole]
    try:
        names = json.loads((slot / PARTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [slot / str(n) for n in names]


def slot_of(reads: frozenset[str], versions: Mapping[str, Hashable]) -> str:
    """The digest of the versions of the tables ``reads`` (all of them when it holds ``*``:
    something read that is not a table of the schema)."""
    relevant = (
        dict(versions)
        if ALL in reads or ALL in versions
        else {t: versions.get(t) for t in sorted(reads)}
    )
    text = json.dumps(sorted(relevant.items()), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def keep_file(path: Path, write: Callable[[Path], object]) -> bool:
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


def _index_of(slot: Path) -> dict[str, Path]:
    """Period -> the part holding it, of the per-period slot ``slot`` (each part's listing is
    written after its rows; :data:`META` is no listing)."""
    index: dict[str, Path] = {}
    for listing in sorted(slot.glob("*.json")):
        if listing.name == META:
            continue
        data = listing.with_suffix(PART_SUFFIX)
        with contextlib.suppress(OSError, ValueError):
            for period in json.loads(listing.read_text(encoding="utf-8")):
                index.setdefault(period, data)
    return index


def read_periods(index: Mapping[str, Path], periods: Sequence[str]) -> pa.Table:
    """The rows of ``periods`` from the per-period parts ``index`` names (period -> part), read
    with pyarrow (see :meth:`Kept.read`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    by_part: dict[Path, list[str]] = {}
    for period in periods:
        by_part.setdefault(index[period], []).append(period)
    tables = []
    for path, wanted in by_part.items():
        rows = read_part(path)
        keys = rows[PERIOD_KEY]
        if pc.any(pc.invert(pc.is_in(keys, pa.array(wanted, keys.type)))).as_py():
            rows = rows.filter(pc.is_in(keys, pa.array(wanted, keys.type)))
        tables.append(rows)
    return pa.concat_tables(tables, promote_options="permissive")


def write_part(rows: pa.Table, path: Path) -> None:
    """Write ``rows`` as a per-period part: an uncompressed Arrow IPC file."""
    import pyarrow as pa

    options = pa.ipc.IpcWriteOptions(use_threads=False)
    with (
        pa.OSFile(str(path), "wb") as sink,
        pa.ipc.new_file(sink, rows.schema, options=options) as out,
    ):
        out.write_table(rows)


def read_part(path: Path) -> pa.Table:
    """The rows of a per-period part (:func:`write_part`), mapped into memory: the buffers are
    the file's pages, not copies (a part is written to another name and renamed into place,
    never changed after, so its pages stay valid while the rows are used)."""
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()
