"""How long-running work reports its progress without printing anything itself.

The Python API never writes to stdout or stderr: an import or the demo build takes an optional
:data:`Progress` callback and calls it as ``progress(step, done, total)`` — ``step`` names the
phase (``"reading deals.csv"``, ``"converting"``, ``"load leads"``), ``done`` is how far it got
and ``total`` where it ends (``None`` when unknown). ``None`` instead of a callback reports
nothing. The command line passes a callback that draws Rich bars on stderr (its progress
view); a script or a notebook may pass its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

Progress: TypeAlias = Callable[[str, int, int | None], None]
"""Called as ``progress(step, done, total)``; ``done`` only grows within a step."""


def quiet_duckdb(con: DuckDBPyConnection) -> DuckDBPyConnection:
    """``con`` with DuckDB's own progress bar off.

    DuckDB's Python client turns it on by default and prints it to stdout once a query runs
    longer than two seconds, into a script's or a notebook's output. Every DuckDB connection
    the product opens goes through here; an import re-enables the tracking (never the printing)
    while it polls ``query_progress()`` for its callback.
    """
    con.execute("SET enable_progress_bar = false")
    con.execute("SET enable_progress_bar_print = false")
    return con
