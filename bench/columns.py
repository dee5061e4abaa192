"""The columns a review reads, from the backend's own plans, and the scan floor over them.

:func:`read_columns` asks DuckDB for the physical plan (``EXPLAIN (FORMAT JSON)``) of every
expression the engine ran and collects, per canonical table, the columns its table scans
read (projected or filtered on): what DuckDB actually reads, after its own pruning, rather
than a hand-kept list. :func:`scan_floor_sql` is one query reading each of those columns once
(an aggregate over every one), whose time is P1's baseline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import ibis.expr.types as ir

from salesmetrics import schema
from salesmetrics.ingest.sql import ident
from salesmetrics.workspace import Workspace

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _nodes(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield node
    for child in node.get("children", ()):
        yield from _nodes(child)


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[attr-defined]


def plan_columns(
    plan: Iterable[Mapping[str, Any]], known: Mapping[str, Iterable[str]]
) -> dict[str, set[str]]:
    """Per table of ``known`` (table -> its columns), the columns the table scans of a DuckDB
    JSON plan read; scans of other tables (the period spine, a memtable) are left out."""
    out: dict[str, set[str]] = {}
    for root in plan:
        for node in _nodes(root):
            info = node.get("extra_info") or {}
            if not isinstance(info, Mapping) or "Table" not in info:
                continue
            table = str(info["Table"]).rsplit(".", 1)[-1].strip('"')
            if table not in known:
                continue
            names = set(known[table])
            cols = out.setdefault(table, set())
            cols.update(c for c in _as_list(info.get("Projections")) if c in names)
            for text in _as_list(info.get("Filters")):
                cols.update(w for w in _WORD.findall(text) if w in names)
    return out


def read_columns(ws: Workspace, expressions: Iterable[ir.Expr]) -> dict[str, list[str]]:
    """Per canonical table, every column the plans of ``expressions`` read (sorted)."""
    backend = ws.backend
    known = {t.name: ws.table(t.name).columns for t in schema.TABLES}
    found: dict[str, set[str]] = {}
    for expr in expressions:
        sql = backend.compile(expr)
        backend._run_pre_execute_hooks(expr)  # registers the expression's memtables
        row = ws.duckdb.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchone()
        assert row is not None
        for table, cols in plan_columns(json.loads(row[1]), known).items():
            found.setdefault(table, set()).update(cols)
    return {t: sorted(c) for t, c in sorted(found.items()) if c}


def scan_floor_sql(columns: Mapping[str, Iterable[str]]) -> str:
    """One query that reads every column of ``columns`` once: ``max`` of each, per table, the
    per-table aggregates cross-joined into one row."""
    parts = []
    for i, (table, cols) in enumerate(sorted(columns.items())):
        aggs = ", ".join(f"max({ident(c)}) AS c{i}_{j}" for j, c in enumerate(cols))
        parts.append(f"(SELECT {aggs} FROM {ident(table)}) AS t{i}")
    if not parts:
        raise ValueError("no columns to read")
    return "SELECT * FROM " + " CROSS JOIN ".join(parts)


def merged(*found: dict[str, list[str]]) -> dict[str, list[str]]:
    """The columns of several :func:`read_columns` results together (sorted)."""
    union: dict[str, set[str]] = {}
    for columns in found:
        for table, cols in columns.items():
            union.setdefault(table, set()).update(cols)
    return {t: sorted(c) for t, c in sorted(union.items())}
