"""New deals (with their history) and activities: the demo's, split off by a hash of their key
or by date (the first quarter only), imported back into a workspace that reviewed the rest.

The kept whole-history tables grow per key or by sums, the kept per-period rows are added to
by the new units alone and equal those of a full computation, and every metric equals the
review of the demo as built (money to the cent, other numbers to 1e-9).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import Workspace
from salesmetrics.workspace import open_workspace
from tests.demos import DemoBuild, copy_demo
from tests.incremental.grow import (
    BY_DATE,
    BY_HASH,
    ReviewedDemo,
    assert_close_rows,
    assert_same_reviews,
    assert_same_rows,
    kept_slots,
    reviewed,
    slots,
    split_off,
)

#: The whole-history tables that grow per key or by sums.
GROWN = ("pipeline_spans", "stage_visits", "activity_days")
#: The customers' spans (recurring basis), grown per account.
SPANS = "customer_spans_subscriptions"
#: The customers' metrics asked for a period set the review did not keep (their spans grown).
CUSTOMER_METRICS = ["new_customers", "customer_churn_rate", "customer_retention_rate"]
#: The families whose kept per-period rows grow by the new deals or activities (their cubes).
ADDED = (
    *(f"{f}_by_rep_team_manager_region" for f in ("deals", "pipeline", "activities")),
    "stages_by_rep_team_manager_region_stage",
    # new deals of existing customers: their accounts' part replaced
    "customers_by_rep_team_manager_region",
)


@pytest.mark.parametrize("chosen", [BY_HASH, BY_DATE], ids=["every-period", "early-period"])
def test_an_import_of_new_keys_grows_the_kept_tables_and_every_metric_is_the_same(
    demo_build: DemoBuild,
    reviewed_demo: ReviewedDemo,
    whole: Workspace,
    tmp_path: Path,
    chosen: dict[str, str],
) -> None:
    ws = copy_demo(demo_build, tmp_path / "grown")
    try:
        files = split_off(ws, tmp_path / "new", chosen)
        ws.derived.reset()
        reviewed(ws)  # keeps the intermediates of the data without the split rows
        whole_before = {n: slots(ws, n, "table.parquet") for n in GROWN}
        kept_before = {n: set(kept_slots(ws, n)) for n in ADDED}
        spans_before = slots(ws, SPANS, "table.parquet")
        for table, path in files.items():
            assert ws.import_file(table, path).rows_loaded > 0
        ws.close()
        ws = open_workspace(ws.root)  # a later session, as after the command line's import
        got = reviewed(ws)
        for name in GROWN:  # grown where needed (the per-period rows added need none of them)
            assert slots(ws, name, "table.parquet") == whole_before[name], f"{name} computed"
        # the accounts of the new deals had spans: theirs computed again, the others' kept
        # the customers' rows were replaced per account, reading only those accounts' spans
        assert slots(ws, SPANS, "table.parquet") == spans_before, "customer spans computed whole"
        # a period set not kept needs every account's spans: grown per account, not computed
        earlier = {"period": str(demo_build.year - 1), "grain": "quarter"}
        grown = ws.metrics(CUSTOMER_METRICS, **earlier).rows()
        assert slots(ws, SPANS, "parts.json"), "customer spans computed whole"
        assert_close_rows(grown, whole.metrics(CUSTOMER_METRICS, **earlier).rows())
        for family in ADDED:
            assert f"added {family}" in ws.derived.built, f"{family} computed again, not added"
        for family in ADDED:  # the rows added equal the rows computed from the whole data
            new = kept_slots(ws, family)
            (grown,) = (rows for slot, rows in new.items() if slot not in kept_before[family])
            (computed,) = kept_slots(whole, family).values()
            assert_same_rows(grown, computed)
        assert_same_reviews(got, reviewed_demo.results)
    finally:
        ws.close()
