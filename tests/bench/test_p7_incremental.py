"""P7: imports and the next review timed together against the scan floor, all rows loaded."""

from __future__ import annotations

from pathlib import Path

from bench.p7_incremental import IncrementalRun

from bench import p7_incremental, review
from salesmetrics import Workspace


def test_it_imports_the_new_rows_then_reviews_on_a_workspace_warmed_first(
    crm: Workspace, tmp_path: Path
) -> None:
    crm.close()
    plan = [review.Request("2025", "quarter", ("team",))]
    result = p7_incremental.run(crm.root, plan, tmp_path / "new")
    assert result.loaded == result.rows and result.rows["opportunities"] >= 1
    assert set(result.import_seconds) == {
        "opportunities",
        "opportunity_history",
        "activities",
        "warm",  # the work the import does after, counted in
    }
    assert result.review_seconds > 0 and result.floor_seconds > 0 and result.columns_read > 0
    assert result.seconds == sum(result.import_seconds.values()) + result.review_seconds
    fig = p7_incremental.figure(result)
    assert fig.bar == "P7" and fig.ratio == result.seconds / result.floor_seconds


def _run(loaded: int) -> IncrementalRun:
    rows = {"opportunities": 10, "opportunity_history": 50, "activities": 20}
    return IncrementalRun(
        {"opportunities": 0.5, "opportunity_history": 0.5, "activities": 1.0},
        3.0,
        1.0,
        rows,
        90,
        {**rows, "activities": loaded},
    )


def test_the_ratio_counts_imports_and_review_and_rejected_rows_fail_it() -> None:
    fig = p7_incremental.figure(_run(20))
    assert fig.ratio == 5.0 and fig.holds is True
    assert "import 2.00 s" in fig.measured and "next review 3.00 s" in fig.measured
    short = p7_incremental.figure(_run(19))
    assert short.ratio == 5.0 and short.holds is False and "not all" in short.note
