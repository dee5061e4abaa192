"""Warming after an import (salesmetrics.metrics.warm): the requests asked lately, or the
reviews of the data's latest year, computed and kept before anyone asks again."""

from __future__ import annotations

from pathlib import Path

from salesmetrics import derived
from salesmetrics.metrics.request import Request
from salesmetrics.metrics.warm import default_requests
from salesmetrics.workspace import Workspace, open_workspace
from tests.pipeline.test_funnel import build
from tests.test_derived import add_a_deal

PERIOD = "2024-Q2"


def _computed(root: Path, request: Request) -> tuple[list[str], list[dict[str, object]]]:
    """A new session's evaluation of ``request``: what it had to compute (intermediates and
    family queries) and its rows."""
    ws = open_workspace(root)
    try:
        result = ws.metrics(request)
        # the inventory, and the data's span read back from its kept table, are reads
        work = [q for q in result.queries if q not in ("inventory", "data span")]
        return work, result.rows()
    finally:
        ws.close()


def test_the_requests_asked_are_remembered_in_order_once_each(workspace: Workspace) -> None:
    build(workspace)
    asked = [
        Request.of("win_rate", period=PERIOD),
        Request.of("time_in_stage", period="2024", grain="quarter", by="team"),
        Request.of("win_rate", period=PERIOD),
    ]
    for request in asked:
        workspace.metrics(request)
    remembered = [Request.from_dict(r) for r in workspace.derived.remembered()]
    assert remembered == [asked[1], asked[0]]


def test_only_the_latest_requests_are_remembered(workspace: Workspace) -> None:
    build(workspace)
    for month in range(1, 13):
        for metric in ("win_rate", "total_revenue"):
            workspace.metrics(metric, period=f"2024-{month:02d}")
    remembered = workspace.derived.remembered()
    assert len(remembered) == derived.REMEMBERED
    assert Request.from_dict(remembered[-1]) == Request.of("total_revenue", period="2024-12")


def test_after_an_import_and_a_warm_the_next_session_computes_nothing(
    workspace: Workspace,
) -> None:
    build(workspace)
    request = Request.of(["time_in_stage", "win_rate"], period="2024", grain="quarter")
    before = workspace.metrics(request).rows()
    add_a_deal(workspace)
    warmed = workspace.warm()
    assert warmed.requests == [request] and warmed.skipped == []
    workspace.close()
    work, rows = _computed(workspace.root, request)
    assert work == []  # every intermediate and component was kept by the warm
    assert rows != before  # and for the new data


def test_the_same_rows_warm_or_cold(workspace: Workspace, tmp_path: Path) -> None:
    build(workspace)
    request = Request.of(period="2024", grain="quarter", by="team")
    workspace.warm([request])
    workspace.close()
    _, warm_rows = _computed(workspace.root, request)
    workspace.derived.reset()
    cold = open_workspace(workspace.root)
    try:
        assert cold.metrics(request).rows() == warm_rows
    finally:
        cold.close()


def test_a_request_no_longer_valid_is_skipped(workspace: Workspace) -> None:
    build(workspace)
    workspace.metrics("win_rate", period=PERIOD)
    note = workspace.derived.remembered()[0]
    workspace.derived.remember({**note, "metrics": ["no_such_metric"]})
    warmed = workspace.warm()
    assert [r.metrics for r in warmed.requests] == [("win_rate",)]
    assert len(warmed.skipped) == 1 and "no_such_metric" in warmed.skipped[0][1]


def test_without_remembered_requests_the_latest_year_is_reviewed(workspace: Workspace) -> None:
    assert default_requests(workspace) == []  # no data, nothing to review
    build(workspace)
    requests = default_requests(workspace)
    assert {(r.period, r.grain) for r in requests} <= {
        (year, grain) for year in ("2023", "2024") for grain in ("quarter", "month")
    }
    assert {r.grain for r in requests} == {"quarter", "month"}
    assert all(r.metrics == () and r.by == () for r in requests)
    warmed = workspace.warm()
    assert warmed.requests == requests


def test_the_command_line_import_warms_what_was_asked(workspace: Workspace, tmp_path: Path) -> None:
    build(workspace)
    request = Request.of(["lead_conversion_rate"], period=PERIOD)
    workspace.metrics(request)
    csv = tmp_path / "leads.csv"
    csv.write_text("lead_id,created_at\nL1,2024-04-02\nL2,2024-05-03\n", encoding="utf-8")
    workspace.import_file("leads", csv, warm=True)
    workspace.close()
    work, _ = _computed(workspace.root, request)
    assert work == []
