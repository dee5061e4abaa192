"""The data-quality report: each check on a hand-built case that triggers it and one that does
not, and on the demo every problem the generator planted found with the count the generator's
own measure gives."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from salesmetrics.demo import PROBLEMS
from salesmetrics.metrics.quality import CHECKS, EXAMPLES
from salesmetrics.metrics.registry import REGISTRY
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

D = dt.date
T = dt.datetime

#: The demo's data end (its "today"): the generator's measures judge dates against it.
DEMO_END = D(2025, 12, 31)


def deal(i: str, status: str = "open", **extra: Any) -> dict[str, Any]:
    """An opportunity created 2025-01-10, owned by rep r1, closing 2025-12-20 (2026-03-31 while
    open: after the data's "today")."""
    row = {
        "opportunity_id": i,
        "stage": {"open": "Proposal"}.get(status, status),
        "status": status,
        "created_at": T(2025, 1, 10),
        "close_date": D(2026, 3, 31) if status == "open" else D(2025, 12, 20),
        "amount": 1000,
        "owner_id": "r1",
    }
    return {**row, **extra}


def _today(ws: Workspace) -> None:
    """A won deal closing 2025-12-31: the data's "today"."""
    insert(ws, "opportunities", [deal("today", "won", close_date=D(2025, 12, 31))])


#: check id -> (rows that trigger it, rows that do not), by table; ids of the bad ones.
Case = tuple[dict[str, list[dict[str, Any]]], set[str]]


def _history(i: str, *steps: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [
        {"opportunity_id": i, "stage": s, "status": st, "changed_at": T(2025, 3, day)}
        for s, st, day in steps
    ]


CASES: dict[str, Case] = {
    "stale_open_deal": (
        {"opportunities": [deal("late", close_date=D(2025, 11, 1)), deal("fine")]},
        {"late"},
    ),
    "open_deal_missing_amount": (
        {"opportunities": [deal("none", amount=None), deal("some")]},
        {"none"},
    ),
    "won_missing_amount": (
        {"opportunities": [deal("w0", "won", amount=None), deal("w1", "won")]},
        {"w0"},
    ),
    "won_missing_close_date": (
        {"opportunities": [deal("w0", "won", close_date=None), deal("w1", "won")]},
        {"w0"},
    ),
    "close_before_created": (
        {"opportunities": [deal("early", "lost", close_date=D(2025, 1, 9)), deal("ok", "lost")]},
        {"early"},
    ),
    "negative_deal_amount": (
        {"opportunities": [deal("neg", amount=-5), deal("pos")]},
        {"neg"},
    ),
    "deal_missing_owner": (
        {"opportunities": [deal("orphan", owner_id=None), deal("owned")]},
        {"orphan"},
    ),
    "deal_unknown_owner": (
        {"opportunities": [deal("ghost", owner_id="r9"), deal("known")]},
        {"ghost"},
    ),
    "lead_missing_owner": (
        {
            "leads": [
                {"lead_id": "l0", "created_at": T(2025, 2, 1)},
                {"lead_id": "l1", "owner_id": "r1"},
            ]
        },
        {"l0"},
    ),
    "lead_unknown_owner": (
        {"leads": [{"lead_id": "l0", "owner_id": "r9"}, {"lead_id": "l1", "owner_id": "r1"}]},
        {"l0"},
    ),
    "activity_unknown_rep": (
        {
            "activities": [
                {"activity_id": "a0", "rep_id": "r9", "type": "call", "started_at": T(2025, 2, 1)},
                {"activity_id": "a1", "rep_id": "r1", "type": "call", "started_at": T(2025, 2, 1)},
            ]
        },
        {"a0"},
    ),
    "stage_regression": (
        {
            "opportunities": [deal("back"), deal("fwd")],
            "opportunity_history": [
                *_history("back", ("Prospecting", "open", 1), ("Proposal", "open", 2)),
                *_history("back", ("Prospecting", "open", 3)),
                *_history("fwd", ("Prospecting", "open", 1), ("Proposal", "open", 2)),
            ],
        },
        {"back"},
    ),
    "history_after_close": (
        {
            "opportunities": [deal("edited", "won"), deal("clean", "won")],
            "opportunity_history": [
                *_history("edited", ("Proposal", "open", 1), ("won", "won", 2), ("won", "won", 5)),
                *_history("clean", ("Proposal", "open", 1), ("won", "won", 2)),
            ],
        },
        {"edited"},
    ),
    "currency_without_rate": (
        {
            "opportunities": [deal("idr", currency="IDR"), deal("eur", currency="EUR")],
            "fx_rates": [{"date": D(2025, 1, 1), "currency": "EUR", "rate": "1.1"}],
        },
        {"opportunities idr (IDR)"},
    ),
    "deal_id_spelled_twice": (
        {"opportunities": [deal("OPP-1"), deal("opp-1 "), deal("OPP-2")]},
        {"OPP-1", "opp-1 "},
    ),
    "lead_id_spelled_twice": (
        {"leads": [{"lead_id": "L-1"}, {"lead_id": "l-1"}, {"lead_id": "L-2"}]},
        {"L-1", "l-1"},
    ),
    "account_id_spelled_twice": (
        {"accounts": [{"account_id": "A-1"}, {"account_id": " a-1"}, {"account_id": "A-2"}]},
        {"A-1", " a-1"},
    ),
    "lead_converted_without_opportunity": (
        {
            "leads": [
                {"lead_id": "l0", "status": "converted"},
                {"lead_id": "l1", "status": "converted", "opportunity_id": "today"},
            ]
        },
        {"l0"},
    ),
    "overlapping_subscriptions": (
        {
            "subscriptions": [
                {
                    "subscription_id": "s1",
                    "account_id": "A",
                    "plan": "pro",
                    "mrr": 10,
                    "start_date": D(2025, 1, 1),
                },
                {
                    "subscription_id": "s2",
                    "account_id": "A",
                    "plan": "pro",
                    "mrr": 10,
                    "start_date": D(2025, 1, 5),
                },
                # back to back, not overlapping; and another plan
                {
                    "subscription_id": "s3",
                    "account_id": "B",
                    "plan": "pro",
                    "mrr": 10,
                    "start_date": D(2025, 1, 1),
                    "end_date": D(2025, 2, 1),
                },
                {
                    "subscription_id": "s4",
                    "account_id": "B",
                    "plan": "pro",
                    "mrr": 10,
                    "start_date": D(2025, 2, 1),
                },
                {
                    "subscription_id": "s5",
                    "account_id": "B",
                    "plan": "team",
                    "mrr": 10,
                    "start_date": D(2025, 1, 1),
                },
            ]
        },
        {"A"},
    ),
    "overlapping_quotas": (
        {
            "quotas": [
                {
                    "rep_id": "r1",
                    "period_start": D(2025, 1, 1),
                    "period_end": D(2025, 3, 31),
                    "amount": 1,
                },
                {
                    "rep_id": "r1",
                    "period_start": D(2025, 1, 1),
                    "period_end": D(2025, 12, 31),
                    "amount": 1,
                },
                {
                    "rep_id": "r2",
                    "period_start": D(2025, 1, 1),
                    "period_end": D(2025, 3, 31),
                    "amount": 1,
                },
                {
                    "rep_id": "r2",
                    "period_start": D(2025, 4, 1),
                    "period_end": D(2025, 6, 30),
                    "amount": 1,
                },
            ]
        },
        {"r1"},
    ),
}


def test_every_check_has_a_case_and_affects_known_metrics() -> None:
    assert set(CASES) == {c.id for c in CHECKS}
    for c in CHECKS:
        assert c.affects and set(c.affects) <= set(REGISTRY), c.id
        assert c.title.en and c.title.id and c.fix.en and c.fix.id


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_a_check_finds_its_case_and_nothing_else(workspace: Workspace, check_id: str) -> None:
    tables, expected = CASES[check_id]
    insert(workspace, "reps", [{"rep_id": "r1", "team": "East"}, {"rep_id": "r2"}])
    _today(workspace)
    for table, rows in tables.items():
        insert(workspace, table, rows)
    report = workspace.check()
    (finding,) = [f for f in report.findings if f.check.id == check_id]
    assert set(finding.examples) == expected
    assert finding.count == len(expected)
    assert finding.out_of >= finding.count + 1  # the good row counts in the population
    # the other checks do not fire on this case, except where the case is also theirs
    others = {f.check.id for f in report.problems} - {check_id}
    assert others <= _ALSO.get(check_id, set())
    assert [f.check.id for f in workspace.check([check_id]).findings] == [check_id]


#: Cases that are, by construction, also another check's.
_ALSO: dict[str, set[str]] = {
    "lead_id_spelled_twice": {"lead_missing_owner"},
    "lead_converted_without_opportunity": {"lead_missing_owner"},
}


def test_an_empty_workspace_has_no_problems_and_no_shares(workspace: Workspace) -> None:
    report = workspace.check()
    assert report.today is None and not report.problems
    assert all(f.out_of == 0 and f.share is None for f in report.findings)


def test_an_unknown_check_is_one_line_with_a_suggestion(workspace: Workspace) -> None:
    from salesmetrics.errors import UserError

    with pytest.raises(UserError, match="did you mean 'stale_open_deal'"):
        workspace.check(["stale_open_dela"])


def _measure(ws: Workspace, sql: str) -> tuple[int, int]:
    """A generator's measure of a planted problem: (affected, out of)."""
    affected, out_of = ws.duckdb.execute(sql).fetchone()  # type: ignore[misc]
    return int(affected), int(out_of)


def test_the_demo_s_planted_problems_are_found(shared_demo: Workspace) -> None:
    report = {f.check.id: f for f in shared_demo.check().findings}
    assert shared_demo.check().today == DEMO_END
    for problem in PROBLEMS.values():
        affected, _ = _measure(shared_demo, problem.sql)
        found = report[problem.id]
        assert affected > 0, problem.id
        assert found.count == affected, problem.id
        assert len(found.examples) == min(EXAMPLES, affected)


def test_the_cli_prints_the_problems_and_json_has_every_check(
    shared_demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.test_terminal import assert_fits, run

    ws = str(shared_demo.root)
    code, out, err = run(["check", "-f", "json", "-w", ws], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert [c["check"] for c in data["checks"]] == [c.id for c in CHECKS]
    stale = next(c for c in data["checks"] if c["check"] == "stale_open_deal")
    assert stale["count"] > 0 and stale["share"] == pytest.approx(stale["count"] / stale["out_of"])
    code, out, err = run(["check", "-w", ws], capsys)
    assert code == 0, err
    table = "\n".join(line for line in out.splitlines() if line[:1] in "┏┃┡│└")
    assert_fits(table, 120)
    for c in data["checks"]:
        assert (c["check"] in out) == (c["count"] > 0)
    assert "fix in the CRM" in out
    code, out, err = run(["check", "--lang", "id", "-w", ws], capsys)
    assert code == 0, err
    assert "perbaiki di CRM" in out and CHECKS[0].title.id.split()[0] in out
