"""As-of state of opportunities from their history: boundaries, no history, partial rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from salesmetrics.pipeline.asof import instant, states_at
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

D = dt.date
T = dt.datetime


def state(frame: pd.DataFrame, day: dt.date, opp: str) -> dict[str, object] | None:
    rows = frame[(frame["day"] == pd.Timestamp(day).date()) & (frame["opportunity_id"] == opp)]
    if rows.empty:
        return None
    out: dict[str, object] = rows.iloc[0].to_dict()
    return out


def test_last_change_at_or_before_counts_including_exact_instant(workspace: Workspace) -> None:
    insert(
        workspace,
        "opportunities",
        [
            {
                "opportunity_id": "o1",
                "stage": "Closed Won",
                "status": "won",
                "amount": 1200,
                "close_date": D(2024, 5, 20),
                "created_at": T(2024, 1, 10, 9),
            }
        ],
    )
    insert(
        workspace,
        "opportunity_history",
        [
            {
                "opportunity_id": "o1",
                "changed_at": T(2024, 1, 10, 9),
                "stage": "Prospect",
                "status": "open",
                "amount": 1000,
                "close_date": D(2024, 3, 31),
            },
            # exactly at the start of 2024-04-01 (UTC workspace)
            {
                "opportunity_id": "o1",
                "changed_at": T(2024, 4, 1, 0, 0),
                "stage": "Proposal",
                "amount": 1100,
                "close_date": D(2024, 5, 31),
            },
            {
                "opportunity_id": "o1",
                "changed_at": T(2024, 5, 20, 15),
                "stage": "Closed Won",
                "status": "won",
                "amount": 1200,
                "close_date": D(2024, 5, 20),
            },
        ],
    )
    frame = states_at(workspace, [D(2024, 1, 10), D(2024, 2, 1), D(2024, 4, 1), D(2024, 6, 1)])
    assert state(frame, D(2024, 1, 10), "o1") is None  # created later that day
    feb = state(frame, D(2024, 2, 1), "o1")
    assert feb is not None and feb["stage"] == "Prospect" and float(feb["amount"]) == 1000
    apr = state(frame, D(2024, 4, 1), "o1")
    assert apr is not None and apr["stage"] == "Proposal"
    assert apr["status"] == "open"  # derived from the history row's stage, not today's "won"
    assert apr["close_date"] == D(2024, 5, 31)
    jun = state(frame, D(2024, 6, 1), "o1")
    assert jun is not None and jun["status"] == "won" and float(jun["amount"]) == 1200


def test_without_history_current_state_since_creation(workspace: Workspace) -> None:
    insert(
        workspace,
        "opportunities",
        [
            {
                "opportunity_id": "o2",
                "stage": "Qualify",
                "status": "open",
                "amount": 500,
                "close_date": D(2024, 6, 30),
                "created_at": T(2024, 3, 1, 12),
            },
            {"opportunity_id": "o3", "stage": "Qualify", "status": "open", "amount": 5},
        ],
    )
    frame = states_at(workspace, [D(2024, 3, 1), D(2024, 3, 2)])
    assert state(frame, D(2024, 3, 1), "o2") is None
    s = state(frame, D(2024, 3, 2), "o2")
    assert s is not None and s["stage"] == "Qualify" and not s["has_history"]
    assert state(frame, D(2024, 3, 1), "o3") is not None  # no creation date: always existed


def test_before_first_change_takes_first_history_row_and_partial_rows_fill(
    workspace: Workspace,
) -> None:
    insert(
        workspace,
        "opportunities",
        [
            {
                "opportunity_id": "o4",
                "stage": "Negotiation",
                "status": "open",
                "amount": 900,
                "close_date": D(2024, 9, 30),
                "created_at": T(2024, 1, 1, 8),
            }
        ],
    )
    insert(
        workspace,
        "opportunity_history",
        [
            {"opportunity_id": "o4", "changed_at": T(2024, 2, 1, 8), "stage": "Discovery"},
            {"opportunity_id": "o4", "changed_at": T(2024, 3, 1, 8), "stage": "Negotiation"},
        ],
    )
    frame = states_at(workspace, [D(2024, 1, 15), D(2024, 2, 15)])
    jan = state(frame, D(2024, 1, 15), "o4")
    assert jan is not None and jan["stage"] == "Discovery" and jan["status"] == "open"
    feb = state(frame, D(2024, 2, 15), "o4")
    assert feb is not None and feb["stage"] == "Discovery"
    assert float(feb["amount"]) == 900  # not recorded in history: today's amount


def test_instant_is_local_midnight_in_utc() -> None:
    assert instant(D(2024, 4, 1), "Asia/Jakarta") == T(2024, 3, 31, 17)
    assert instant(D(2024, 4, 1), "UTC") == T(2024, 4, 1)
