"""What a workspace holds, in one cheap query: rows per table, and each table's data version.

The engine reads it at the start of every evaluation (to choose bases and to know whether its
intermediates still hold, see :mod:`salesmetrics.derived`), and the command line reads it on its
own, without Ibis, to find an answer kept for the same request and data
(:mod:`salesmetrics.answers`). Both use this one definition.

The query reads no column but two of ``reps``, so it is plain SQL text: built through Ibis it
would need every table's schema looked up first (a catalog query each, on every new
connection). It is the same text on DuckDB, PostgreSQL and Spark SQL but for the quoting of
names.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

from salesmetrics import schema
from salesmetrics.backends import spare
from salesmetrics.backends.snapshot import ALL, GENERATIONS

#: The prefix of the inventory's rows counting a table's imported batches.
BATCHES = "_batches:"
#: The prefix of its rows counting the writes into a table (embedded workspaces).
WRITES = "_writes:"
#: The row counting reps with employment dates.
REPS_WITH_DATES = "_reps_with_dates"


@functools.cache
def inventory_sql(scheme: str = "duckdb", *, writes: bool = False) -> str:
    """The inventory query for a backend of ``scheme`` (:attr:`Config.backend_scheme`).

    Its rows (``table_name``, ``n``): rows per table, :data:`REPS_WITH_DATES`, batches
    imported per table (prefixed :data:`BATCHES`) and, with ``writes`` (an embedded
    workspace), the writes counted per table (prefixed :data:`WRITES`)."""
    q = _quoter(scheme)
    parts = [
        f"SELECT '{t.name}' AS table_name, COUNT(*) AS n FROM {q(t.name)}"
        for t in (*schema.TABLES, schema.IMPORT_LOG)
    ]
    dated = f"{q('hired_on')} IS NOT NULL OR {q('left_on')} IS NOT NULL"
    parts.append(
        f"SELECT '{REPS_WITH_DATES}' AS table_name,"
        f" COUNT(CASE WHEN {dated} THEN 1 END) AS n FROM {q('reps')}"
    )
    name = q("table_name")
    parts.append(
        f"SELECT '{BATCHES}' || {name} AS table_name, COUNT(*) AS n"
        f" FROM {q(schema.IMPORT_LOG.name)} GROUP BY {name}"
    )
    if writes:
        parts.append(
            f"SELECT '{WRITES}' || {name} AS table_name, {q('n')} AS n FROM {q(GENERATIONS)}"
        )
    return " UNION ALL ".join(parts)


def _quoter(scheme: str) -> functools.partial[str]:
    """Quote a name as ``scheme``'s SQL does (backticks on Spark, double quotes elsewhere)."""
    mark = "`" if scheme in ("pyspark", "spark") else '"'
    return functools.partial(_quote, mark)


def _quote(mark: str, name: str) -> str:
    return mark + name.replace(mark, mark * 2) + mark


@dataclass(frozen=True)
class Counts:
    """The inventory read: rows per canonical table (the import log apart), reps with
    employment dates, and each table's data version (import log included)."""

    rows: dict[str, int]
    reps_with_dates: int
    versions: dict[str, Hashable]


def read_counts(rows: Iterable[tuple[object, object]]) -> Counts:
    """The inventory's ``(table_name, n)`` rows as :class:`Counts`. A table's version is its
    rows, the batches imported into it (a batch that replaces rows by key changes it when the
    rows stay as many) and the writes the snapshot writer counted (into it, and into every
    table)."""
    counts = {str(name): int(str(n)) for name, n in rows}
    reps_with_dates = counts.pop(REPS_WITH_DATES, 0)
    batches, writes = (_per_table(counts, prefix) for prefix in (BATCHES, WRITES))
    versions: dict[str, Hashable] = {
        name: (n, batches.get(name, 0), writes.get(name, 0), writes.get(ALL, 0))
        for name, n in counts.items()
    }
    counts.pop(schema.IMPORT_LOG.name, None)
    return Counts(rows=counts, reps_with_dates=reps_with_dates, versions=versions)


def _per_table(counts: dict[str, int], prefix: str) -> dict[str, int]:
    """The inventory's rows labelled ``prefix`` + a table's name, taken out of ``counts``."""
    rows = {n: c for n, c in counts.items() if n.startswith(prefix)}
    for name in rows:
        del counts[name]
    return {n[len(prefix) :]: c for n, c in rows.items()}


def read_versions(database: Path) -> dict[str, Hashable] | None:
    """Every table's version in the embedded database ``database``, read through a short
    read-only connection of its own (None when there is no such file or it lacks a table)."""
    import duckdb

    if not database.is_file():
        return None
    try:
        with spare.reading(database) as con:
            rows = con.execute(inventory_sql("duckdb", writes=True)).fetchall()
    except duckdb.Error:
        return None
    return read_counts(rows).versions
