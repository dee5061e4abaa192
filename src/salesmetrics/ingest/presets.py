"""Presets: column mappings and value maps of common CRM exports, as data.

Each preset maps a canonical field to the source headers that carry it, in order of preference:
headers are matched by normalised name (case, spaces, ``_`` and ``-`` ignored), and when several
of them are present in one file their values are coalesced in that order (Pipedrive's
``close_time`` for closed deals, else ``expected_close_date``). Value maps are matched in any case.
Probabilities given as 0-100 (Salesforce, Capsule) need no entry: the importer detects the scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesmetrics.errors import UserError, suggest


@dataclass(frozen=True)
class TablePreset:
    """How one export maps onto one canonical table."""

    columns: dict[str, tuple[str, ...]]
    """Canonical field -> candidate source headers, in order of preference."""
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    """Canonical field -> {source value -> canonical value}."""
    status_flags: tuple[str, str] | None = None
    """(won column, closed column): boolean columns that give the status when present."""


@dataclass(frozen=True)
class Preset:
    """A named export format, with a mapping per canonical table it can fill."""

    name: str
    title: str
    tables: dict[str, TablePreset]


_SALESFORCE_FORECAST = {"BestCase": "best_case", "Best Case": "best_case"}

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "hubspot",
            "HubSpot deals export (UI headers or API property names)",
            {
                "opportunities": TablePreset(
                    columns={
                        "opportunity_id": ("Record ID", "hs_object_id", "Deal ID", "dealId"),
                        "name": ("Deal Name", "dealname"),
                        "stage": ("Deal Stage", "dealstage"),
                        "amount": ("Amount", "amount"),
                        "close_date": ("Close Date", "closedate"),
                        "created_at": ("Create Date", "createdate"),
                        "owner_id": ("Deal owner", "hubspot_owner_id"),
                        "probability": ("Deal probability", "hs_deal_stage_probability"),
                        "type": ("Deal Type", "dealtype"),
                        "currency": ("Currency", "deal_currency_code"),
                        "account_id": (
                            "Associated Company IDs",
                            "Associated Company ID",
                            "associatedcompanyid",
                        ),
                        "lost_reason": ("Closed Lost Reason", "closed_lost_reason"),
                        "forecast_category": ("Forecast category", "hs_manual_forecast_category"),
                    },
                    value_maps={
                        "type": {"newbusiness": "new_business", "existingbusiness": "expansion"},
                        "forecast_category": {"omit": "omitted"},
                    },
                )
            },
        ),
        Preset(
            "salesforce",
            "Salesforce Opportunity and OpportunityHistory exports (API field names)",
            {
                "opportunities": TablePreset(
                    columns={
                        "opportunity_id": ("Id", "Opportunity ID"),
                        "name": ("Name", "Opportunity Name"),
                        "account_id": ("AccountId", "Account ID"),
                        "amount": ("Amount",),
                        "close_date": ("CloseDate", "Close Date"),
                        "stage": ("StageName", "Stage"),
                        "probability": ("Probability", "Probability (%)"),
                        "forecast_category": ("ForecastCategoryName", "ForecastCategory"),
                        "type": ("Type",),
                        "source": ("LeadSource", "Lead Source"),
                        "owner_id": ("OwnerId", "Owner ID"),
                        "created_at": ("CreatedDate", "Created Date"),
                        "currency": ("CurrencyIsoCode", "Opportunity Currency"),
                    },
                    value_maps={
                        "type": {
                            "New Customer": "new_business",
                            "New Business": "new_business",
                            "Existing Customer - Upgrade": "expansion",
                            "Existing Customer - Replacement": "renewal",
                            "Existing Customer - Downgrade": "renewal",
                        },
                        "forecast_category": _SALESFORCE_FORECAST,
                    },
                    status_flags=("IsWon", "IsClosed"),
                ),
                "opportunity_history": TablePreset(
                    columns={
                        "opportunity_id": ("OpportunityId", "Opportunity ID"),
                        "changed_at": ("CreatedDate", "Created Date"),
                        "stage": ("StageName", "Stage"),
                        "amount": ("Amount",),
                        "close_date": ("CloseDate", "Close Date"),
                        "probability": ("Probability",),
                        "forecast_category": ("ForecastCategory", "ForecastCategoryName"),
                    },
                    value_maps={"forecast_category": _SALESFORCE_FORECAST},
                ),
            },
        ),
        Preset(
            "pipedrive",
            "Pipedrive deals export (API field names or 'Deal - ...' export headers)",
            {
                "opportunities": TablePreset(
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
                    },
                )
            },
        ),
        Preset(
            "capsule",
            "Capsule CRM opportunities export",
            {
                "opportunities": TablePreset(
                    columns={
                        "opportunity_id": ("ID", "Opportunity ID"),
                        "name": ("Name",),
                        "amount": ("Value",),
                        "currency": ("Currency",),
                        "stage": ("Milestone",),
                        "close_date": ("Closed On", "Expected Close Date"),
                        "owner_id": ("Owner",),
                        "account_id": ("Organisation", "Organization"),
                        "probability": ("Probability",),
                        "lost_reason": ("Lost Reason",),
                        "created_at": ("Created", "Created On"),
                    },
                )
            },
        ),
    )
}


def get_preset(name: str, table: str) -> TablePreset:
    """The mapping of preset ``name`` for ``table``; a one-line error when there is none."""
    found = PRESETS.get(name.lower())
    if found is None:
        raise UserError(
            f"unknown preset {name!r}{suggest(name.lower(), PRESETS)};"
            f" presets: {', '.join(PRESETS)}"
        )
    if table not in found.tables:
        raise UserError(
            f"preset {found.name!r} has no mapping for table {table!r}; it fills:"
            f" {', '.join(found.tables)}"
        )
    return found.tables[table]
