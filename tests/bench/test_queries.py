"""Counting the statements that reach DuckDB, and the P6 figure built from them."""

from __future__ import annotations

from bench import p6_queries, querylog, review
from salesmetrics import Workspace


def test_kind_sorts_statements() -> None:
    assert querylog.kind("  SELECT 1") == "data"
    assert querylog.kind("WITH t AS (SELECT 1) SELECT * FROM t") == "data"
    assert querylog.kind("(SELECT 1) UNION ALL (SELECT 2)") == "data"
    assert querylog.kind("DESCRIBE (SELECT * FROM reps)") == "metadata"
    assert querylog.kind("") == "other"
    assert querylog.kind('INSERT INTO "temp"."main"."_sm_derived_x_0" ("a") SELECT 1') == "derived"
    assert querylog.kind('CREATE TEMP TABLE "temp"."main"."_sm_derived_x_0" (a INT)') == "other"
    assert querylog.kind('INSERT INTO "temp"."main"."_sm_periods_x_1" ("a") SELECT 1') == "data"
    assert querylog.kind('INSERT INTO "t" ("a") SELECT a FROM _sm_derived_x_0') == "other"
    assert querylog.kind("SELECT CURRENT_SCHEMA()") == "metadata"
    # kept between sessions: computed into _sm_keep_*, copied to a file, read back as data
    assert querylog.kind('INSERT INTO "temp"."main"."_sm_keep_1_2" ("a") SELECT 1') == "derived"
    assert querylog.kind("COPY \"_sm_keep_1_2\" TO '/w.cache/x.parquet' (FORMAT parquet)") == (
        "other"
    )
    assert querylog.kind("SELECT * FROM read_parquet('/w.cache/x/1.parquet')") == "data"
    # an intermediate read back whole (the data's dates, once per data version and session)
    assert querylog.kind('SELECT * FROM "temp".main._sm_keep_1_2') == "derived"
    assert querylog.kind('SELECT * FROM "_sm_kept_1_2"') == "derived"
    assert querylog.kind("SELECT * FROM _sm_derived_data_span_0") == "derived"
    assert querylog.kind("SELECT * FROM _sm_keep_1_2 WHERE x > 1") == "data"
    assert querylog.kind("SELECT * FROM opportunities") == "data"
    assert querylog.kind("SELECT table_name FROM duckdb_tables()") == "metadata"
    assert querylog.tally(["SELECT 1", "DESCRIBE x"]) == {
        "data": 1,
        "derived": 0,
        "metadata": 1,
        "other": 0,
    }


def test_logged_counts_what_the_connection_runs(workspace: Workspace) -> None:
    con = workspace.duckdb
    with querylog.logged(con) as log:
        con.execute("SELECT 1").fetchall()
        con.execute("SELECT 2").fetchall()
    assert len(log.data) == 2
    con.execute("SELECT 3").fetchall()
    assert len(log.data) == 2  # nothing logged after the block


def test_queries_do_not_grow_with_periods_or_groups(tiny: Workspace) -> None:
    plan = [
        review.Request("2025-Q1", None, ()),
        review.Request("2025", "month", ()),
        review.Request("2025-Q1", None, ("rep",)),
        review.Request("2025", "month", ("rep",)),
    ]
    runs = review.run(tiny, plan, record=True)
    data = [len(querylog.QueryLog(r.statements).data) for r in runs]
    derived = [querylog.tally(r.statements)["derived"] for r in runs]
    assert derived[0] > 0 and derived[1:] == [0, 0, 0]  # materialised once, then reused
    assert data[0] == data[1] > 0
    assert data[2] == data[3] > 0
    assert p6_queries.period_invariant(runs)
    fig = p6_queries.figure(runs)
    assert fig.ratio is not None and fig.ratio >= 1
    assert all(r["families"] > 0 for r in fig.details["evaluations"])
    # a grouping read from the cubes of the same periods still counts the families it used
    assert runs[3].families and set(runs[3].families) > set(runs[3].queries) & set(runs[3].families)


def test_period_invariance_fails_when_counts_differ(tiny: Workspace) -> None:
    runs = review.run(tiny, [review.Request("2025", "quarter", ())], record=True)
    other = review.Evaluation(
        review.Request("2025", "month", ()),
        0.0,
        runs[0].queries,
        0,
        statements=["SELECT 1"],
        families=runs[0].families,
    )
    assert not p6_queries.period_invariant([runs[0], other])
    assert p6_queries.figure([runs[0], other]).holds is False


def test_more_materialisations_than_families_fail(tiny: Workspace) -> None:
    runs = review.run(tiny, [review.Request("2025", "quarter", ())], record=True)
    assert p6_queries.figure(runs).holds
    many = [f'INSERT INTO "_sm_derived_t{i}" ("a") SELECT 1' for i in range(100)]
    flooded = review.Evaluation(
        runs[0].request,
        0.0,
        runs[0].queries,
        0,
        statements=[*runs[0].statements, *many],
        families=runs[0].families,
    )
    fig = p6_queries.figure([runs[0], flooded])
    assert fig.holds is False and "materialisations" in fig.note
