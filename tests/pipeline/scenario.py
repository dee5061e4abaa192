"""A hand-built pipeline history for 2024-Q2 (s = 2024-04-01, e = 2024-07-01).

d1 moves forward and back, grows 100 → 150, still open in Q2 at e; d2 slips twice (out of Q2);
d3 grows 300 → 320 and is won; d4 was lost in Q1 and is re-opened into Q2; d5 is created and won
inside Q2; d6 is created in Q2 without history; d7 is lost; d8 is open for Q3; d9 shrinks
80 → 30 and moves its close date later inside Q2.

Expected flow: start 750 (5) + created 110 (2) + pulled in 400 (1) + increased 70 − decreased 50
− pushed out 200 (1) − lost 70 (1) − won 370 (2) = end 640 (4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

D = dt.date
T = dt.datetime
OLD = T(2024, 1, 5, 10)


def opp(i: int, status: str, close: dt.date, amount: float, **extra: Any) -> dict[str, Any]:
    return {
        "opportunity_id": f"d{i}",
        "stage": {"won": "Closed Won", "lost": "Closed Lost"}.get(status, "Proposal"),
        "status": status,
        "close_date": close,
        "amount": amount,
        "created_at": OLD,
        "owner_id": "r1" if i % 2 else "r2",
        **extra,
    }


def hist(i: int, at: dt.datetime, stage: str, close: dt.date, amount: float, **extra: Any) -> Any:
    status = "won" if "Won" in stage else "lost" if "Lost" in stage else "open"
    return {
        "opportunity_id": f"d{i}",
        "changed_at": at,
        "stage": stage,
        "status": status,
        "close_date": close,
        "amount": amount,
        **extra,
    }


def build(ws: Workspace) -> None:
    insert(
        ws,
        "reps",
        [
            {"rep_id": "r1", "team": "East"},
            {"rep_id": "r2", "team": "West"},
        ],
    )
    insert(
        ws,
        "quotas",
        [
            {
                "rep_id": "r1",
                "period_start": D(2024, 4, 1),
                "period_end": D(2024, 6, 30),
                "amount": 500,
            },
            {
                "rep_id": "r2",
                "period_start": D(2024, 1, 1),
                "period_end": D(2024, 12, 31),
                "amount": 1000,
            },
        ],
    )
    insert(
        ws,
        "opportunities",
        [
            opp(1, "open", D(2024, 6, 30), 150, stage="Discovery"),
            opp(2, "open", D(2024, 8, 15), 200),
            opp(3, "won", D(2024, 5, 20), 320),
            opp(4, "open", D(2024, 6, 20), 400),
            opp(5, "won", D(2024, 5, 1), 50, created_at=T(2024, 4, 10, 9)),
            opp(6, "open", D(2024, 6, 10), 60, created_at=T(2024, 4, 20, 9)),
            opp(7, "lost", D(2024, 6, 1), 70),
            opp(8, "open", D(2024, 9, 1), 90),
            opp(9, "open", D(2024, 6, 30), 30),
        ],
    )
    insert(
        ws,
        "opportunity_history",
        [
            hist(1, OLD, "Discovery", D(2024, 6, 30), 100, probability=0.5),
            hist(1, T(2024, 4, 10), "Proposal", D(2024, 6, 30), 150),
            hist(1, T(2024, 5, 10), "Discovery", D(2024, 6, 30), 150),
            hist(2, OLD, "Proposal", D(2024, 5, 15), 200, probability=0.2),
            hist(2, T(2024, 5, 1), "Proposal", D(2024, 6, 15), 200),
            hist(2, T(2024, 6, 1), "Proposal", D(2024, 8, 15), 200),
            hist(3, OLD, "Proposal", D(2024, 6, 1), 300, probability=0.6),
            hist(3, T(2024, 5, 20, 15), "Closed Won", D(2024, 5, 20), 320),
            hist(4, OLD, "Proposal", D(2024, 3, 10), 400),
            hist(4, T(2024, 3, 10, 12), "Closed Lost", D(2024, 3, 10), 400),
            hist(4, T(2024, 4, 15, 12), "Proposal", D(2024, 6, 20), 400),
            hist(5, T(2024, 4, 10, 9), "Proposal", D(2024, 5, 1), 50),
            hist(5, T(2024, 5, 1, 9), "Closed Won", D(2024, 5, 1), 50),
            hist(7, OLD, "Proposal", D(2024, 6, 1), 70, probability=0.1),
            hist(7, T(2024, 6, 1, 9), "Closed Lost", D(2024, 6, 1), 70),
            hist(8, OLD, "Proposal", D(2024, 9, 1), 90),
            hist(9, OLD, "Proposal", D(2024, 5, 1), 80),
            hist(9, T(2024, 4, 20), "Proposal", D(2024, 6, 30), 30),
        ],
    )
