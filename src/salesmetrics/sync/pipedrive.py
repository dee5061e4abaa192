"""Pipedrive: deals -> opportunities, deal changelogs -> opportunity_history, users -> reps,
organizations -> accounts (API v2 where it exists, v1 for users and changelogs; an API token
sent in the ``x-api-token`` header).

Endpoints: ``GET /api/v1/users``; ``GET /api/v2/stages`` (stage id -> name and deal
probability); ``GET /api/v2/organizations`` and ``GET /api/v2/deals`` with ``updated_since``,
paged by ``cursor`` / ``additional_data.next_cursor``; ``GET /api/v1/deals/{id}/changelog`` (the
deal's field changes, cursor-paged), read for each deal pulled.

Incremental: the cursor of deals and of organizations is the latest ``update_time`` seen
(RFC 3339, UTC); ``updated_since`` returns records updated at or after it. A deal whose status
is ``deleted`` is skipped (and named in a note).

History: one row when the deal was added (its first stage), then one at each change of
``stage_id`` or ``status`` in the changelog; changes at the same second are one row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from salesmetrics.sync.connector import Connector
from salesmetrics.sync.http import Client, SyncError, next_page
from salesmetrics.sync.pull import Pull, fraction, pick, text

PAGE = 500


def data(path: str, page: Any) -> list[dict[str, Any]]:
    """The ``data`` list of a Pipedrive answer (``null`` is an empty list)."""
    if not isinstance(page, dict) or page.get("success") is False:
        message = page.get("error") if isinstance(page, dict) else None
        raise SyncError(f"pipedrive: {path} did not succeed ({message or 'no success flag'})")
    found = page.get("data")
    if found is None:
        return []
    if not isinstance(found, list):
        raise SyncError(f"pipedrive: {path} answered without a 'data' list; is this Pipedrive?")
    return [d for d in found if isinstance(d, dict)]


def pages(client: Client, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of a cursor-paged list."""
    cursor = None
    seen: set[str] = set()
    while True:
        page = client.get(path, {**params, "limit": PAGE, "cursor": cursor})
        yield from data(f"GET {path}", page)
        found = pick(page, "additional_data", "next_cursor")
        if not found:
            return
        cursor = next_page("pipedrive", f"GET {path}", seen, found)


def rfc3339(value: Any) -> str | None:
    """A Pipedrive time (v2 ``2024-01-05T10:00:00Z`` or v1 ``2024-01-05 10:00:00``, UTC) as
    RFC 3339 text ending in Z."""
    if value is None or value == "":
        return None
    found = str(value).replace(" ", "T", 1)
    return found if found.endswith("Z") or "+" in found[10:] else found + "Z"


def pull(client: Client, cursors: Mapping[str, str], full: bool) -> Pull:
    """Users, organizations, deals changed since the cursors, and the deals' changelogs."""
    out = Pull()
    for u in data("GET /api/v1/users", client.get("/api/v1/users")):
        out.add(
            "reps",
            u.get("id"),
            {
                "rep_id": text(u.get("id")),
                "name": text(u.get("name")),
                "email": text(u.get("email")),
            },
        )
    since = {k: (None if full else cursors.get(k)) for k in ("deals", "organizations")}
    for o in pages(client, "/api/v2/organizations", {"updated_since": since["organizations"]}):
        out.add(
            "accounts",
            o.get("id"),
            {
                "account_id": text(o.get("id")),
                "name": text(o.get("name")),
                "owner_id": text(o.get("owner_id")),
                "country": text(pick(o, "address", "country")),
                "created_at": rfc3339(o.get("add_time")),
            },
        )
        out.advance("organizations", rfc3339(o.get("update_time")))
    stage_list = list(pages(client, "/api/v2/stages", {}))
    stages = {str(s.get("id")): s for s in stage_list}
    deleted = []
    for d in pages(client, "/api/v2/deals", {"updated_since": since["deals"]}):
        out.advance("deals", rfc3339(d.get("update_time")))
        if d.get("status") == "deleted" or d.get("is_deleted"):
            deleted.append(str(d.get("id")))
            continue
        stage = stages.get(str(d.get("stage_id")), {})
        status = d.get("status")
        closed = d.get("close_time") or d.get("won_time") or d.get("lost_time")
        probability = d.get("probability")
        if probability is None:
            probability = stage.get("deal_probability")
        out.add(
            "opportunities",
            d.get("id"),
            {
                "opportunity_id": text(d.get("id")),
                "account_id": text(d.get("org_id")),
                "owner_id": text(d.get("owner_id") or d.get("user_id")),
                "name": text(d.get("title")),
                "created_at": rfc3339(d.get("add_time")),
                "close_date": text(
                    closed if status in ("won", "lost") else d.get("expected_close_date")
                ),
                "stage": text(stage.get("name") or d.get("stage_id")),
                "status": text(status),
                "amount": text(d.get("value")),
                "currency": text(d.get("currency")),
                "probability": fraction(probability),
                "lost_reason": text(d.get("lost_reason")),
            },
        )
        _history(client, out, d, stages)
    if deleted:
        out.notes.append(f"{len(deleted)} deleted deals skipped: {', '.join(deleted[:10])}")
    for name, value in cursors.items():
        out.cursors.setdefault(name, value)
    return out


def _history(client: Client, out: Pull, deal: dict[str, Any], stages: Mapping[str, Any]) -> None:
    deal_id = deal.get("id")
    changes = [
        c
        for c in pages(client, f"/api/v1/deals/{deal_id}/changelog", {})
        if c.get("field_key") in ("stage_id", "status")
    ]
    changes.sort(key=lambda c: str(c.get("time") or c.get("log_time") or ""))
    first_stage = next(
        (c.get("old_value") for c in changes if c.get("field_key") == "stage_id"),
        deal.get("stage_id"),
    )
    stage: Any = first_stage
    status: Any = "open"
    rows: dict[str, dict[str, str | None]] = {}

    def emit(when: Any) -> None:
        moment = rfc3339(when)
        name = pick(stages, str(stage), "name") or stage
        rows[str(moment)] = {
            "opportunity_id": text(deal_id),
            "changed_at": moment,
            "stage": text(name),
            "status": text(status),
        }

    emit(deal.get("add_time"))
    for change in changes:
        if change.get("field_key") == "stage_id":
            stage = change.get("new_value")
        else:
            status = change.get("new_value")
        emit(change.get("time") or change.get("log_time"))
    for row in rows.values():
        out.add("opportunity_history", deal_id, row)


def headers(token: str) -> dict[str, str]:
    """Pipedrive's API token header."""
    return {"x-api-token": token}


CONNECTOR = Connector(
    name="pipedrive", default_url="https://api.pipedrive.com", headers=headers, pull=pull
)
