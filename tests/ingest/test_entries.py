"""Rows entered by hand (the web forms): validated as an import, a rejected row a one-line
error with nothing written, accepted rows one batch in the import log."""

from __future__ import annotations

import pytest

from salesmetrics import Workspace
from salesmetrics.errors import UserError
from tests.ingest.conftest import rows, snapshot

QUOTA = {"rep_id": "R1", "period_start": "2026-01-01", "period_end": "2026-03-31", "amount": "10"}


def test_accepted_rows_are_one_batch(ws: Workspace) -> None:
    result = ws.enter_rows("quotas", [QUOTA, {**QUOTA, "rep_id": "R2"}], source="web form")
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert rows(ws, "quotas", "rep_id, _batch_id") == [
        ("R1", result.batch_id),
        ("R2", result.batch_id),
    ]
    assert rows(ws, "_import_log", "file, rows_loaded") == [("web form", 2)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**QUOTA, "amount": "ten"}, "amount 'ten': not a number"),
        ({**QUOTA, "rep_id": None}, "rep_id: .*required"),
        ({**QUOTA, "period_start": "2026-02-30"}, "period_start '2026-02-30'"),
    ],
)
def test_a_rejected_row_is_a_one_line_error_and_nothing_is_written(
    ws: Workspace, row: dict[str, str | None], message: str
) -> None:
    before = snapshot(ws)
    with pytest.raises(UserError, match=message) as raised:
        ws.enter_rows("quotas", [QUOTA, row], source="web form")
    assert "\n" not in str(raised.value) and str(raised.value).startswith("row 2: ")
    assert snapshot(ws) == before


def test_a_value_outside_a_columns_choices_is_an_error_not_an_empty_value(ws: Workspace) -> None:
    row = {
        "forecast_id": "f1",
        "scope": "company",
        "period": "2026-Q1",
        "amount": "5",
        "submitted_at": "2026-01-01 00:00:00",
        "category": "maybe",
    }
    with pytest.raises(UserError, match="category 'maybe': use one of commit, best_case"):
        ws.enter_rows("forecasts", [row], source="web form")
    with pytest.raises(UserError, match="not a column of quotas"):
        ws.enter_rows("quotas", [{**QUOTA, "colour": "red"}], source="web form")
