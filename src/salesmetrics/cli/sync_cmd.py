"""``sync``: pull deals, owners, companies or billing data from a CRM's or Stripe's API."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import QuietOpt, WorkspaceOpt, err, out
from salesmetrics.cli.safe import printable


class Source(StrEnum):
    """The sources ``sync`` knows (salesmetrics.sync.SOURCES)."""

    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"
    PIPEDRIVE = "pipedrive"
    STRIPE = "stripe"


@app.command("sync")
def sync_cmd(
    source: Annotated[Source, typer.Argument(help="hubspot, salesforce, pipedrive or stripe.")],
    token_env: Annotated[
        str,
        typer.Option(
            "--token-env",
            help="NAME of the environment variable holding the API token (never the token).",
        ),
    ],
    full: Annotated[
        bool, typer.Option("--full", help="Pull everything, not only changes since the last sync.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="API base URL (default: $SALESMETRICS_<SOURCE>_URL, else the vendor's; required"
            " for Salesforce: your instance URL).",
            show_default=False,
        ),
    ] = None,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm/--no-warm",
            help="After rows land, compute what the recent requests need (default on).",
        ),
    ] = True,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Pull SOURCE's records changed since the last sync through its API, validated and
    quarantined like a file import (one batch per table).

    Exit status 0 when the sync ran (rejected records are counted in the summary), 3 when records
    were pulled and every one was rejected."""
    from salesmetrics.cli import EXIT_ALL_REJECTED
    from salesmetrics.workspace import open_workspace

    if not quiet:
        err.print(f"syncing {source.value}...", markup=False)
    with open_workspace(workspace) as ws:
        result = ws.sync(source.value, token_env=token_env, full=full, base_url=base_url, warm=warm)
    for line in result.summary_lines():
        out.print(printable(line), markup=False)
    if result.batches and result.rows_loaded == 0 and result.rows_rejected > 0:
        err.print(f"every record was rejected ({result.rows_rejected:,}): nothing loaded")
        raise typer.Exit(EXIT_ALL_REJECTED)
