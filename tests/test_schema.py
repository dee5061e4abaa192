"""The declarative schema matches data-model.md and creates valid tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salesmetrics import UserError, schema

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "data-model.md"


def _spec_tables() -> dict[str, tuple[set[str], set[str]]]:
    """Columns and bold (required) columns of each table in data-model.md."""
    tables: dict[str, tuple[set[str], set[str]]] = {}
    current = None
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            m = re.match(r"## ([a-z_]+)(?: —.*)?$", line)
            current = m.group(1) if m else None
            if current:
                tables[current] = (set(), set())
        elif current and line.startswith("| ") and not line.startswith("| column"):
            cell = line.split("|")[1].strip()
            if set(cell) <= {"-", " "}:
                continue
            required = cell.startswith("**")
            for name in cell.strip("*").split(","):
                tables[current][0].add(name.strip())
                if required:
                    tables[current][1].add(name.strip())
    return tables


@pytest.mark.skipif(not SPEC.exists(), reason="the spec folder is beside the project")
def test_schema_declares_every_table_and_column_of_the_data_model() -> None:
    spec = _spec_tables()
    assert set(spec) == set(schema.SCHEMA)
    for name, (columns, required) in spec.items():
        table = schema.SCHEMA[name]
        assert columns <= set(table.column_names), name
        assert required == set(table.required), name


def test_keys_are_columns_and_required() -> None:
    for t in schema.TABLES:
        assert t.key
        for k in t.key:
            assert t.column(k).required, (t.name, k)


def test_money_is_exact_decimal() -> None:
    for t in schema.TABLES:
        for c in t.columns:
            if c.type is schema.ColumnType.DECIMAL:
                assert c.sql.startswith("DECIMAL"), (t.name, c.name)


def test_unknown_table_suggests_the_close_one() -> None:
    with pytest.raises(
        UserError, match=r"unknown table 'opportunity' \(did you mean 'opportunities'"
    ):
        schema.table("opportunity")


def test_create_sql_runs_on_duckdb() -> None:
    import duckdb

    con = duckdb.connect()
    for t in schema.TABLES:
        con.execute(schema.create_table_sql(t)).fetchall()
        cols = [r[0] for r in con.execute(f'DESCRIBE "{t.name}"').fetchall()]
        assert cols == [*t.column_names, "_batch_id", "_loaded_at"]
