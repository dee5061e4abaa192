"""``serve`` (the web app and API), ``user add`` and ``token create``."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import QuietOpt, WorkspaceOpt, err, out
from salesmetrics.cli.safe import printable
from salesmetrics.errors import UserError

user_app = typer.Typer(help="Users of the web app.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens of the web app's users.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


class RoleChoice(StrEnum):
    """--role values."""

    ADMIN = "admin"
    EXECUTIVE = "executive"
    MANAGER = "manager"
    REP = "rep"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Serve the web app (dashboards, metric pages, glossary) and the REST API (/api,
    /openapi.json) of the workspace."""
    import uvicorn

    from salesmetrics.web import users
    from salesmetrics.web.app import create_app
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:  # a missing or broken workspace: one line, exit 1
        root = ws.root.resolve()
    if not quiet:
        shown = "localhost" if host in ("127.0.0.1", "::1") else host
        out.print(f"serving {root} at http://{shown}:{port}/ (Ctrl-C stops it)", markup=False)
        if not users.users(root):
            err.print(
                "note: no user yet; add one with: salesmetrics user add EMAIL --role admin"
                " --password-stdin",
                markup=False,
            )
    uvicorn.run(
        create_app(root, prepare=True),
        host=host,
        port=port,
        log_level="warning" if quiet else "info",
    )


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's email (their login).")],
    role: Annotated[
        RoleChoice,
        typer.Option(
            help="admin or executive (everything), manager (own team), rep (own numbers).",
            case_sensitive=False,
        ),
    ],
    rep: Annotated[
        str | None, typer.Option(help="A rep's rep id (role rep).", show_default=False)
    ] = None,
    team: Annotated[
        str | None, typer.Option(help="A manager's team (role manager).", show_default=False)
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add a user of the web app (or replace the one with that email)."""
    from salesmetrics.web import users
    from salesmetrics.workspace import open_workspace

    if not password_stdin:
        raise UserError(
            "give the password on standard input with --password-stdin (a password on the"
            " command line would stay in the shell's history)"
        )
    password = sys.stdin.readline().rstrip("\r\n")
    chosen = users.Role(role.value)
    users.check_email(email)
    users.check_scope(chosen, rep, team)
    with open_workspace(workspace) as ws:
        # the rep or team must exist in the data (a typo would show an empty dashboard)
        ws.filters({"rep": rep} if rep else {"team": team} if team else {})
        user = users.add_user(ws.root, email, chosen, password, rep=rep, team=team)
    if not quiet:
        scope = f" (rep {user.rep})" if user.rep else f" (team {user.team})" if user.team else ""
        out.print(printable(f"user {user.email}: {user.role.value}{scope}"), markup=False)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Create an API token (for ``Authorization: Bearer``) and print it; it is shown once."""
    from salesmetrics.web import users
    from salesmetrics.workspace import resolve_dir

    root = resolve_dir(workspace)
    from salesmetrics.conventions import CONFIG_FILE

    if not (root / CONFIG_FILE).exists():
        raise UserError(f"{printable(root)} is not a workspace (no {CONFIG_FILE}); run init first")
    out.print(users.create_token(root, email), markup=False)
