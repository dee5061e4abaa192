"""Pipedrive: deals, organizations, persons and users, by API field names (``title``,
``add_time``) or as the web app exports them ("Deal - Title", "Organization - Name", owners by
name). Dates are ISO; probabilities 0-100; ``status`` is open/won/lost.
"""

from __future__ import annotations

from salesmetrics.ingest.presets.model import CLOSED_NEEDS_CLOSE_DATE, Preset, TablePreset

DEALS = TablePreset(
    columns={
        "opportunity_id": ("id", "Deal - ID"),
        "name": ("title", "Deal - Title"),
        "amount": ("value", "Deal - Value"),
        "currency": ("currency", "Deal - Currency"),
        "status": ("status", "Deal - Status"),
        "stage": ("Deal - Stage", "stage_id"),
        "created_at": ("add_time", "Deal - Deal created"),
        "close_date": (
            "close_time",
            "won_time",
            "lost_time",
            "expected_close_date",
            "Deal - Won time",
            "Deal - Lost time",
            "Deal - Expected close date",
        ),
        "probability": ("probability", "Deal - Probability"),
        "lost_reason": ("lost_reason", "Deal - Lost reason"),
        "owner_id": ("owner_id", "user_id", "Deal - Owner"),
        "account_id": ("org_id", "Deal - Organization"),
        "pipeline": ("pipeline_id", "Deal - Pipeline", "pipeline"),
        "source": ("origin", "Deal - Source origin", "Deal - Source channel"),
    },
    percent=("probability",),
    owner_names=("Deal - Owner",),
    rules=CLOSED_NEEDS_CLOSE_DATE,
)

ORGANIZATIONS = TablePreset(
    columns={
        "account_id": ("id", "Organization - ID"),
        "name": ("name", "Organization - Name"),
        "industry": ("industry", "Organization - Industry"),
        "country": ("address_country", "Organization - Address - Country"),
        "region": ("address_admin_area_level_1", "Organization - Address - State/County"),
        "owner_id": ("owner_id", "Organization - Owner"),
        "created_at": ("add_time", "Organization - Organization created"),
    },
    owner_names=("Organization - Owner",),
)

PERSONS = TablePreset(
    columns={
        "lead_id": ("id", "Person - ID"),
        "created_at": ("add_time", "Person - Person created"),
        "owner_id": ("owner_id", "Person - Owner"),
        "account_id": ("org_id", "Person - Organization"),
        "source": ("origin", "Person - Source origin", "Person - Source channel"),
    },
    owner_names=("Person - Owner",),
)

USERS = TablePreset(
    columns={
        "rep_id": ("id", "User - ID"),
        "name": ("name", "User - Name"),
        "email": ("email", "User - Email"),
        "hired_on": ("created", "User - Created"),
    },
)

PRESET = Preset(
    "pipedrive",
    "Pipedrive exports: deals, organizations, persons, users (API names or 'Deal - ...' headers)",
    {"opportunities": DEALS, "accounts": ORGANIZATIONS, "leads": PERSONS, "reps": USERS},
    objects={
        "opportunities": "deals",
        "accounts": "organizations",
        "leads": "persons",
        "reps": "users",
    },
)
