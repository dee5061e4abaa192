"""The ``salesmetrics`` command line: one Typer app; each command group lives in its own module.

Start-up rule: importing this package and the command modules loads Typer and Rich only. Each
command imports what it works with (the workspace, Ibis, pandas, the demo generator) inside its
body, so ``--help``, ``calc`` and ``glossary`` never load them.
"""

from __future__ import annotations

import os
import sys

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
    from salesmetrics.cli import (  # noqa: F401
        calc_cmd,
        cohorts_cmd,
        delivery_cmds,
        demo_cmd,
        import_cmds,
        metrics_cmds,
        pipeline_cmds,
        report_cmd,
        workspace_cmds,
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; user errors become one line on stderr and exit status 1."""
    _register()
    try:
        app(args=argv, prog_name="salesmetrics")  # standalone: usage errors exit 2
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as err:
        if _out_of_memory(err):
            first = str(err).strip().splitlines()[0]
            print(
                f"error: the embedded engine ran out of memory ({first}); raise memory_limit in"
                " salesmetrics.toml (default 2GB), or ask for fewer metrics, periods or groups",
                file=sys.stderr,
            )
            sys.exit(1)
        # a bug: still one line for the user, the traceback on request
        if os.environ.get("SALESMETRICS_DEBUG"):
            raise
        print(
            f"internal error: {type(err).__name__}: {err} (set SALESMETRICS_DEBUG=1 for the"
            " traceback, and please report it)",
            file=sys.stderr,
        )
        sys.exit(1)


def _out_of_memory(err: BaseException) -> bool:
    """True for DuckDB's OutOfMemoryException (only a command that loaded DuckDB can raise it,
    so DuckDB is not imported to check)."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(err, duckdb.OutOfMemoryException)
