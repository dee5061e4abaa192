"""Stripe: customers -> accounts, subscriptions -> subscriptions, invoice lines -> invoice_lines.

Endpoints (Stripe's REST API, v1): ``GET /v1/customers``, ``/v1/subscriptions?status=all``,
``/v1/invoices``, ``/v1/invoices/{id}/lines`` and ``/v1/events``. Lists are
``{"object": "list", "data": [...], "has_more": ...}``, paged with ``starting_after`` the last id.

Incremental: a full sync lists every object and keeps, as the ``events`` cursor, the creation
time of the newest event. The next sync asks ``/v1/events`` for ``created[gte]`` that time and
loads the objects those events carry (the newest state of each), since ``created[gt]`` alone on a
list would miss a subscription that was cancelled or an invoice that was paid after creation.
Stripe keeps events for 30 days: sync more often than that, or run ``--full``. A subscription
named by an event is read again (``GET /v1/subscriptions/{id}`` with its discounts expanded):
the event's copy names its discounts by id only, which carry no amounts.

Mapping:

* **subscriptions**: one row per subscription item (the subscription id when it has a single
  item, ``sub:item`` otherwise). MRR = unit amount x quantity, per month (a year / 12, a week x
  52 / 12, a day x 365 / 12, over ``interval_count``), less percentage discounts and amount
  discounts (spread over the items by their amount). A trial is its own row ``<id>:trial`` with
  no MRR and ``is_trial``; the paid row starts when the trial ends. ``end_date`` is when the
  subscription ended, or the date a cancellation is scheduled for. Subscriptions that never
  started (``incomplete``, ``incomplete_expired``) are skipped.
* **invoice_lines**: lines of finalized invoices (drafts and voided invoices are skipped); the
  amount less the line's discounts, in the currency's major unit; ``service_end`` is the day
  before the period's (exclusive) end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from salesmetrics.sync.connector import Connector, bearer
from salesmetrics.sync.http import Client, SyncError, next_page
from salesmetrics.sync.pull import Pull, from_epoch, pick, text

PAGE = 100
#: Currencies whose amounts Stripe gives in whole units (no cents).
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
EVENT_TYPES = (
    "customer.created",
    "customer.updated",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.finalized",
    "invoice.updated",
    "invoice.paid",
    "invoice.voided",
)
_MONTHS_PER = {"month": Decimal(1), "year": Decimal(1) / 12, "week": Decimal(52) / 12}
_SKIPPED_STATUSES = ("incomplete", "incomplete_expired")


def pages(client: Client, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every object of a Stripe list, following ``has_more`` with ``starting_after``."""
    after: str | None = None
    seen: set[str] = set()
    while True:
        page = client.get(path, {**params, "limit": PAGE, "starting_after": after})
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            raise SyncError(f"stripe: GET {path} answered without a 'data' list; is this Stripe?")
        yield from (d for d in data if isinstance(d, dict))
        if not page.get("has_more") or not data:
            return
        after = next_page("stripe", f"GET {path}", seen, data[-1].get("id"))


def pull(client: Client, cursors: Mapping[str, str], full: bool) -> Pull:
    """Customers, subscriptions and invoices: all of them, or those changed since the cursor."""
    out = Pull()
    since = None if full else cursors.get("events")
    if since is None:
        newest = next(iter(client.get("/v1/events", {"limit": 1}).get("data") or []), None)
        customers = pages(client, "/v1/customers", {})
        subscriptions = pages(
            client, "/v1/subscriptions", {"status": "all", "expand[]": ["data.discounts"]}
        )
        invoices = pages(client, "/v1/invoices", {})
        for c in customers:
            _customer(out, c)
        for s in subscriptions:
            _subscription(out, s)
        for i in invoices:
            _invoice(client, out, i)
        created = newest.get("created") if isinstance(newest, dict) else None
        out.advance("events", str(created) if created is not None else "0")
        return out
    latest: dict[str, dict[str, Any]] = {}
    params = {"created[gte]": since, "types[]": list(EVENT_TYPES)}
    for event in pages(client, "/v1/events", params):  # newest first
        obj = pick(event, "data", "object")
        if isinstance(obj, dict) and obj.get("id") is not None:
            latest.setdefault(str(obj["id"]), obj)
        created = event.get("created")
        if created is not None:
            out.advance("events", str(created))
    out.cursors.setdefault("events", since)
    for obj in reversed(list(latest.values())):
        kind = obj.get("object")
        if kind == "customer":
            _customer(out, obj)
        elif kind == "subscription":  # read again: an event's copy has its discounts as ids
            path = f"/v1/subscriptions/{obj['id']}"
            _subscription(out, client.get(path, {"expand[]": ["discounts"]}))
        elif kind == "invoice":
            _invoice(client, out, obj)
    return out


def _customer(out: Pull, c: dict[str, Any]) -> None:
    out.add(
        "accounts",
        c.get("id"),
        {
            "account_id": text(c.get("id")),
            "name": text(c.get("name") or c.get("email")),
            "country": text(pick(c, "address", "country")),
            "created_at": from_epoch(c.get("created")),
        },
    )


def _money(amount: Any, currency: str | None) -> Decimal | None:
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        return None
    return value if (currency or "").lower() in ZERO_DECIMAL else value / 100


def _monthly(price: Mapping[str, Any]) -> Decimal | None:
    interval = pick(price, "recurring", "interval")
    count = Decimal(str(pick(price, "recurring", "interval_count") or 1))
    if interval == "day":
        per = Decimal(365) / 12
    elif interval in _MONTHS_PER:
        per = _MONTHS_PER[str(interval)]
    else:
        return None
    return per / count


def _discounts(s: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The coupons applied to the subscription (the legacy ``discount`` and the expanded
    ``discounts`` list; ids that were not expanded carry no amounts and are left out)."""
    found = [d for d in [s.get("discount"), *(s.get("discounts") or [])] if isinstance(d, dict)]
    coupons = [d.get("coupon") or pick(d, "source", "coupon") for d in found]
    return [c for c in coupons if isinstance(c, dict)]


def _subscription(out: Pull, s: dict[str, Any]) -> None:
    sub_id, status = s.get("id"), s.get("status")
    if status in _SKIPPED_STATUSES:
        out.notes.append(f"subscription {sub_id} skipped: status {status} (it never started)")
        return
    items = [i for i in pick(s, "items", "data") or [] if isinstance(i, dict)]
    ended = s.get("ended_at") or s.get("cancel_at")
    trial_start, trial_end = s.get("trial_start"), s.get("trial_end")
    start = s.get("start_date")
    if trial_start and trial_end:
        out.add(
            "subscriptions",
            f"{sub_id}:trial",
            {
                "subscription_id": f"{sub_id}:trial",
                "account_id": text(s.get("customer")),
                "start_date": from_epoch(trial_start),
                "end_date": from_epoch(min(trial_end, ended) if ended else trial_end),
                "mrr": "0",
                "currency": text(s.get("currency")),
                "is_trial": "true",
                "plan": _plan(items[0].get("price") or {}) if items else None,
            },
        )
        if status == "trialing" or (ended and ended <= trial_end):
            return
        start = trial_end
    gross = [_item_amount(i, s.get("currency")) for i in items]
    total = sum((g for g in gross if g is not None), Decimal(0))
    percent, amount_off = Decimal(0), Decimal(0)
    for coupon in _discounts(s):
        if coupon.get("percent_off") is not None:
            percent += Decimal(str(coupon["percent_off"]))
        elif coupon.get("amount_off") is not None:
            off = _money(coupon["amount_off"], coupon.get("currency") or s.get("currency"))
            per = _monthly(items[0].get("price") or {}) if items else None
            amount_off += (off or Decimal(0)) * (per or Decimal(1))
    if not items:  # no item: still a row, so that the importer says what is missing
        items, gross = [{}], [None]
    for item, amount in zip(items, gross, strict=True):
        mrr = None
        if amount is not None:
            share = amount / total if total else Decimal(0)
            mrr = max(amount * (1 - percent / 100) - amount_off * share, Decimal(0))
        row_id = sub_id if len(items) == 1 else f"{sub_id}:{item.get('id')}"
        out.add(
            "subscriptions",
            row_id,
            {
                "subscription_id": text(row_id),
                "account_id": text(s.get("customer")),
                "start_date": from_epoch(start),
                "end_date": from_epoch(ended),
                "mrr": None if mrr is None else format(mrr.quantize(Decimal("0.0001")), "f"),
                "currency": text(s.get("currency") or pick(item, "price", "currency")),
                "plan": _plan(item.get("price") or {}),
                "quantity": text(item.get("quantity")),
                "is_trial": "false",
            },
        )


def _item_amount(item: Mapping[str, Any], currency: Any) -> Decimal | None:
    price = item.get("price") or {}
    unit = price.get("unit_amount_decimal") or price.get("unit_amount")
    per = _monthly(price)
    if unit is None or per is None:
        return None
    money = _money(unit, str(price.get("currency") or currency or ""))
    quantity = item.get("quantity", 1)
    if money is None or not isinstance(quantity, int):
        return None
    return money * quantity * per


def _plan(price: Mapping[str, Any]) -> str | None:
    product = price.get("product")
    name = price.get("nickname") or (product.get("name") if isinstance(product, dict) else product)
    return text(name or price.get("id"))


def _invoice(client: Client, out: Pull, invoice: dict[str, Any]) -> None:
    status = invoice.get("status")
    if status in ("draft", "void"):
        return
    lines_list = invoice.get("lines") or {}
    lines = [ln for ln in lines_list.get("data") or [] if isinstance(ln, dict)]
    if lines_list.get("has_more"):  # an invoice embeds its first lines only
        lines = list(pages(client, f"/v1/invoices/{invoice.get('id')}/lines", {}))
    issued = pick(invoice, "status_transitions", "finalized_at") or invoice.get("created")
    for line in lines:
        currency = text(line.get("currency") or invoice.get("currency"))
        amount = _money(line.get("amount"), currency)
        if amount is not None:
            for d in line.get("discount_amounts") or []:
                amount -= _money(d.get("amount", 0), currency) or Decimal(0)
        start, end = _service(pick(line, "period", "start"), pick(line, "period", "end"))
        recurring = (
            line.get("type") == "subscription"
            or pick(line, "price", "recurring") is not None
            or pick(line, "parent", "subscription_item_details") is not None
        )
        out.add(
            "invoice_lines",
            line.get("id"),
            {
                "line_id": text(line.get("id")),
                "account_id": text(invoice.get("customer")),
                "invoice_date": from_epoch(issued),
                "amount": None if amount is None else format(amount, "f"),
                "currency": currency,
                "service_start": start,
                "service_end": end,
                "plan": _line_plan(line),
                "is_recurring": "true" if recurring else "false",
            },
        )


def _service(start: Any, end: Any) -> tuple[str | None, str | None]:
    """Inclusive service dates from a line's period (its end is exclusive: the day before it is
    the last day paid for). A period of no length (a one-off fee) has no service dates."""
    if not (str(start).isdigit() and str(end).isdigit()) or int(end) <= int(start):
        return None, None
    last = dt.datetime.fromtimestamp(int(end), dt.UTC).date() - dt.timedelta(days=1)
    return from_epoch(start), last.isoformat()


def _line_plan(line: Mapping[str, Any]) -> str | None:
    """The plan of an invoice line: its price's nickname or product (the price object of older
    API versions, ``pricing.price_details`` of newer ones), else the line's description."""
    price = line.get("price")
    if isinstance(price, dict):
        return _plan(price)
    details = pick(line, "pricing", "price_details") or {}
    return text(details.get("product") or details.get("price") or line.get("description"))


CONNECTOR = Connector(
    name="stripe", default_url="https://api.stripe.com", headers=bearer, pull=pull
)
