"""Counting the statements a DuckDB connection actually executes (its ``QueryLog``).

The engine labels its own family queries, but helpers may issue more (currency checks,
period bounds, schema lookups); P6 counts what reaches the backend. Statements are sorted into
``data`` (queries reading tables: ``SELECT``/``WITH``/a parenthesised query, and filling an
intermediate of the evaluation's periods, ``_sm_periods_*``), ``derived``
(materialising a whole-history intermediate, :mod:`salesmetrics.derived`: once per data version,
so only the first evaluation after a change runs them; on DuckDB into ``_sm_keep_*``, then
written to the Parquet files kept between sessions; and reading one back whole into Python,
``SELECT * FROM`` it alone, as the data's dates are read once per data version and session),
``metadata`` (``DESCRIBE``, schema
lookups, the catalog) and ``other`` (registrations of in-memory tables, settings, the copy of a
kept table to its file and the views that read kept files).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from duckdb import DuckDBPyConnection

_DATA = ("SELECT", "WITH", "(", "FROM")
_METADATA = ("DESCRIBE", "SHOW", "PRAGMA")
_DERIVED = ("_SM_DERIVED_", "_SM_KEEP_")
_PERIODS = "_SM_PERIODS_"
# a whole intermediate read back as it is (nothing computed: the work was its materialisation)
_READ_BACK = re.compile(
    r'SELECT \* FROM ("?TEMP"?\.)?("?MAIN"?\.)?"?_SM_(DERIVED|KEEP|KEPT)_\w+"?;?'
)
# the catalog (the kept files, salesmetrics.kept, are read as data)
_KEEPING = re.compile(r"DUCKDB_TABLES\(\)")
_LOOKUPS = ("SELECT CURRENT_DATABASE()", "SELECT CURRENT_SCHEMA()")
KINDS = ("data", "derived", "metadata", "other")


def kind(statement: str) -> str:
    """``data``, ``metadata`` or ``other`` for one logged statement."""
    head = statement.lstrip().upper()
    if _KEEPING.search(head) is not None:
        return "metadata"
    if head.startswith("INSERT INTO"):
        target = head.split("(", 1)[0]
        if any(d in target for d in _DERIVED):
            return "derived"  # Ibis creates the table, then fills it with the query
        if _PERIODS in target:
            return "data"  # an intermediate of the evaluation's periods: part of its work
    if _READ_BACK.fullmatch(head.rstrip()):
        return "derived"
    if head in _LOOKUPS or head.startswith(_METADATA):
        return "metadata"
    if head.startswith(_DATA):
        return "data"
    if head.startswith(_METADATA):
        return "metadata"
    return "other"


def tally(statements: Iterable[str]) -> dict[str, int]:
    """How many statements of each kind (every kind present, zeros included)."""
    counts = Counter(kind(s) for s in statements)
    return {k: counts.get(k, 0) for k in KINDS}


@dataclass
class QueryLog:
    """The statements logged while :func:`logged` was active."""

    statements: list[str] = field(default_factory=list)

    @property
    def data(self) -> list[str]:
        """The data queries among them."""
        return [s for s in self.statements if kind(s) == "data"]


@contextmanager
def logged(con: DuckDBPyConnection) -> Iterator[QueryLog]:
    """Log every statement ``con``'s database runs inside the block; the log is filled at exit."""
    log = QueryLog()
    con.execute("CALL truncate_duckdb_logs()")
    con.execute("CALL enable_logging('QueryLog')")
    try:
        yield log
    finally:
        con.execute("CALL disable_logging()")
        rows = con.execute(
            "SELECT message FROM duckdb_logs WHERE type = 'QueryLog' ORDER BY timestamp"
        ).fetchall()
        log.statements = [str(r[0]) for r in rows if not str(r[0]).startswith("CALL ")]
