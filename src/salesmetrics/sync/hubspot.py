"""HubSpot: deals -> opportunities, dealstage history -> opportunity_history, owners -> reps,
companies -> accounts (CRM API v3, a private app token).

Endpoints: ``GET /crm/v3/owners`` and ``GET /crm/v3/pipelines/deals`` (stage ids to labels and to
open/won/lost: a closed stage with probability 1 is won, 0 lost); ``POST
/crm/v3/objects/{deals,companies}/search`` filtered on ``hs_lastmodifieddate`` and sorted by it;
``POST /crm/v3/objects/deals/batch/read`` with ``propertiesWithHistory: ["dealstage"]`` (50 deals a
call); ``POST /crm/v4/associations/deals/companies/batch/read`` (the deal's company). Pages follow
``paging.next.after``.

Incremental: the cursor of deals and of companies is the latest ``hs_lastmodifieddate`` seen (ms
since the epoch); the next sync asks for ``hs_lastmodifieddate >=`` it (a record seen twice is
written twice, the same). A stage change updates ``hs_lastmodifieddate``, so a deal whose stage
moved comes back with its whole stage history. Owners are few and always read whole.
HubSpot's search returns at most 10,000 records per query: a larger pull is split by restarting
the search from the last modification date reached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from salesmetrics.sync.connector import Connector, bearer
from salesmetrics.sync.http import Client, SyncError, next_page
from salesmetrics.sync.pull import Pull, pick, text

PAGE = 100
HISTORY_BATCH = 50
SEARCH_LIMIT = 10_000
MODIFIED = "hs_lastmodifieddate"
DEAL_PROPERTIES = (
    "dealname",
    "amount",
    "deal_currency_code",
    "createdate",
    "closedate",
    "dealstage",
    "pipeline",
    "hubspot_owner_id",
    "hs_deal_stage_probability",
    "hs_is_closed",
    "hs_is_closed_won",
    "closed_lost_reason",
    "dealtype",
    MODIFIED,
)
COMPANY_PROPERTIES = ("name", "industry", "country", "hubspot_owner_id", "createdate", MODIFIED)
_TYPES = {"newbusiness": "new_business"}

Stage = tuple[str | None, str | None]  # (label, status)


def results(client: Client, path: str, page: Any) -> list[dict[str, Any]]:
    """The ``results`` list of a HubSpot answer, or a one-line error naming the request."""
    found = page.get("results") if isinstance(page, dict) else None
    if not isinstance(found, list):
        raise SyncError(f"hubspot: {path} answered without a 'results' list; is this HubSpot?")
    return [r for r in found if isinstance(r, dict)]


def _after(page: Any) -> str | None:
    after = pick(page, "paging", "next", "after")
    return None if after is None else str(after)


def owners(client: Client) -> Iterator[dict[str, Any]]:
    """Every owner (``GET /crm/v3/owners``, paged)."""
    after = None
    seen: set[str] = set()
    while True:
        page = client.get("/crm/v3/owners", {"limit": PAGE, "after": after})
        yield from results(client, "GET /crm/v3/owners", page)
        if _after(page) is None:
            return
        after = next_page("hubspot", "GET /crm/v3/owners", seen, _after(page))


def stages(client: Client, pipelines: dict[str, str] | None = None) -> dict[str, Stage]:
    """Stage id -> (label, open/won/lost) over every deal pipeline; each pipeline's id -> label
    is put in ``pipelines`` when given."""
    page = client.get("/crm/v3/pipelines/deals")
    found: dict[str, Stage] = {}
    for pipeline in results(client, "GET /crm/v3/pipelines/deals", page):
        if pipelines is not None and pipeline.get("id") is not None:
            pipelines[str(pipeline["id"])] = str(pipeline.get("label") or pipeline["id"])
        for stage in pipeline.get("stages") or []:
            meta = stage.get("metadata") or {}
            status: str | None = "open"
            if str(meta.get("isClosed", "")).lower() == "true":
                try:
                    status = "won" if float(meta.get("probability", 0)) >= 1 else "lost"
                except (TypeError, ValueError):
                    status = None
            found[str(stage.get("id"))] = (str(stage.get("label") or stage.get("id")), status)
    return found


def search(
    client: Client, kind: str, properties: tuple[str, ...], since: str | None
) -> Iterator[dict[str, Any]]:
    """Every ``kind`` record modified at or after ``since`` (ms since the epoch; all when None),
    oldest change first."""
    path = f"/crm/v3/objects/{kind}/search"
    while True:
        body: dict[str, Any] = {
            "properties": list(properties),
            "sorts": [{"propertyName": MODIFIED, "direction": "ASCENDING"}],
            "limit": PAGE,
        }
        if since is not None:
            body["filterGroups"] = [
                {"filters": [{"propertyName": MODIFIED, "operator": "GTE", "value": since}]}
            ]
        seen, last = 0, None
        after: str | None = None
        marks: set[str] = set()
        while True:
            page = client.post(path, {**body, **({"after": after} if after else {})})
            for record in results(client, f"POST {path}", page):
                seen += 1
                last = _epoch_ms(pick(record, "properties", MODIFIED)) or last
                yield record
            if _after(page) is None:
                return
            after = next_page("hubspot", f"POST {path}", marks, _after(page))
            if seen + PAGE > SEARCH_LIMIT and last is not None and last != since:
                break  # the search stops at 10,000: search again from where it got
        since = last


def _epoch_ms(value: Any) -> str | None:
    """A HubSpot datetime (ISO text or ms since the epoch) as 13-digit ms text, sortable."""
    if value is None or value == "":
        return None
    text_value = str(value)
    if text_value.isdigit():
        return text_value.zfill(13)
    try:
        moment = dt.datetime.fromisoformat(text_value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return str(int(moment.timestamp() * 1000)).zfill(13)


def _iso(value: Any) -> str | None:
    """A HubSpot datetime as ISO text (ms since the epoch converted; ISO kept as given)."""
    if value is None or value == "":
        return None
    text_value = str(value)
    if text_value.isdigit():
        moment = dt.datetime.fromtimestamp(int(text_value) / 1000, dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return text_value


def pull(client: Client, cursors: Mapping[str, str], full: bool) -> Pull:
    """Owners, companies and deals with their stage history."""
    out = Pull()
    for owner in owners(client):
        name = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p)
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else {})
        out.add(
            "reps",
            owner.get("id"),
            {
                "rep_id": text(owner.get("id")),
                "name": text(name or owner.get("email")),
                "email": text(owner.get("email")),
                "team": text(primary.get("name")) if isinstance(primary, dict) else None,
            },
        )
    for company in search(
        client, "companies", COMPANY_PROPERTIES, _since(cursors, "companies", full)
    ):
        p = company.get("properties") or {}
        out.add(
            "accounts",
            company.get("id"),
            {
                "account_id": text(company.get("id")),
                "name": text(p.get("name")),
                "industry": text(p.get("industry")),
                "country": text(p.get("country")),
                "owner_id": text(p.get("hubspot_owner_id")),
                "created_at": _iso(p.get("createdate") or company.get("createdAt")),
            },
        )
        out.advance("companies", _epoch_ms(p.get(MODIFIED)))
    pipeline_names: dict[str, str] = {}
    stage_map = stages(client, pipeline_names)
    deals = list(search(client, "deals", DEAL_PROPERTIES, _since(cursors, "deals", full)))
    companies = _companies_of(client, [str(d.get("id")) for d in deals])
    for deal in deals:
        p = deal.get("properties") or {}
        deal_id = text(deal.get("id"))
        label, status = _stage(stage_map, p)
        out.add(
            "opportunities",
            deal_id,
            {
                "opportunity_id": deal_id,
                "account_id": companies.get(str(deal_id)),
                "owner_id": text(p.get("hubspot_owner_id")),
                "name": text(p.get("dealname")),
                "type": _TYPES.get(str(p.get("dealtype") or "").lower()),
                "created_at": _iso(p.get("createdate") or deal.get("createdAt")),
                "close_date": _iso(p.get("closedate")),
                "stage": label,
                "status": status,
                "amount": text(p.get("amount")),
                "currency": text(p.get("deal_currency_code")),
                "probability": text(p.get("hs_deal_stage_probability")),
                "lost_reason": text(p.get("closed_lost_reason")),
                "pipeline": pipeline_names.get(str(p.get("pipeline")), text(p.get("pipeline"))),
            },
        )
        out.advance("deals", _epoch_ms(p.get(MODIFIED)))
    _history(client, out, [str(d.get("id")) for d in deals], stage_map)
    for name in ("deals", "companies"):
        if name in cursors and name not in out.cursors:
            out.cursors[name] = cursors[name]
    return out


def _since(cursors: Mapping[str, str], name: str, full: bool) -> str | None:
    return None if full else cursors.get(name)


def _stage(stage_map: Mapping[str, Stage], p: Mapping[str, Any]) -> Stage:
    raw = p.get("dealstage")
    if raw is None or raw == "":
        return None, None
    if str(raw) in stage_map:
        return stage_map[str(raw)]
    if str(p.get("hs_is_closed_won", "")).lower() == "true":
        return str(raw), "won"
    if str(p.get("hs_is_closed", "")).lower() == "true":
        return str(raw), "lost"
    return str(raw), None


def _companies_of(client: Client, deal_ids: list[str]) -> dict[str, str]:
    """Deal id -> the id of its (first) associated company."""
    path = "/crm/v4/associations/deals/companies/batch/read"
    found: dict[str, str] = {}
    for i in range(0, len(deal_ids), PAGE):
        chunk = deal_ids[i : i + PAGE]
        page = client.post(path, {"inputs": [{"id": d} for d in chunk]})
        for result in results(client, f"POST {path}", page):
            targets = result.get("to") or []
            deal = pick(result, "from", "id")
            if targets and deal is not None and targets[0].get("toObjectId") is not None:
                found[str(deal)] = str(targets[0]["toObjectId"])
    return found


def _history(
    client: Client, out: Pull, deal_ids: list[str], stage_map: Mapping[str, Stage]
) -> None:
    path = "/crm/v3/objects/deals/batch/read"
    for i in range(0, len(deal_ids), HISTORY_BATCH):
        chunk = deal_ids[i : i + HISTORY_BATCH]
        page = client.post(
            path,
            {
                "properties": ["dealstage"],
                "propertiesWithHistory": ["dealstage"],
                "inputs": [{"id": d} for d in chunk],
            },
        )
        for deal in results(client, f"POST {path}", page):
            for version in pick(deal, "propertiesWithHistory", "dealstage") or []:
                label, status = _stage(stage_map, {"dealstage": version.get("value")})
                out.add(
                    "opportunity_history",
                    deal.get("id"),
                    {
                        "opportunity_id": text(deal.get("id")),
                        "changed_at": _iso(version.get("timestamp")),
                        "stage": label,
                        "status": status,
                    },
                )


CONNECTOR = Connector(
    name="hubspot", default_url="https://api.hubapi.com", headers=bearer, pull=pull
)
