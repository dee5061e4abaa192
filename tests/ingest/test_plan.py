"""The conversion SQL keeps rows in input order: no joins in its plan, for any table."""

from __future__ import annotations

import duckdb
import pytest

from salesmetrics.ingest.sql import Params, ident
from salesmetrics.ingest.validate import Conversion, SourceField, build_conversion
from salesmetrics.schema import TABLES, Table


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
@pytest.mark.parametrize("typed", [False, True])
def test_conversion_plan_has_no_join(table: Table, typed: bool) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Jakarta'")
    cols = ", ".join(f"{ident(c.name)} {c.sql if typed else 'VARCHAR'}" for c in table.columns)
    con.execute(f"CREATE TABLE src ({cols})")
    fields = {
        c.name: SourceField((ident(c.name),), (c.sql if typed else "VARCHAR",))
        for c in table.columns
    }
    conv = Conversion(
        table=table,
        fields=fields,
        all_sources=tuple((ident(c.name), c.sql if typed else "VARCHAR") for c in table.columns),
        base_currency="USD",
        selling_types=("call", "email", "meeting", "demo", "prospecting", "proposal", "x", "y"),
        value_maps={c.name: {f"v{i}": "x" for i in range(30)} for c in table.columns[:2]},
        decimal=",",
        date_format="%d/%m/%Y",
        utc=False,
    )
    params = Params()
    plan = build_conversion(conv, "src", params)
    sql = f"EXPLAIN {plan.sql}"
    text = "\n".join(str(r[1]) for r in con.execute(sql, params.used_by(sql)).fetchall())
    assert "JOIN" not in text.upper()
    assert "ORDER" not in text.upper()
