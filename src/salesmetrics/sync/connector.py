"""What every connector module declares: its name, where its API is, how it authenticates, and
its pull."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from salesmetrics.sync.http import Client
from salesmetrics.sync.pull import Pull

PullFn = Callable[[Client, Mapping[str, str], bool], Pull]


@dataclass(frozen=True)
class Connector:
    """One vendor: ``pull(client, cursors, full)`` returns the rows and the new cursors."""

    name: str
    default_url: str | None
    headers: Callable[[str], dict[str, str]]
    """The request headers that carry ``token``."""
    pull: PullFn
    url_hint: str = ""
    """Where the user finds the base URL, when the vendor has no single one."""


def bearer(token: str) -> dict[str, str]:
    """``Authorization: Bearer <token>`` (HubSpot, Salesforce, Stripe)."""
    return {"Authorization": f"Bearer {token}"}
