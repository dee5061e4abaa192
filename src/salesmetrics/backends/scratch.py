"""Tables of one connection's lifetime: materialising an expression and dropping it again.

The same hook Ibis's ``cache()`` uses (``_create_cached_table``) creates them: a temporary table
on DuckDB and PostgreSQL, a persisted DataFrame behind a temporary view on Spark. Dropping goes
through Spark's own hook there; elsewhere it is one ``DROP TABLE IF EXISTS`` written here, since
Ibis 12's ``drop_table`` emits a statement without the table name under sqlglot 30.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlglot.expressions as sge

if TYPE_CHECKING:
    import ibis.expr.types as ir


def materialise(backend: Any, name: str, expr: ir.Table) -> ir.Table:
    """``expr`` computed once into the connection-scoped table ``name`` (one query)."""
    # Spark's hook compiles the query without registering the in-memory tables it reads
    backend._run_pre_execute_hooks(expr)
    table: ir.Table = backend._create_cached_table(name, expr)
    return table


def drop(backend: Any, name: str) -> None:
    """Drop the table :func:`materialise` created as ``name`` (nothing if it is gone)."""
    if backend.name == "pyspark":
        backend._drop_cached_table(name)
        return
    statement = sge.Drop(kind="TABLE", tables=[sge.table_(name, quoted=True)], exists=True)
    with backend._safe_raw_sql(statement.sql(dialect=backend.dialect)):
        pass


def persist(backend: Any, name: str, expr: ir.Table) -> ir.Table:
    """``expr`` computed into the database table ``name`` (replacing one of that name), kept
    when the connection closes (one query)."""
    drop(backend, name)  # not create_table(overwrite=True): its DROP misses the name (above)
    backend._run_pre_execute_hooks(expr)
    table: ir.Table = backend.create_table(name, expr)
    return table
