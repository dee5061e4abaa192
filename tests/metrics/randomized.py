"""A seeded, randomised small company touching every table and edge the metrics read.

Used by the pandas cross-check when the demo generator is not available, and as a second,
differently shaped data set when it is: several currencies (with rates starting after some
deals, so tests can remove them), quotas spanning two quarters and in a foreign currency, reps
leaving mid-quarter, churned and returning-looking accounts, spread costs, activities of every
kind, engagement events and surveys with small teams.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from salesmetrics.workspace import Workspace
from tests.metrics.builder import load

TEAMS = ("East", "West", "North", "South")
SEGMENTS = ("SMB", "Mid-market", "Enterprise")
INDUSTRIES = ("Retail", "Finance", "Health", None)
SOURCES = ("web", "referral", "event", "outbound", None)
PRODUCTS = ("Core", "Plus", "Suite")
TYPES = ("new_business", "expansion", "renewal")
ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "admin", "training", "internal_meeting")
START = dt.date(2023, 1, 1)
DAYS = 3 * 365


def _day(rng: np.random.Generator, lo: int = 0, hi: int = DAYS) -> dt.date:
    return START + dt.timedelta(days=int(rng.integers(lo, hi)))


def _ts(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(
        minutes=int(rng.integers(0, 24 * 60))
    )


def company(
    seed: int = 11, *, reps: int = 16, accounts: int = 120
) -> dict[str, list[dict[str, Any]]]:
    """Rows per table of a small random company (2023-2025)."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[dict[str, Any]]] = {}
    rep_rows = []
    for i in range(reps):
        hired = _day(rng, -400, 200) if i % 5 else None
        left = _day(rng, 300, DAYS + 200) if i % 4 == 1 else None
        if hired and left and left < hired:
            left = None
        rep_rows.append(
            {
                "rep_id": f"r{i:02d}",
                "name": f"Rep {i}",
                "team": TEAMS[i % len(TEAMS)] if i != reps - 1 else None,
                "manager_id": f"m{i % 3}",
                "region": ("APAC", "EMEA")[i % 2],
                "hired_on": hired,
                "left_on": left,
            }
        )
    out["reps"] = rep_rows
    rep_ids = [r["rep_id"] for r in rep_rows]

    quota_rows = []
    for r in rep_ids[:-2]:
        q_start = dt.date(2023, 1, 1)
        while q_start < dt.date(2026, 1, 1):
            months = 6 if rng.random() < 0.15 else 3  # some quotas span two quarters
            end_month = q_start.month + months
            q_end = dt.date(q_start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
            quota_rows.append(
                {
                    "rep_id": r,
                    "period_start": q_start,
                    "period_end": q_end - dt.timedelta(days=1),
                    "amount": round(float(rng.uniform(20_000, 120_000)) * months / 3, 2),
                    "currency": "EUR" if r == "r03" else None,
                }
            )
            q_start = q_end
    out["quotas"] = quota_rows

    account_rows = []
    for i in range(accounts):
        churn = _day(rng, 200, DAYS + 100) if rng.random() < 0.3 else None
        account_rows.append(
            {
                "account_id": f"a{i:03d}",
                "name": f"Account {i}",
                "segment": SEGMENTS[i % 3] if i % 11 else None,
                "industry": INDUSTRIES[i % 4],
                "region": ("APAC", "EMEA", "AMER")[i % 3],
                "country": "ID",
                "owner_id": rep_ids[i % len(rep_ids)] if i % 13 else None,
                "churned_at": churn,
            }
        )
    out["accounts"] = account_rows

    lead_rows, opp_rows = [], []
    for i in range(900):
        created = _day(rng, -30)
        owner = rep_ids[int(rng.integers(0, len(rep_ids)))] if rng.random() < 0.95 else None
        account = f"a{int(rng.integers(0, accounts)):03d}" if rng.random() < 0.8 else None
        qualified = rng.random() < 0.45
        converted = qualified and rng.random() < 0.5
        status = "converted" if converted else ("qualified" if qualified else "working")
        lead = {
            "lead_id": f"l{i:04d}",
            "created_at": _ts(rng, created),
            "source": SOURCES[i % len(SOURCES)],
            "owner_id": owner,
            "account_id": account,
            "segment": SEGMENTS[i % 3],
            "status": status,
            "score": float(rng.integers(0, 100)),
            "qualified_at": _ts(rng, created + dt.timedelta(days=int(rng.integers(0, 20))))
            if qualified
            else None,
            "converted_at": None,
            "opportunity_id": None,
        }
        if converted:
            opp_id = f"o{i:04d}"
            opened = created + dt.timedelta(days=int(rng.integers(1, 30)))
            if rng.random() < 0.7:
                lead["converted_at"] = _ts(rng, opened)
            if rng.random() < 0.6:
                lead["opportunity_id"] = opp_id
            opp_rows.append(_opportunity(rng, opp_id, opened, owner, account, f"l{i:04d}"))
        lead_rows.append(lead)
    for i in range(700):
        opened = _day(rng, -60)
        owner = rep_ids[int(rng.integers(0, len(rep_ids)))] if rng.random() < 0.97 else None
        account = f"a{int(rng.integers(0, accounts)):03d}" if rng.random() < 0.93 else None
        opp_rows.append(_opportunity(rng, f"x{i:04d}", opened, owner, account, None))
    out["leads"] = lead_rows
    out["opportunities"] = opp_rows

    fx_rows = []
    day = dt.date(2022, 10, 1)
    while day < dt.date(2026, 3, 1):
        fx_rows.append(
            {"date": day, "currency": "EUR", "rate": round(1.05 + 0.1 * rng.random(), 6)}
        )
        fx_rows.append({"date": day, "currency": "IDR", "rate": 0.0000625})
        day += dt.timedelta(days=7)
    out["fx_rates"] = fx_rows

    cost_rows = []
    for i in range(90):
        d = _day(rng)
        spread = rng.random() < 0.4
        cost_rows.append(
            {
                "cost_id": f"c{i:03d}",
                "date": d,
                "period_start": d if spread else None,
                "period_end": d + dt.timedelta(days=int(rng.integers(10, 120))) if spread else None,
                "category": ("marketing", "sales", "Marketing", "office")[i % 4],
                "channel": (*SOURCES, " ")[i % 6],  # some without one: "(unallocated)"
                "amount": round(float(rng.uniform(1_000, 30_000)), 2),
                "currency": "EUR" if i % 7 == 0 else "USD",
            }
        )
    out["costs"] = cost_rows

    act_rows = []
    for i in range(3000):
        d = _day(rng)
        kind = ACTIVITY_TYPES[int(rng.integers(0, len(ACTIVITY_TYPES)))]
        act_rows.append(
            {
                "activity_id": f"act{i:05d}",
                "rep_id": rep_ids[int(rng.integers(0, len(rep_ids)))],
                "started_at": _ts(rng, d),
                "duration_minutes": float(rng.integers(5, 120)),
                "type": kind,
                "is_selling": (None if i % 10 else bool(rng.random() < 0.5)),
            }
        )
    out["activities"] = act_rows

    events = {}
    for _ in range(4000):
        key = (
            f"a{int(rng.integers(0, accounts)):03d}",
            _day(rng),
            ("login", "report_created", "integration_used")[int(rng.integers(0, 3))],
        )
        events[key] = {
            "account_id": key[0],
            "occurred_on": key[1],
            "event": key[2],
            "count": int(rng.integers(1, 6)) if rng.random() < 0.8 else None,
        }
    out["engagement_events"] = list(events.values())

    survey_rows = []
    for i in range(900):
        d = _day(rng)
        team = TEAMS[int(rng.integers(0, len(TEAMS)))]
        if team == "South" and rng.random() < 0.9:
            team = "East"  # a small team: its survey results must stay hidden
        survey_rows.append(
            {
                "response_id": f"s{i:04d}",
                "survey_id": f"pulse-{d.year}-{(d.month - 1) // 3 + 1}",
                "submitted_at": _ts(rng, d),
                "question_id": ("enps", "enps", "workload", "tools")[i % 4],
                "score": int(rng.integers(0, 11)),
                "respondent_id": f"p{int(rng.integers(0, 60)):03d}" if i % 9 else None,
                "team": team,
            }
        )
    out["survey_responses"] = survey_rows
    return out


def _opportunity(
    rng: np.random.Generator,
    opp_id: str,
    opened: dt.date,
    owner: str | None,
    account: str | None,
    lead: str | None,
) -> dict[str, Any]:
    roll = rng.random()
    status = "won" if roll < 0.3 else "lost" if roll < 0.7 else "open"
    close = opened + dt.timedelta(days=int(rng.integers(5, 150)))
    amount: float | None = round(float(rng.lognormal(9.5, 0.8)), 2)
    if status == "lost" and rng.random() < 0.1:
        amount = None
    currency = ("USD", "USD", "USD", "EUR", None)[int(rng.integers(0, 5))]
    return {
        "opportunity_id": opp_id,
        "account_id": account,
        "owner_id": owner,
        "lead_id": lead,
        "name": f"Deal {opp_id}",
        "type": TYPES[int(rng.integers(0, 3))],
        "source": SOURCES[int(rng.integers(0, len(SOURCES)))],
        "product": PRODUCTS[int(rng.integers(0, 3))],
        "created_at": _ts(rng, opened) if rng.random() < 0.96 else None,
        "close_date": close,
        "stage": {"won": "Closed Won", "lost": "Closed Lost", "open": "Proposal"}[status],
        "status": status,
        "amount": amount,
        "currency": currency,
        "probability": 0.5,
    }


def build(ws: Workspace, seed: int = 11) -> None:
    """Load the random company into ``ws``."""
    load(ws, company(seed))


STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")


def extras(company_rows: dict[str, list[dict[str, Any]]], seed: int = 12) -> dict[str, Any]:
    """What the random company lacks for the rest of the registry: invoice lines (recurring
    revenue and recognized revenue: monthly and yearly lines, credits, one-off fees, lines
    without service dates, foreign currencies), opportunity history (stage moves, regressions,
    amounts and close dates changing, closing) and forecasts (company and team, on time, late
    and of other categories)."""
    rng = np.random.default_rng(seed)
    accounts = [a["account_id"] for a in company_rows["accounts"]]
    lines = []
    for i in range(400):
        account = accounts[int(rng.integers(0, len(accounts)))]
        start = _day(rng, -60, DAYS - 30)
        days = (30, 31, 90, 365, 366, 45)[int(rng.integers(0, 6))]
        dated = rng.random() < 0.9
        amount = round(float(rng.lognormal(7, 1)) * days / 30, 2)
        lines.append(
            {
                "line_id": f"inv{i:04d}",
                "account_id": account,
                "invoice_date": start,
                "amount": -amount / 4 if rng.random() < 0.05 else amount,
                "currency": ("USD", "USD", "EUR", "IDR", None)[int(rng.integers(0, 5))],
                "service_start": start if dated else None,
                "service_end": start + dt.timedelta(days=days - 1) if dated else None,
                "plan": ("Basic", "Pro")[i % 2],
                "is_recurring": rng.random() < 0.93,
            }
        )
    history = []
    for opp in company_rows["opportunities"]:
        created = opp["created_at"]
        if created is None or rng.random() < 0.3:
            continue
        at = created
        close = opp["close_date"] - dt.timedelta(days=int(rng.integers(-20, 40)))
        amount = opp["amount"]
        stage = 0
        for _ in range(int(rng.integers(1, 5))):
            history.append(
                {
                    "opportunity_id": opp["opportunity_id"],
                    "changed_at": at,
                    "stage": STAGES[stage],
                    "status": "open",
                    "amount": amount,
                    "close_date": close,
                    "probability": 0.1 + 0.2 * stage,
                }
            )
            at += dt.timedelta(days=int(rng.integers(1, 40)), minutes=int(rng.integers(0, 600)))
            stage = max(0, min(len(STAGES) - 1, stage + int(rng.integers(-1, 3))))
            close += dt.timedelta(days=int(rng.integers(-10, 30)))
            if amount is not None and rng.random() < 0.4:
                amount = round(amount * float(rng.uniform(0.7, 1.3)), 2)
        if opp["status"] != "open":
            final = dt.datetime.combine(opp["close_date"], dt.time(12))
            history.append(
                {
                    "opportunity_id": opp["opportunity_id"],
                    "changed_at": max(final, at),
                    "stage": opp["stage"],
                    "status": opp["status"] if rng.random() < 0.9 else None,
                    "amount": opp["amount"],
                    "close_date": opp["close_date"],
                    "probability": 1.0 if opp["status"] == "won" else 0.0,
                }
            )
    forecasts = []
    for year in (2023, 2024, 2025):
        for q in range(1, 5):
            start = dt.datetime(year, 3 * q - 2, 1)
            for scope, scope_id in [("company", None), *(("team", t) for t in TEAMS[:3])]:
                for n in range(int(rng.integers(1, 4))):
                    forecasts.append(
                        {
                            "forecast_id": f"f{len(forecasts):04d}",
                            "scope": scope,
                            "scope_id": scope_id,
                            "period": f"{year}-Q{q}",
                            "amount": round(float(rng.uniform(50_000, 900_000)), 2),
                            "submitted_at": start
                            + dt.timedelta(days=int(rng.integers(-30, 20)), hours=n),
                            "category": (None, "most_likely", "commit")[int(rng.integers(0, 3))],
                            "method": (None, "manager", "weighted_pipeline")[
                                int(rng.integers(0, 3))
                            ],
                        }
                    )
    return {"invoice_lines": lines, "opportunity_history": history, "forecasts": forecasts}


def build_with_extras(ws: Workspace, seed: int = 11) -> None:
    """Load the random company and :func:`extras` into ``ws``."""
    rows = company(seed)
    load(ws, {**rows, **extras(rows)})
