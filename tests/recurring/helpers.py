"""Helpers for the recurring-revenue tests: tiny workspaces built row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from salesmetrics import Workspace, schema

D = Decimal


def day(text: str) -> dt.date:
    """An ISO date."""
    return dt.date.fromisoformat(text)


def insert(ws: Workspace, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts; missing columns are null) into canonical ``table``."""
    cols = schema.SCHEMA[table].column_names
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    values = [[r.get(c) for c in cols] for r in rows]
    if values:
        with ws.writing() as backend:
            backend.con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)


def sub(
    sid: str,
    account: str,
    start: str,
    end: str | None,
    mrr: str,
    *,
    plan: str | None = "basic",
    currency: str | None = None,
    trial: bool | None = None,
) -> dict[str, Any]:
    """A subscriptions row."""
    return {
        "subscription_id": sid,
        "account_id": account,
        "start_date": day(start),
        "end_date": day(end) if end else None,
        "mrr": D(mrr),
        "plan": plan,
        "currency": currency,
        "is_trial": trial,
    }


def line(
    lid: str,
    account: str,
    invoiced: str,
    amount: str,
    service: tuple[str, str] | None = None,
    *,
    plan: str | None = "basic",
    currency: str | None = None,
    recurring: bool | None = None,
) -> dict[str, Any]:
    """An invoice_lines row."""
    return {
        "line_id": lid,
        "account_id": account,
        "invoice_date": day(invoiced),
        "amount": D(amount),
        "service_start": day(service[0]) if service else None,
        "service_end": day(service[1]) if service else None,
        "plan": plan,
        "currency": currency,
        "is_recurring": recurring,
    }


def rate(date: str, currency: str, value: str) -> dict[str, Any]:
    """An fx_rates row."""
    return {"date": day(date), "currency": currency, "rate": D(value)}


def add_months(d: dt.date, n: int) -> dt.date:
    """The first of the month ``n`` months after ``d``'s month."""
    k = d.year * 12 + d.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def periods(first: str, last: str, grains: Sequence[str] = ("month",)) -> ir.Table:
    """Months (and quarters) from ``first``'s month to ``last``'s: ``(period, start, end)``."""
    rows: list[tuple[str, dt.date, dt.date]] = []
    start = day(first).replace(day=1)
    stop = day(last)
    while start <= stop:
        if "month" in grains:
            rows.append((f"{start:%Y-%m}", start, add_months(start, 1)))
        if "quarter" in grains and start.month % 3 == 1:
            rows.append((f"{start.year}-Q{start.month // 3 + 1}", start, add_months(start, 3)))
        start = add_months(start, 1)
    return ibis.memtable(
        pa.table(
            {
                "period": [r[0] for r in rows],
                "start": pa.array([r[1] for r in rows], pa.date32()),
                "end": pa.array([r[2] for r in rows], pa.date32()),
            }
        )
    )


def as_dict(frame: Any, key: Sequence[str], value: str) -> dict[Any, Any]:
    """``{key tuple (or single value): value}`` from a DataFrame."""
    out = {}
    for row in frame.to_dict("records"):
        k = tuple(row[c] for c in key)
        out[k[0] if len(k) == 1 else k] = row[value]
    return out
