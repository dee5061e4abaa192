"""The generated stream: every canonical table, exactly its columns, valid, deterministic, lazy."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from salesmetrics import schema
from salesmetrics.demo import BATCH_ROWS, SCALES, generate
from salesmetrics.demo.arrow import arrow_schema
from salesmetrics.demo.company import make_org

from .conftest import collect, in_duckdb, one

TARGETS = {
    "leads": "leads",
    "opportunities": "opportunities",
    "opportunity_history": "history",
    "subscriptions": "subscriptions",
    "activities": "activities",
}


def test_arrow_schema_is_derived_from_the_schema() -> None:
    for t in schema.TABLES:
        s = arrow_schema(t.name)
        assert s.names == list(t.column_names)
        for col in t.columns:
            typ = s.field(col.name).type
            if col.type is schema.ColumnType.DECIMAL:
                assert f"DECIMAL({typ.precision},{typ.scale})" == col.sql.replace(" ", "")
    assert arrow_schema("fx_rates").field("rate").type == pa.decimal128(18, 10)
    assert arrow_schema("leads").field("created_at").type == pa.timestamp("us")


def test_every_table_is_generated_with_its_exact_schema(small: dict[str, pa.Table]) -> None:
    assert set(small) == set(schema.SCHEMA)
    for name, table in small.items():
        assert table.schema == arrow_schema(name), name
        assert table.num_rows > 0, name


def test_small_lands_near_its_targets(small: dict[str, pa.Table]) -> None:
    scale = SCALES["small"]
    assert small["reps"].num_rows == scale.reps
    for table, attr in TARGETS.items():
        target = getattr(scale, attr)
        assert 0.85 * target <= small[table].num_rows <= 1.15 * target, table


def test_batches_are_bounded() -> None:
    for _name, batch in generate("small", 1):
        assert 0 < batch.num_rows <= BATCH_ROWS


def test_keys_required_fields_and_row_rules_hold(db: duckdb.DuckDBPyConnection) -> None:
    """What import validation checks, checked here on the generated rows (from schema.py)."""
    check_validation_rules(db)


@pytest.mark.parametrize("seed", [1, 2, 3, 2**40 + 5])
def test_other_seeds_are_valid_too(seed: int) -> None:
    con = in_duckdb(collect("small", seed))
    try:
        check_validation_rules(con)
    finally:
        con.close()


def check_validation_rules(db: duckdb.DuckDBPyConnection) -> None:
    """Keys unique, required fields present, choices, bounds and row rules as schema.py says."""
    for t in schema.TABLES:
        key = ", ".join(f'"{c}"' for c in t.key)
        sql = (
            f'SELECT count(*) FROM (SELECT {key} FROM "{t.name}" GROUP BY ALL HAVING count(*) > 1)'
        )
        assert one(db, sql) == (0,), f"duplicate keys in {t.name}"
        for c in t.columns:
            q = f'SELECT count(*) FROM "{t.name}" WHERE '
            if c.required:
                assert one(db, q + f'"{c.name}" IS NULL') == (0,), f"{t.name}.{c.name} null"
            if c.choices:
                allowed = ", ".join(f"'{v}'" for v in c.choices)
                assert one(db, q + f'"{c.name}" NOT IN ({allowed})') == (0,), c.name
            if c.minimum is not None:
                assert one(db, q + f'"{c.name}" < {c.minimum}') == (0,), c.name
            if c.maximum is not None:
                assert one(db, q + f'"{c.name}" > {c.maximum}') == (0,), c.name
        for rule in t.rules:
            if isinstance(rule, schema.NotBefore):
                cond = f'"{rule.column}" < "{rule.other}"'
            else:
                cond = f'"{rule.when_column}" = \'{rule.when_value}\' AND "{rule.column}" IS NULL'
            assert one(db, f'SELECT count(*) FROM "{t.name}" WHERE {cond}') == (0,), rule


def test_same_seed_same_data_other_seed_other_data(small: dict[str, pa.Table]) -> None:
    again = collect("small", 7)
    for name in small:
        assert again[name].equals(small[name]), name
    other = collect("small", 8)
    assert not other["opportunities"].equals(small["opportunities"])
    assert not other["leads"].equals(small["leads"])


def test_the_stream_is_lazy() -> None:
    """Taking the first block of a medium demo builds that block only (1/14 of the company)."""
    stream = generate("medium", 7)
    rows, blocks = 0, 0
    names = []
    for name, batch in stream:
        names.append(name)
        blocks += name == "accounts" and names[-2:-1] != ["accounts"]
        if blocks == 2:
            break
        rows += batch.num_rows
    stream.close()
    assert names[:3] == ["reps", "fx_rates", "costs"]
    total = sum(getattr(SCALES["medium"], a) for a in TARGETS.values())
    assert rows < 0.12 * total


def test_blocks_are_bounded_independently_of_scale() -> None:
    """Blocks hold a few teams at every scale: large is more blocks, not bigger ones."""
    sizes = {}
    for name in ("small", "medium", "large"):
        org = make_org(pytest.importorskip("numpy").random.default_rng([7, 0]), SCALES[name].reps)
        per_block = [len(org.block_reps(b)) for b in range(org.n_blocks)]
        sizes[name] = max(per_block)
    assert sizes["large"] <= 40
    assert sizes["medium"] <= 40


def test_valid_even_with_every_problem_at_a_high_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edge cases of the injected problems (short quota windows, late rows) stay valid."""
    import dataclasses

    from salesmetrics.demo import hygiene

    for name, problem in hygiene.PROBLEMS.items():
        monkeypatch.setitem(hygiene.PROBLEMS, name, dataclasses.replace(problem, rate=0.5))
    for seed in (1, 2):
        con = in_duckdb(collect("small", seed))
        try:
            check_validation_rules(con)
        finally:
            con.close()
