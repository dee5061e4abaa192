"""Capsule CRM: opportunities, organisations and parties (people), as the web app exports them.

Capsule's opportunity export names the organisation, not its id, so organisations are keyed by
name here too (deals then find their account). Owners are names; probabilities 0-100; dates
day first (Capsule's default) or ISO.
"""

from __future__ import annotations

from salesmetrics.ingest.presets.model import CLOSED_NEEDS_CLOSE_DATE, Preset, TablePreset

_DATES = "%d/%m/%Y"

OPPORTUNITIES = TablePreset(
    columns={
        "opportunity_id": ("ID", "Opportunity ID"),
        "name": ("Name", "Opportunity Name"),
        "amount": ("Value",),
        "currency": ("Currency",),
        "stage": ("Milestone", "Stage"),
        "close_date": ("Closed On", "Expected Close Date"),
        "owner_id": ("Owner",),
        "account_id": ("Organisation", "Organization"),
        "probability": ("Probability",),
        "lost_reason": ("Lost Reason",),
        "created_at": ("Created", "Created On"),
        "pipeline": ("Pipeline",),
    },
    date_format=_DATES,
    percent=("probability",),
    owner_names=("Owner",),
    rules=CLOSED_NEEDS_CLOSE_DATE,
)

ORGANISATIONS = TablePreset(
    columns={
        "account_id": ("Organisation", "Organization", "Name"),
        "name": ("Organisation", "Organization", "Name"),
        "industry": ("Industry",),
        "country": ("Country", "Address Country"),
        "region": ("State", "Address State"),
        "owner_id": ("Owner",),
        "created_at": ("Created", "Created On"),
    },
    date_format=_DATES,
    owner_names=("Owner",),
)

PARTIES = TablePreset(
    columns={
        "lead_id": ("ID", "Party ID"),
        "created_at": ("Created", "Created On"),
        "owner_id": ("Owner",),
        "account_id": ("Organisation", "Organization"),
        "source": ("Source", "Lead Source"),
    },
    date_format=_DATES,
    owner_names=("Owner",),
)

PRESET = Preset(
    "capsule",
    "Capsule CRM exports: opportunities, organisations, parties (people)",
    {"opportunities": OPPORTUNITIES, "accounts": ORGANISATIONS, "leads": PARTIES},
    objects={
        "opportunities": "opportunities",
        "accounts": "organisations",
        "leads": "parties",
    },
)
