"""Salesforce: Opportunity -> opportunities, OpportunityHistory -> opportunity_history, User ->
reps, Account -> accounts (REST API, SOQL ``query``, an OAuth access token).

The base URL is the org's instance URL (``https://yourorg.my.salesforce.com``): there is no
single API host, so it is required (``--base-url`` or ``SALESMETRICS_SALESFORCE_URL``).
Queries go to ``GET /services/data/v62.0/query?q=...``; an answer with ``"done": false`` names the
next page in ``nextRecordsUrl``. ``OpportunityStage`` says which stage labels are closed and won.

Incremental: per object, the cursor is the latest ``SystemModstamp`` seen; the next sync asks for
``SystemModstamp >= cursor`` (not ``>``: a record changed in the same millisecond after the last
pull is not lost, and one pulled twice is written twice, the same).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from salesmetrics.sync.connector import Connector, bearer
from salesmetrics.sync.http import Client, SyncError, next_page
from salesmetrics.sync.pull import Pull, fraction, text

API = "/services/data/v62.0"
FIELDS = {
    "User": "Id, Name, Email, Department, IsActive",
    "Account": "Id, Name, Industry, BillingCountry, OwnerId, CreatedDate",
    "Opportunity": "Id, AccountId, OwnerId, Name, Type, LeadSource, CreatedDate, CloseDate,"
    " StageName, IsClosed, IsWon, Amount, Probability, ForecastCategoryName",
    "OpportunityHistory": "Id, OpportunityId, CreatedDate, StageName, Amount, CloseDate,"
    " Probability, ForecastCategory",
}
#: Salesforce's standard Type picklist values; others are left empty.
TYPES = {
    "new business": "new_business",
    "new customer": "new_business",
    "existing business": "expansion",
    "existing customer - upgrade": "expansion",
    "renewal": "renewal",
    "existing customer - renewal": "renewal",
}
#: ForecastCategoryName labels and ForecastCategory API names.
FORECAST = {
    "pipeline": "pipeline",
    "best case": "best_case",
    "bestcase": "best_case",
    "commit": "commit",
    "closed": "closed",
    "omitted": "omitted",
}


def query(client: Client, soql: str) -> Iterator[dict[str, Any]]:
    """Every record of ``soql``, following ``nextRecordsUrl``."""
    page = client.get(f"{API}/query", {"q": soql})
    seen: set[str] = set()
    while True:
        records = page.get("records") if isinstance(page, dict) else None
        if not isinstance(records, list):
            raise SyncError(
                "salesforce: a query answered without a 'records' list; is this Salesforce?"
            )
        yield from (r for r in records if isinstance(r, dict))
        if page.get("done", True):
            return
        following = next_page("salesforce", "a query", seen, page.get("nextRecordsUrl"))
        page = client.get(following)


def stamp(value: Any) -> str | None:
    """A Salesforce datetime (``2024-01-05T10:00:00.000+0000``) as ISO UTC text ending in Z."""
    if value is None or value == "":
        return None
    found = str(value)
    return found[:-5] + "Z" if found.endswith("+0000") else found


def _changed(client: Client, obj: str, since: str | None) -> Iterator[dict[str, Any]]:
    where = f" WHERE SystemModstamp >= {since}" if since else ""
    soql = f"SELECT {FIELDS[obj]}, SystemModstamp FROM {obj}{where} ORDER BY SystemModstamp"
    return query(client, soql)


def pull(client: Client, cursors: Mapping[str, str], full: bool) -> Pull:
    """Users, accounts, opportunities and their history changed since the cursors."""
    out = Pull()

    def since(obj: str) -> str | None:
        return None if full else cursors.get(obj)

    for u in _changed(client, "User", since("User")):
        out.add(
            "reps",
            u.get("Id"),
            {
                "rep_id": text(u.get("Id")),
                "name": text(u.get("Name")),
                "email": text(u.get("Email")),
                "team": text(u.get("Department")),
            },
        )
        out.advance("User", stamp(u.get("SystemModstamp")))
    for a in _changed(client, "Account", since("Account")):
        out.add(
            "accounts",
            a.get("Id"),
            {
                "account_id": text(a.get("Id")),
                "name": text(a.get("Name")),
                "industry": text(a.get("Industry")),
                "country": text(a.get("BillingCountry")),
                "owner_id": text(a.get("OwnerId")),
                "created_at": stamp(a.get("CreatedDate")),
            },
        )
        out.advance("Account", stamp(a.get("SystemModstamp")))
    for o in _changed(client, "Opportunity", since("Opportunity")):
        status = None
        if o.get("IsClosed") is not None:
            status = ("won" if o.get("IsWon") else "lost") if o.get("IsClosed") else "open"
        out.add(
            "opportunities",
            o.get("Id"),
            {
                "opportunity_id": text(o.get("Id")),
                "account_id": text(o.get("AccountId")),
                "owner_id": text(o.get("OwnerId")),
                "name": text(o.get("Name")),
                "type": TYPES.get(str(o.get("Type") or "").lower()),
                "source": text(o.get("LeadSource")),
                "created_at": stamp(o.get("CreatedDate")),
                "close_date": text(o.get("CloseDate")),
                "stage": text(o.get("StageName")),
                "status": status,
                "amount": text(o.get("Amount")),
                "probability": fraction(o.get("Probability")),
                "forecast_category": _forecast(o.get("ForecastCategoryName")),
            },
        )
        out.advance("Opportunity", stamp(o.get("SystemModstamp")))
    closed = _stage_status(client)
    for h in _changed(client, "OpportunityHistory", since("OpportunityHistory")):
        out.add(
            "opportunity_history",
            h.get("Id"),
            {
                "opportunity_id": text(h.get("OpportunityId")),
                "changed_at": stamp(h.get("CreatedDate")),
                "stage": text(h.get("StageName")),
                "status": closed.get(str(h.get("StageName"))),
                "amount": text(h.get("Amount")),
                "close_date": text(h.get("CloseDate")),
                "probability": fraction(h.get("Probability")),
                "forecast_category": _forecast(h.get("ForecastCategory")),
            },
        )
        out.advance("OpportunityHistory", stamp(h.get("SystemModstamp")))
    for name, value in cursors.items():
        out.cursors.setdefault(name, value)
    return out


def _forecast(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return FORECAST.get(str(value).lower(), str(value))  # unknown: the importer says why


def _stage_status(client: Client) -> dict[str, str]:
    """Stage label -> open / won / lost, from ``OpportunityStage``."""
    found = {}
    for s in query(client, "SELECT MasterLabel, IsClosed, IsWon FROM OpportunityStage"):
        closed = ("won" if s.get("IsWon") else "lost") if s.get("IsClosed") else "open"
        found[str(s.get("MasterLabel"))] = closed
    return found


CONNECTOR = Connector(
    name="salesforce",
    default_url=None,
    headers=bearer,
    pull=pull,
    url_hint="your org's instance URL, e.g. https://yourorg.my.salesforce.com",
)
