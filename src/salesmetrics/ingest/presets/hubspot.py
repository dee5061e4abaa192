"""HubSpot: deals, companies, contacts and owners, as the UI exports them (Export in a record
list: headers such as "Record ID", "Deal Name") or by their API property names (``dealname``).

UI exports give dates in the portal's format (US portals: month first) and owners by name; API
exports give ISO dates and ``hubspot_owner_id``.
"""

from __future__ import annotations

from salesmetrics.ingest.presets.model import CLOSED_NEEDS_CLOSE_DATE, Preset, TablePreset

_US_DATES = "%m/%d/%Y"

DEALS = TablePreset(
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
        "account_id": ("Associated Company IDs", "Associated Company ID", "associatedcompanyid"),
        "lost_reason": ("Closed Lost Reason", "closed_lost_reason"),
        "forecast_category": ("Forecast category", "hs_manual_forecast_category"),
        "pipeline": ("Pipeline", "pipeline"),
        "source": ("Original Source Type", "hs_analytics_source"),
    },
    value_maps={
        # the Deal Type picklist: internal values and labels
        "type": {
            "newbusiness": "new_business",
            "New Business": "new_business",
            "existingbusiness": "expansion",
            "Existing Business": "expansion",
        },
        "forecast_category": {
            "omit": "omitted",
            "Not forecasted": "omitted",
            "Best case": "best_case",
            "Closed won": "closed",
        },
    },
    date_format=_US_DATES,
    owner_names=("Deal owner",),
    rules=CLOSED_NEEDS_CLOSE_DATE,
)

COMPANIES = TablePreset(
    columns={
        "account_id": ("Record ID", "hs_object_id", "Company ID"),
        "name": ("Company name", "name"),
        "industry": ("Industry", "industry"),
        "country": ("Country/Region", "country"),
        "region": ("State/Region", "state"),
        "owner_id": ("Company owner", "hubspot_owner_id"),
        "created_at": ("Create Date", "createdate"),
    },
    date_format=_US_DATES,
    owner_names=("Company owner",),
)

#: Lead Status (hs_lead_status): internal values and labels -> lead status.
_LEAD_STATUS = {
    "NEW": "new",
    "OPEN": "working",
    "IN_PROGRESS": "working",
    "In Progress": "working",
    "ATTEMPTED_TO_CONTACT": "working",
    "Attempted to contact": "working",
    "CONNECTED": "working",
    "OPEN_DEAL": "converted",
    "Open Deal": "converted",
    "UNQUALIFIED": "disqualified",
    "BAD_TIMING": "disqualified",
    "Bad Timing": "disqualified",
}

#: Original Source (hs_analytics_source) -> channel words of data-model.md.
_SOURCES = {
    "ORGANIC_SEARCH": "web",
    "Organic Search": "web",
    "DIRECT_TRAFFIC": "web",
    "Direct Traffic": "web",
    "PAID_SEARCH": "paid",
    "Paid Search": "paid",
    "PAID_SOCIAL": "paid",
    "Paid Social": "paid",
    "REFERRALS": "referral",
    "Referrals": "referral",
}

CONTACTS = TablePreset(
    columns={
        "lead_id": ("Record ID", "hs_object_id", "Contact ID"),
        "created_at": ("Create Date", "createdate"),
        "source": ("Original Source", "hs_analytics_source"),
        "owner_id": ("Contact owner", "hubspot_owner_id"),
        "account_id": ("Associated Company IDs", "Associated Company ID", "associatedcompanyid"),
        "status": ("Lead Status", "hs_lead_status"),
        "score": ("HubSpot Score", "hubspotscore"),
        "qualified_at": (
            "Became a Marketing Qualified Lead Date",
            "hs_lifecyclestage_marketingqualifiedlead_date",
            "Became a Sales Qualified Lead Date",
            "hs_lifecyclestage_salesqualifiedlead_date",
        ),
        "converted_at": (
            "Became an Opportunity Date",
            "hs_lifecyclestage_opportunity_date",
            "Became a Customer Date",
            "hs_lifecyclestage_customer_date",
        ),
    },
    value_maps={"status": _LEAD_STATUS, "source": _SOURCES},
    date_format=_US_DATES,
    owner_names=("Contact owner",),
)

OWNERS = TablePreset(
    columns={
        "rep_id": ("id", "Owner ID", "ownerId"),
        "name": ("Name", "Full name"),
        "email": ("email", "Email"),
        "team": ("Primary team", "Team", "teams"),
    },
    joined={"name": ("firstName", "lastName")},
)

PRESET = Preset(
    "hubspot",
    "HubSpot exports: deals, companies, contacts, owners (UI headers or API property names)",
    {"opportunities": DEALS, "accounts": COMPANIES, "leads": CONTACTS, "reps": OWNERS},
    objects={
        "opportunities": "deals",
        "accounts": "companies",
        "leads": "contacts",
        "reps": "owners",
    },
)
