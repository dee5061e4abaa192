"""One sync: read the token, pull from the vendor, load each table through the importer, keep
the cursors.

Each table is one import batch, written by :func:`salesmetrics.ingest.load_arrow`: the same
conversion, validation, quarantine and single transaction as a file import, so a synced record
that lacks a required field is in ``salesmetrics rejects BATCH`` with its reason like a bad file
row. The import log names the batch ``<source> sync: <table>``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from salesmetrics import schema
from salesmetrics.connection import Connection
from salesmetrics.errors import UserError, suggest
from salesmetrics.ingest import ImportResult, load_arrow
from salesmetrics.sync import hubspot, pipedrive, salesforce, stripe
from salesmetrics.sync.connector import Connector
from salesmetrics.sync.http import Client, Retry, Transport, UrllibTransport
from salesmetrics.sync.pull import TABLE_ORDER, Pull, Row
from salesmetrics.sync.state import load_cursors, save_cursors

#: Every source ``salesmetrics sync`` knows, by name.
CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in (hubspot.CONNECTOR, salesforce.CONNECTOR, pipedrive.CONNECTOR, stripe.CONNECTOR)
}
SOURCES = tuple(CONNECTORS)
#: Rejected rows named in a sync's summary, per table.
SHOWN_REJECTS = 5


def url_env(source: str) -> str:
    """The environment variable that overrides ``source``'s base URL."""
    return f"SALESMETRICS_{source.upper()}_URL"


@dataclass(frozen=True)
class SyncResult:
    """What one sync did: a batch per table, the requests it took, the cursors it keeps."""

    source: str
    full: bool
    """Everything was pulled (``--full``, or the first sync of this source)."""
    batches: tuple[ImportResult, ...]
    rejected: tuple[tuple[str, str, str, str | None, str], ...] = ()
    """(table, vendor id, column, value, reason) of the first rejected rows of each table."""
    requests: int = 0
    cursors: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def rows_loaded(self) -> int:
        """Rows written over every table."""
        return sum(b.rows_loaded for b in self.batches)

    @property
    def rows_rejected(self) -> int:
        """Rows quarantined over every table."""
        return sum(b.rows_rejected for b in self.batches)

    def summary_lines(self) -> list[str]:
        """The summary printed after a sync, one line per fact."""
        kind = "full" if self.full else "incremental"
        asked = _count(self.requests, "request")
        lines = [f"{self.source} ({kind} sync, {asked}, {self.seconds:.1f} s):"]
        if not self.batches:
            lines.append("  nothing new since the last sync")
        for b in self.batches:
            rejects = f", rejected {b.rows_rejected:,} (salesmetrics rejects {b.batch_id})"
            lines.append(
                f"  {b.table}: {_count(b.rows_read, 'record')}, loaded {b.rows_loaded:,}"
                + (rejects if b.rows_rejected else "")
            )
        for table, vendor_id, column, value, reason in self.rejected:
            shown = "" if value is None else f" {value!r}"
            lines.append(f"  rejected {table} {vendor_id}: {column}{shown}: {reason}")
        lines += [f"note: {n}" for n in self.notes]
        return lines


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def read_token(variable: str) -> str:
    """The token held by environment variable ``variable``; a one-line error when unset.

    The variable's name is repeated in a message only when it looks like one (upper-case
    letters, digits and ``_``): a token given by mistake in its place is never printed."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable or ""):
        raise UserError(
            "--token-env takes the NAME of an environment variable that holds the token (e.g."
            " --token-env STRIPE_TOKEN), not the token itself (the value given is not shown)"
        )
    token = os.environ.get(variable, "").strip()
    if not token:
        named = variable if re.fullmatch(r"[A-Z_][A-Z0-9_]*", variable) else "named by --token-env"
        raise UserError(
            f"the environment variable {named} is not set or is empty; export it with the API"
            " token and run the command again"
        )
    return token


def sync(
    ws: Connection,
    source: str,
    *,
    token_env: str,
    full: bool = False,
    base_url: str | None = None,
    retry: Retry | None = None,
    transport: Transport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncResult:
    """Pull ``source``'s records changed since the last sync (everything with ``full``) into the
    canonical tables of ``ws``.

    The token is read from environment variable ``token_env``; the base URL is ``base_url``, else
    ``$SALESMETRICS_<SOURCE>_URL``, else the vendor's. ``retry``, ``transport`` and ``sleep`` are
    for tests. Raises :class:`~salesmetrics.errors.UserError` for anything the user can fix.
    """
    connector = CONNECTORS.get(source)
    if connector is None:
        raise UserError(
            f"unknown source {source!r}{suggest(source, SOURCES)}; sources: {', '.join(SOURCES)}"
        )
    token = read_token(token_env)
    url = base_url or os.environ.get(url_env(source)) or connector.default_url
    if not url:
        raise UserError(
            f"{source}: no base URL; give --base-url or set {url_env(source)}"
            f" ({connector.url_hint})"
        )
    client = Client(
        vendor=source,
        base_url=url,
        headers=connector.headers(token),
        secret=token,
        retry=retry or Retry(),
        transport=transport or UrllibTransport(),
        sleep=sleep,
    )
    clock = time.perf_counter()
    cursors = {} if full else load_cursors(ws.root, source)
    pulled = connector.pull(client, cursors, full)
    batches, rejected = _load(ws, source, pulled)
    save_cursors(ws.root, source, {**cursors, **pulled.cursors})
    return SyncResult(
        source=source,
        full=full or not cursors,
        batches=tuple(batches),
        rejected=tuple(rejected),
        requests=client.requests,
        cursors={**cursors, **pulled.cursors},
        notes=tuple(pulled.notes),
        seconds=time.perf_counter() - clock,
    )


def _latest(table: str, rows: list[Row], ids: list[str]) -> tuple[list[Row], list[str]]:
    """The rows with only the last of those sharing a key: a record pulled twice (pages that
    overlap, a search started again) is one record, not a duplicate for the quarantine. Rows
    without their whole key are kept, for the importer to reject."""
    key = schema.table(table).key
    last: dict[tuple[str | None, ...], int] = {}
    for i, row in enumerate(rows):
        k = tuple(row.get(c) for c in key)
        last[k if None not in k else (str(i), None)] = i
    keep = sorted(last.values())
    return [rows[i] for i in keep], [ids[i] if i < len(ids) else "" for i in keep]


def _load(
    ws: Connection, source: str, pulled: Pull
) -> tuple[list[ImportResult], list[tuple[str, str, str, str | None, str]]]:
    batches: list[ImportResult] = []
    rejected: list[tuple[str, str, str, str | None, str]] = []
    for table in TABLE_ORDER:
        rows = pulled.tables.get(table)
        if not rows:
            continue
        rows, ids = _latest(table, rows, pulled.ids.get(table, []))
        columns = sorted({c for row in rows for c in row})
        data = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns})
        result = load_arrow(ws, table, data, source=f"{source} sync: {table}")
        batches.append(result)
        seen: set[int] = set()
        for row, column, value, reason in result.sample_rejects:
            if row in seen or len(seen) >= SHOWN_REJECTS:
                continue
            seen.add(row)
            vendor_id = ids[row - 1] if 0 < row <= len(ids) else f"row {row}"
            rejected.append((table, vendor_id, column, value, reason))
    return batches, rejected
