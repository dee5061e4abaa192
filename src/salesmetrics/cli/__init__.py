"""The ``salesmetrics`` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import sys

import click
import typer

from salesmetrics.errors import UserError

app = typer.Typer(
    name="salesmetrics",
    help="Sales and SaaS metrics with one written and tested definition each.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Imported for their side effect: each module adds its commands to ``app``.
    from salesmetrics.cli import demo_cmd, import_cmds, workspace_cmds  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; user errors become one line on stderr and exit status 1."""
    _register()
    try:
        app(args=argv, standalone_mode=False)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    except click.exceptions.UsageError as err:
        err.show()
        sys.exit(2)
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
