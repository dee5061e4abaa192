"""Cohorts by acquisition month: logo and revenue retention by age."""

from __future__ import annotations

from salesmetrics import Workspace
from salesmetrics.recurring import cohorts
from tests.recurring.helpers import D, insert, sub


def test_cohort_triangle(workspace: Workspace) -> None:
    insert(workspace, "accounts", [{"account_id": a, "segment": "SMB"} for a in "abc"])
    insert(
        workspace,
        "subscriptions",
        [
            sub("a", "a", "2024-01-01", None, "100"),
            sub("b", "b", "2024-01-10", "2024-02-01", "100"),  # gone in February
            sub("b2", "b", "2024-03-01", None, "300"),  # back in March
            sub("c", "c", "2024-02-01", "2024-04-01", "50"),
        ],
    )
    frame = cohorts(workspace).to_pandas().sort_values(["cohort", "age"])
    rows = [
        (f"{r.cohort:%Y-%m}", r.age, r.customers, r.retained, r.cohort_mrr, r.mrr)
        for r in frame.itertuples()
    ]
    assert rows == [
        ("2024-01", 0, 2, 2, D(200), D(200)),
        ("2024-01", 1, 2, 1, D(200), D(100)),
        ("2024-01", 2, 2, 2, D(200), D(400)),
        ("2024-01", 3, 2, 2, D(200), D(400)),
        ("2024-02", 0, 1, 1, D(50), D(50)),
        ("2024-02", 1, 1, 1, D(50), D(50)),
        ("2024-02", 2, 1, 0, D(50), D(0)),
    ]
    jan = frame[frame.cohort.astype(str) == "2024-01-01"].set_index("age")
    assert jan.logo_retention.tolist() == [1.0, 0.5, 1.0, 1.0]
    assert jan.mrr_retention.tolist() == [1.0, 0.5, 2.0, 2.0]
    by_segment = cohorts(workspace, by=["segment"]).to_pandas()
    assert set(by_segment.segment) == {"SMB"} and len(by_segment) == len(frame)
