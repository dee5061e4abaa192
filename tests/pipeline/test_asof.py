"""As-of state of opportunities from their history: boundaries, no history, partial rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from salesmetrics.pipeline.asof import instant, instants, probes_table, states
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

D = dt.date
T = dt.datetime


def states_at(ws: Workspace, days: Sequence[dt.date]) -> pd.DataFrame:
    """The state of every opportunity at the start of each of ``days`` (workspace timezone),
    as a pandas frame with a ``day`` column (one query)."""
    frame = pd.DataFrame({"day": list(days), "as_of": instants(days, ws.config.timezone)})
    table = states(ws, probes_table(frame), ["day"])
    result: pd.DataFrame = ws.backend.to_pyarrow(table).to_pandas()
    return result


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


def test_probes_in_memory_or_computed_give_the_same_states(workspace: Workspace) -> None:
    # in-memory probes bound the intervals by literals, any other probe table by subqueries
    insert(
        workspace,
        "opportunities",
        [
            {"opportunity_id": "o1", "stage": "Closed Won", "status": "won", "amount": 10,
             "created_at": T(2024, 1, 1)},
            {"opportunity_id": "o2", "stage": "Prospect", "status": "open", "amount": 20,
             "created_at": T(2024, 3, 1)},
        ],
    )  # fmt: skip
    insert(
        workspace,
        "opportunity_history",
        [
            {"opportunity_id": "o1", "changed_at": T(2024, 1, 1), "stage": "Prospect"},
            {"opportunity_id": "o1", "changed_at": T(2024, 2, 1), "stage": "Closed Won",
             "status": "won"},
        ],
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "day": [D(2024, 1, 15), D(2024, 2, 15), D(2024, 3, 15)],
            "as_of": [T(2024, 1, 15), T(2024, 2, 15), T(2024, 3, 15)],
            "skip": [T(2024, 3, 1)] * 3,
        }
    )
    memory = probes_table(frame)
    computed = memory.filter(memory.as_of.notnull())  # not an in-memory table any more
    results = []
    for probes in (memory, computed):
        table = states(workspace, probes, ["day"], skip_settled_by="skip")
        got = workspace.backend.to_pyarrow(table).to_pandas()
        results.append(sorted(zip(got["day"], got["opportunity_id"], got["stage"], strict=True)))
    assert results[0] == results[1]
    # o1 is won for good from 2024-02-01, before the skip instant: left out once won; o2 exists
    # from March
    assert results[0] == [(D(2024, 1, 15), "o1", "Prospect"), (D(2024, 3, 15), "o2", "Prospect")]
