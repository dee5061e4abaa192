"""New deals that change what every deal's or account's part depends on: a stage never seen
before (the stage order), and won deals dated before existing customers' first ones (their
acquisition). The metrics of the families each claim is about must equal those of a fresh
workspace holding the same data."""

from __future__ import annotations

from pathlib import Path

from tests.demos import DemoBuild, copy_demo
from tests.incremental.grow import (
    ReviewedDemo,
    assert_same_as_fresh,
    copy_reviewed,
    export_csv,
    metrics_of,
    reviewed,
)

#: What the tests review: the metrics of the families a new stage or an earlier acquisition is
#: about (the deals added to, the stages computed again; the customers' part replaced).
ABOUT_STAGES = metrics_of("deals", "stages")
ABOUT_CUSTOMERS = metrics_of("customers")


def test_new_deals_that_change_the_stage_order_compute_the_stages_again(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, tmp_path: Path
) -> None:
    """New deals (with their history) through a stage never seen before: the stage order
    derived from the data changes, so every deal's furthest stage may; the stage rows are
    computed again while the deals' rows are added to."""
    ws = copy_reviewed(reviewed_demo, tmp_path / "stage")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    folder = tmp_path / "new"
    folder.mkdir()
    try:
        files = {}
        for table, renamed in (
            ("opportunities", {}),
            ("opportunity_history", {'"stage"': "'Zeta review'"}),
        ):
            renamed['"opportunity_id"'] = "opportunity_id || '-Z'"
            where = "hash(opportunity_id) % 50 = 0"
            files[table] = export_csv(ws.duckdb, table, where, folder / f"{table}.csv", renamed)
        for target in (ws, fresh):
            for table, path in files.items():
                assert target.import_file(table, path).rows_loaded > 0
        got = reviewed(ws, ABOUT_STAGES)
        assert "added deals_by_rep_team_manager_region" in ws.derived.built
        assert "added stages_by_rep_team_manager_region_stage" not in ws.derived.built
        assert_same_as_fresh(got, fresh, ABOUT_STAGES)
    finally:
        ws.close()
        fresh.close()


def test_new_deals_that_move_a_customers_acquisition_replace_its_part(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, tmp_path: Path
) -> None:
    """Won deals of existing customers dated before their first won deal: the accounts' spans
    and acquisition dates change (into another period), so their part of the customers' rows
    is taken away and their part for the data now added; equal to a fresh workspace."""
    ws = copy_reviewed(reviewed_demo, tmp_path / "acquired")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    path = tmp_path / "earlier.csv"
    try:
        moved = {
            '"opportunity_id"': "opportunity_id || '-E'",
            '"close_date"': "CAST(close_date - INTERVAL 100 DAY AS DATE)",
            '"created_at"': "created_at - INTERVAL 100 DAY",
        }
        first = "QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY close_date) = 1"
        where = f"status = 'won' AND account_id IS NOT NULL AND hash(account_id) % 5 = 0 {first}"
        export_csv(ws.duckdb, "opportunities", where, path, moved)
        for target in (ws, fresh):
            assert target.import_file("opportunities", path).rows_loaded > 0
        got = reviewed(ws, ABOUT_CUSTOMERS)
        assert "added customers_by_rep_team_manager_region" in ws.derived.built
        assert_same_as_fresh(got, fresh, ABOUT_CUSTOMERS)
    finally:
        ws.close()
        fresh.close()
