"""Batches that write rows of existing keys: deals and activities replaced (an upsert), and
history added to existing deals. Nothing may be added to; the answers (every metric after the
upsert, those reading the history after it) must equal those of a fresh workspace holding the
same data, computed from nothing."""

from __future__ import annotations

from pathlib import Path

from tests.demos import DemoBuild, copy_demo
from tests.incremental.grow import (
    SPLIT,
    ReviewedDemo,
    assert_same_as_fresh,
    copy_reviewed,
    export_csv,
    metrics_of,
    reviewed,
    slots,
)

#: What the history test reviews: the metrics of the families that read the history (the
#: upsert test reviews every metric: the one scenario compared whole with a fresh workspace).
ABOUT_HISTORY = metrics_of("pipeline", "stages", "deal_cycles")


def test_a_batch_replacing_existing_rows_gives_the_answers_of_computing_everything_again(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, tmp_path: Path
) -> None:
    folder = tmp_path / "changed"
    folder.mkdir()
    ws = copy_reviewed(reviewed_demo, tmp_path / "upserted")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    try:
        files = {}
        for table, key, change in (
            ("opportunities", "opportunity_id", ("amount", "amount * 2")),
            ("activities", "activity_id", ("duration_minutes", "duration_minutes + 1")),
        ):
            files[table] = export_csv(
                ws.duckdb,
                table,
                f"hash({key}) % {SPLIT} = 0",
                folder / f"{table}.csv",
                {f'"{change[0]}"': change[1]},
            )
        for target in (ws, fresh):
            for table, path in files.items():
                target.import_file(table, path)
        got = reviewed(ws)
        assert not [b for b in ws.derived.built if b.startswith("added ")], "replaced: not new"
        assert slots(ws, "pipeline_spans", "parts.json"), "deals replaced: their rows again"
        assert not slots(ws, "activity_days", "parts.json"), "sums cannot lose replaced rows"
        assert_same_as_fresh(got, fresh)
    finally:
        ws.close()
        fresh.close()


def test_history_added_to_existing_deals_computes_their_periods_again(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, tmp_path: Path
) -> None:
    """New history rows (new keys of the history) of deals that had rows before: the kept
    pipeline rows hold those deals' parts already, so they are computed again, not added to."""
    ws = copy_reviewed(reviewed_demo, tmp_path / "history")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    path = tmp_path / "history.csv"
    try:
        changed = {'"changed_at"': "changed_at + INTERVAL 1 HOUR", '"amount"': "amount * 2"}
        last = "QUALIFY row_number() OVER (PARTITION BY opportunity_id ORDER BY changed_at DESC)"
        where = f"hash(opportunity_id) % {SPLIT} = 0 {last} = 1"
        export_csv(ws.duckdb, "opportunity_history", where, path, changed)
        for target in (ws, fresh):
            assert target.import_file("opportunity_history", path).rows_loaded > 0
        got = reviewed(ws, ABOUT_HISTORY)
        assert "added pipeline_by_rep_team_manager_region" not in ws.derived.built
        assert_same_as_fresh(got, fresh, ABOUT_HISTORY)
    finally:
        ws.close()
        fresh.close()
