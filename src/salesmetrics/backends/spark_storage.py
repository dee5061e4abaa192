"""Where a Spark workspace keeps its tables: Parquet parts, switched by one manifest.

Spark has no transactional catalog of its own (the in-memory catalog is per session, a Hive
metastore is one more service), so a Spark workspace keeps every canonical and internal table as
Parquet *parts* (directories written by Spark) under a storage location, and one small JSON
manifest in the workspace folder names the parts that make up each table now::

    <workspace>/spark-tables.json        {"format_version": 1, "tables": {"leads": [...]}, ...}
    <storage>/<table>/<part>/part-*.parquet

The storage location is ``<workspace>/spark-data`` unless the backend URL says ``?storage=URL``
(any path or URL every Spark executor can read and write, e.g. ``hdfs://...`` or a shared mount).
Part names in the manifest are relative to it, so a workspace folder with its default storage can
be moved.

A writer (an import, a restore) writes new parts first, then replaces the manifest with
:func:`os.replace`: readers see the tables before or after the write, never half of it, and a
writer killed before the switch leaves the workspace as it was (its parts are orphans, removed by
the next write). Writers take an exclusive lock (``.spark-write.lock``) so that two of them cannot
lose each other's switch. Parts replaced by a switch are kept for one more write, so a process
that opened the workspace just before can still read them; older ones are deleted (on local
storage only: a remote location keeps them until removed by its own tooling).

On open, every table is registered in the Spark session as a temporary view over its parts (an
empty view with the declared schema when it has none).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from salesmetrics import schema
from salesmetrics.backends.filelock import exclusive
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

MANIFEST = "spark-tables.json"
DEFAULT_STORAGE = "spark-data"
LOCK_FILE = ".spark-write.lock"
FORMAT_VERSION = 1


def all_tables() -> tuple[schema.Table, ...]:
    """Every table a workspace stores: canonical, then internal."""
    return (*schema.TABLES, *schema.INTERNAL_TABLES)


def stored_columns(t: schema.Table) -> list[tuple[str, str]]:
    """``(name, SQL type)`` of every stored column of ``t`` (metadata columns included)."""
    cols = [(c.name, c.sql) for c in t.columns]
    if t.name in schema.SCHEMA:
        cols += list(schema.META_COLUMNS)
    return cols


def spark_schema(t: schema.Table) -> StructType:
    """The Spark schema of table ``t``, derived from :mod:`salesmetrics.schema`.

    Timestamps are Spark's ``TIMESTAMP`` read in the session time zone, which the backend pins to
    UTC: the stored naive-UTC values come back unchanged.
    """
    from ibis.backends.pyspark.datatypes import PySparkType
    from ibis.backends.sql.datatypes import DuckDBType
    from pyspark.sql.types import StructField, StructType

    return StructType(
        [
            StructField(name, PySparkType.from_ibis(DuckDBType.from_string(sql)), True)
            for name, sql in stored_columns(t)
        ]
    )


def _is_local(location: str) -> bool:
    scheme = urlsplit(location).scheme
    return scheme in ("", "file") or len(scheme) == 1  # a Windows drive letter is no scheme


@dataclass(frozen=True)
class SparkStorage:
    """The storage of one Spark workspace: its manifest and its Parquet parts."""

    root: Path
    location: str

    @classmethod
    def of(cls, root: Path, storage: str | None) -> SparkStorage:
        """The storage of the workspace in ``root``; ``storage`` from the backend URL (a path
        relative to the workspace folder, an absolute path, or a URL), default ``spark-data``."""
        if storage is None or _is_local(storage):
            path = Path(urlsplit(storage).path if storage else DEFAULT_STORAGE)
            if not path.is_absolute():
                path = root / path
            return cls(root, str(path.resolve()))
        return cls(root, storage.rstrip("/"))

    @property
    def local(self) -> bool:
        """Whether the parts live on this machine's file system (then old parts are deleted)."""
        return _is_local(self.location)

    @property
    def manifest_path(self) -> Path:
        """The manifest file in the workspace folder."""
        return self.root / MANIFEST

    def uri(self, part: str) -> str:
        """The full location of ``part`` (a name from the manifest)."""
        return f"{self.location}/{part}"

    def new_part(self, table: str) -> str:
        """A fresh part name for ``table`` (unique across processes)."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        return f"{table}/{stamp}-{os.getpid()}-{secrets.token_hex(4)}"

    # -- manifest ----------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        """The manifest: ``tables`` (parts per table) and ``retired`` (parts replaced by the last
        switch, still readable)."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format_version": FORMAT_VERSION, "tables": {}, "retired": []}
        except json.JSONDecodeError as err:
            raise UserError(
                f"{self.manifest_path}: not valid JSON ({err}); restore the workspace from an"
                " export (salesmetrics restore)"
            ) from None
        if data.get("format_version") != FORMAT_VERSION:
            raise UserError(
                f"{self.manifest_path}: format {data.get('format_version')!r} is not supported"
                f" (this version reads format {FORMAT_VERSION})"
            )
        return data  # type: ignore[no-any-return]

    def parts(self) -> dict[str, list[str]]:
        """The parts of every table, as the manifest says now."""
        tables: dict[str, list[str]] = self.read()["tables"]
        return tables

    def switch(self, tables: Mapping[str, Sequence[str]]) -> None:
        """Make ``tables`` (table -> its complete list of parts) current, atomically; other
        tables keep their parts. Call it with :meth:`lock` held."""
        before = self.read()
        current: dict[str, list[str]] = dict(before["tables"])
        replaced = [
            p for name, parts in tables.items() for p in current.get(name, []) if p not in parts
        ]
        current.update({name: list(parts) for name, parts in tables.items()})
        data = {"format_version": FORMAT_VERSION, "tables": current, "retired": replaced}
        staging = self.manifest_path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
        staging.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        with staging.open("rb") as fh:
            os.fsync(fh.fileno())
        staging.replace(self.manifest_path)  # atomic (os.replace)
        self._collect(data, tables.keys())

    def _collect(self, data: Mapping[str, Any], names: Sequence[str] | Any) -> None:
        """Delete the parts of tables ``names`` that the manifest no longer names (orphans of
        killed writers, and parts retired two switches ago)."""
        if not self.local:
            return
        keep = {p for parts in data["tables"].values() for p in parts} | set(data["retired"])
        for name in names:
            folder = Path(self.location) / name
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if f"{name}/{entry.name}" not in keep:
                    shutil.rmtree(entry, ignore_errors=True)

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold the workspace's writer lock (released by the OS if the process dies)."""
        return exclusive(self.root / LOCK_FILE)

    # -- Spark -------------------------------------------------------------------------------

    def frame(self, session: SparkSession, t: schema.Table, parts: Sequence[str]) -> DataFrame:
        """Table ``t`` made of ``parts`` as a Spark DataFrame (empty when there are none)."""
        struct = spark_schema(t)
        if not parts:
            return session.createDataFrame([], struct)
        return session.read.schema(struct).parquet(*(self.uri(p) for p in parts))

    def register(self, session: SparkSession, names: Sequence[str] | None = None) -> None:
        """(Re-)register tables ``names`` (default: all) as temporary views of ``session``."""
        parts = self.parts()
        for t in all_tables():
            if names is None or t.name in names:
                self.frame(session, t, parts.get(t.name, [])).createOrReplaceTempView(t.name)

    def write(self, frame: DataFrame, part: str) -> None:
        """Write ``frame`` as the new part ``part`` (never over an existing one)."""
        frame.write.mode("errorifexists").parquet(self.uri(part))
