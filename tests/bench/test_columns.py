"""Column discovery from DuckDB plans, and the scan-floor query over them."""

from __future__ import annotations

from bench import columns, review
from salesmetrics import Workspace

PLAN = [
    {
        "name": "HASH_GROUP_BY",
        "extra_info": {"Groups": "#0"},
        "children": [
            {
                "name": "SEQ_SCAN ",
                "extra_info": {
                    "Table": "workspace.main.opportunities",
                    "Projections": ["status", "amount"],
                    "Filters": "close_date>='2025-01-01'::DATE",
                },
                "children": [],
            },
            {
                "name": "ARROW_SCAN",
                "extra_info": {"Function": "ARROW_SCAN", "Projections": ["period"]},
                "children": [],
            },
        ],
    }
]


def test_plan_columns_reads_projections_and_filters_of_known_tables() -> None:
    known = {"opportunities": ["status", "amount", "close_date", "name"]}
    assert columns.plan_columns(PLAN, known) == {
        "opportunities": {"status", "amount", "close_date"}
    }


def test_plan_columns_leaves_out_unknown_tables() -> None:
    assert columns.plan_columns(PLAN, {"leads": ["status"]}) == {}


def test_read_columns_of_a_recorded_evaluation(tiny: Workspace) -> None:
    [evaluation] = review.run(tiny, [review.Request("2025", "quarter", ("team",))], record=True)
    found = columns.read_columns(tiny, evaluation.expressions)
    assert {"status", "close_date", "amount", "owner_id"} <= set(found["opportunities"])
    assert "team" in found["reps"]
    # the deal's name is never aggregated: DuckDB's plan does not read it
    assert "name" not in found["opportunities"]


def test_scan_floor_reads_every_column_once(tiny: Workspace) -> None:
    sql = columns.scan_floor_sql({"opportunities": ["amount", "status"], "reps": ["team"]})
    assert sql.count("max(") == 3
    row = tiny.duckdb.execute(sql).fetchone()
    assert row == (4000, "won", "West")


def test_read_columns_counts_what_the_materialised_intermediates_read(tiny: Workspace) -> None:
    tiny.derived.reset()  # as after an import: the first evaluation materialises them
    [evaluation] = review.run(tiny, [review.Request("2025", "quarter", ())], record=True)
    found = columns.read_columns(tiny, evaluation.expressions)
    # the history is read only by the intermediates (the opportunity states, the stage visits)
    # that the evaluation kept: their expressions are recorded too
    assert {"changed_at", "stage"} <= set(found["opportunity_history"])
