"""The leads' rows, read through each lead's outcome: new deals that leave every outcome as it
was keep them (and the engagement's), a new won deal of a lead whose deal was lost computes
them again, and new leads are added to them. The metrics of the families each claim is about
must equal a review computed from nothing on the same data (every metric, for the new leads:
the demo's review)."""

from __future__ import annotations

from pathlib import Path

from salesmetrics import Workspace
from salesmetrics.workspace import open_workspace
from tests.demos import DemoBuild, copy_demo
from tests.incremental.grow import (
    LEADS,
    SPLIT,
    ReviewedDemo,
    assert_same_as_fresh,
    assert_same_reviews,
    assert_same_rows,
    copy_reviewed,
    export_csv,
    kept_slots,
    metrics_of,
    new_deals,
    reviewed,
)

#: What the scenario tests review: the metrics of the families the claims are about (the leads
#: kept, the engagement read as kept, the deals added to; the leads computed again).
ABOUT_KEPT = metrics_of("leads", "engagement", "deals")
ABOUT_LEADS = metrics_of("leads")


def test_new_deals_leaving_the_leads_outcomes_keep_the_leads_and_engagement_rows(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, tmp_path: Path
) -> None:
    """New deals naming the leads of existing deals, with those deals' status (as bar P7's
    copies): every lead's outcome is the same, so the leads' kept rows hold; the engagement
    reads no deal (the recurring basis's customers at end come from the MRR alone), so its
    kept rows are read as they are."""
    ws = copy_reviewed(reviewed_demo, tmp_path / "same")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    try:
        path = new_deals(
            ws, tmp_path, f"lead_id IS NOT NULL AND hash(opportunity_id) % {SPLIT} = 0", {}
        )
        for target in (ws, fresh):
            assert target.import_file("opportunities", path).rows_loaded > 0
        ws.close()
        ws = open_workspace(ws.root)
        got = reviewed(ws, ABOUT_KEPT)
        assert f"unchanged {LEADS}" in ws.derived.built
        assert "periods engagement_scores" not in ws.derived.built, "engagement computed again"
        assert "added deals_by_rep_team_manager_region" in ws.derived.built
        assert_same_as_fresh(got, fresh, ABOUT_KEPT)
    finally:
        ws.close()
        fresh.close()


def test_new_deals_changing_a_leads_outcome_compute_the_leads_again(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, tmp_path: Path
) -> None:
    """New won deals naming leads whose deal was lost: those leads are won now, so the leads'
    rows are computed again, and equal a fresh workspace's."""
    ws = copy_reviewed(reviewed_demo, tmp_path / "won")
    fresh = copy_demo(demo_build, tmp_path / "fresh")
    try:
        path = new_deals(
            ws, tmp_path, "lead_id IS NOT NULL AND status = 'lost'", {'"status"': "'won'"}
        )
        for target in (ws, fresh):
            assert target.import_file("opportunities", path).rows_loaded > 0
        got = reviewed(ws, ABOUT_LEADS)
        assert f"unchanged {LEADS}" not in ws.derived.built
        assert f"added {LEADS}" not in ws.derived.built
        assert_same_as_fresh(got, fresh, ABOUT_LEADS)
    finally:
        ws.close()
        fresh.close()


def test_an_import_of_new_leads_adds_to_the_leads_rows(
    demo_build: DemoBuild, reviewed_demo: ReviewedDemo, whole: Workspace, tmp_path: Path
) -> None:
    """Leads split off by a hash of their key and imported back: the leads' kept rows are added
    to (the new leads alone), equal those of the demo as built, and so does every metric."""
    ws = copy_demo(demo_build, tmp_path / "leads")
    path = tmp_path / "leads.csv"
    chosen = f"hash(lead_id) % {SPLIT} = 0"
    try:
        export_csv(ws.duckdb, "leads", chosen, path)
        with ws.writing() as backend:
            backend.con.execute(f"DELETE FROM leads WHERE {chosen}")
            ws.wrote("leads")
        ws.derived.reset()
        reviewed(ws)
        before = set(kept_slots(ws, LEADS))
        assert ws.import_file("leads", path).rows_loaded > 0
        got = reviewed(ws)
        assert f"added {LEADS}" in ws.derived.built
        (grown,) = (rows for slot, rows in kept_slots(ws, LEADS).items() if slot not in before)
        (computed,) = kept_slots(whole, LEADS).values()
        assert_same_rows(grown, computed)
        assert_same_reviews(got, reviewed_demo.results)
    finally:
        ws.close()
