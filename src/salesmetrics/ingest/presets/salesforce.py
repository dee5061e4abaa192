"""Salesforce: Opportunity, OpportunityHistory, Lead, Account and User, as Data Loader / Data
Export / the API give them (field API names: ``StageName``) or as a report exports them (labels:
"Opportunity Name", "Stage"; dates in the user's locale, US: month first; owners by name).

Probabilities are 0-100. Type is mapped from its standard picklist values (and the common
"New Business"/"Existing Business"); any other value loads with ``type`` empty and is listed.
"""

from __future__ import annotations

from salesmetrics.ingest.presets.model import CLOSED_NEEDS_CLOSE_DATE, Preset, TablePreset

_US_DATES = "%m/%d/%Y"
_FORECAST = {"BestCase": "best_case", "Best Case": "best_case"}
_TYPE = {
    "New Customer": "new_business",
    "New Business": "new_business",
    "Existing Business": "expansion",
    "Existing Customer - Upgrade": "expansion",
    "Existing Customer - Replacement": "renewal",
    "Existing Customer - Downgrade": "renewal",
    "Renewal": "renewal",
}

OPPORTUNITY = TablePreset(
    columns={
        "opportunity_id": ("Id", "Opportunity ID"),
        "name": ("Name", "Opportunity Name"),
        "account_id": ("AccountId", "Account ID"),
        "amount": ("Amount",),
        "close_date": ("CloseDate", "Close Date"),
        "stage": ("StageName", "Stage"),
        "probability": ("Probability", "Probability (%)"),
        "forecast_category": ("ForecastCategoryName", "ForecastCategory", "Forecast Category"),
        "type": ("Type",),
        "source": ("LeadSource", "Lead Source"),
        "owner_id": ("OwnerId", "Owner ID", "Opportunity Owner"),
        "created_at": ("CreatedDate", "Created Date"),
        "currency": ("CurrencyIsoCode", "Opportunity Currency"),
        "pipeline": ("RecordType.Name", "Opportunity Record Type", "RecordTypeName"),
        "lead_id": ("Lead ID", "ConvertedFromLeadId"),
    },
    value_maps={"type": _TYPE, "forecast_category": _FORECAST},
    status_flags=("IsWon", "IsClosed"),
    date_format=_US_DATES,
    percent=("probability",),
    owner_names=("Opportunity Owner",),
    rules=CLOSED_NEEDS_CLOSE_DATE,
)

OPPORTUNITY_HISTORY = TablePreset(
    columns={
        "opportunity_id": ("OpportunityId", "Opportunity ID"),
        "changed_at": ("CreatedDate", "Created Date", "Last Modified"),
        "stage": ("StageName", "Stage", "To Stage"),
        "amount": ("Amount",),
        "close_date": ("CloseDate", "Close Date"),
        "probability": ("Probability", "Probability (%)"),
        "forecast_category": ("ForecastCategory", "ForecastCategoryName", "Forecast Category"),
    },
    value_maps={"forecast_category": _FORECAST},
    date_format=_US_DATES,
    percent=("probability",),
)

LEAD = TablePreset(
    columns={
        "lead_id": ("Id", "Lead ID"),
        "created_at": ("CreatedDate", "Create Date", "Created Date"),
        "source": ("LeadSource", "Lead Source"),
        "owner_id": ("OwnerId", "Owner ID", "Lead Owner"),
        "account_id": ("ConvertedAccountId", "Converted Account ID"),
        "status": ("Status", "Lead Status"),
        "converted_at": ("ConvertedDate", "Converted Date"),
        "opportunity_id": ("ConvertedOpportunityId", "Converted Opportunity ID"),
    },
    value_maps={
        "status": {
            "Open - Not Contacted": "new",
            "Working - Contacted": "working",
            "Closed - Converted": "converted",
            "Closed - Not Converted": "disqualified",
        }
    },
    date_format=_US_DATES,
    owner_names=("Lead Owner",),
)

ACCOUNT = TablePreset(
    columns={
        "account_id": ("Id", "Account ID"),
        "name": ("Name", "Account Name"),
        "industry": ("Industry",),
        "country": ("BillingCountry", "Billing Country"),
        "region": ("BillingState", "Billing State/Province"),
        "owner_id": ("OwnerId", "Owner ID", "Account Owner"),
        "created_at": ("CreatedDate", "Created Date"),
    },
    date_format=_US_DATES,
    owner_names=("Account Owner",),
)

USER = TablePreset(
    columns={
        "rep_id": ("Id", "User ID"),
        "name": ("Name", "Full Name"),
        "email": ("Email",),
        "team": ("Department",),
        "manager_id": ("ManagerId", "Manager ID"),
        "region": ("Division",),
    },
    joined={"name": ("FirstName", "LastName")},
    date_format=_US_DATES,
)

PRESET = Preset(
    "salesforce",
    "Salesforce exports: Opportunity, OpportunityHistory, Lead, Account, User",
    {
        "opportunities": OPPORTUNITY,
        "opportunity_history": OPPORTUNITY_HISTORY,
        "leads": LEAD,
        "accounts": ACCOUNT,
        "reps": USER,
    },
    objects={
        "opportunities": "Opportunity",
        "opportunity_history": "OpportunityHistory",
        "leads": "Lead",
        "accounts": "Account",
        "reps": "User",
    },
)
