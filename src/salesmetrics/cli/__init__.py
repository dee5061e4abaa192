"""The ``salesmetrics`` command line: one Typer app; each command group lives in its own module.

Start-up rule: importing this package and the command modules loads Typer and Rich only. Each
command imports what it works with (the workspace, Ibis, pandas, the demo generator) inside its
body, so ``--help``, ``calc`` and ``glossary`` never load them.

Exit status (docs/user-guide.md, "When something goes wrong"): 0 done (an import that rejected
some rows included, with its summary); 1 a user error (bad input, option value, configuration,
missing data; one line on stderr); 2 a usage error (unknown option, missing argument; click's
message); 3 an import that read rows and rejected every one (nothing loaded); 70 an internal
error (a bug: one line, the traceback written to a file); 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
import tempfile
import traceback
from pathlib import Path

import typer

from salesmetrics.cli.safe import printable
from salesmetrics.errors import UserError, failure_cause, failure_kind

#: Exit statuses a script can rely on (see the module's docstring).
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_ALL_REJECTED = 3
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h
EXIT_INTERRUPTED = 130
#: Set (to anything) to have an internal error raise with its traceback instead.
ENV_DEBUG = "SALESMETRICS_DEBUG"

app = typer.Typer(
    name="salesmetrics",
    help="Sales and SaaS metrics with one written and tested definition each.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    # Makes ``app`` a group whatever is registered: with a single command and no callback Typer
    # runs that command as the whole app, and ``main`` may register one module's commands only.
    pass


#: The module of each top-level command and command group. ``main`` imports only the module of
#: the command it runs (Typer builds the whole app otherwise: a tenth of a light command's start);
#: tests/cli/test_commands.py checks this table against what the modules register.
COMMAND_MODULES: dict[str, str] = {
    "alerts": "delivery_cmds",
    "calc": "calc_cmd",
    "check": "check_cmd",
    "cohorts": "cohorts_cmd",
    "deliver": "delivery_cmds",
    "demo": "demo_cmd",
    "export": "workspace_cmds",
    "forecast": "pipeline_cmds",
    "glossary": "metrics_cmds",
    "import": "import_cmds",
    "imports": "imports_cmd",
    "init": "workspace_cmds",
    "metrics": "metrics_cmds",
    "pipeline": "pipeline_cmds",
    "rejects": "import_cmds",
    "report": "report_cmd",
    "restore": "workspace_cmds",
    "schedule": "delivery_cmds",
    "serve": "web_cmds",
    "sync": "sync_cmd",
    "token": "web_cmds",
    "user": "web_cmds",
    "waterfall": "metrics_cmds",
}


def register(args: list[str] | None = None) -> None:
    """Add commands to ``app``: only the module of the command ``args`` name first, else (help,
    a mistyped command) every module, so the usage lists them all. Each module adds its
    commands when imported."""
    first = next((a for a in args or () if not a.startswith("-")), None)
    wanted = COMMAND_MODULES.get(first or "")
    for module in [wanted] if wanted else sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"{__name__}.{module}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; a user error becomes one line on stderr and exit status 1, a
    bug one line naming the file its traceback was written to and exit status 70."""
    register(sys.argv[1:] if argv is None else argv)
    try:
        app(args=argv, prog_name="salesmetrics")  # standalone: usage errors exit 2
    except UserError as err:
        print(f"error: {printable(err)}", file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as err:
        if _out_of_memory(err) and failure_kind(err) == "memory":
            first = printable(str(err).strip().splitlines()[0])
            print(
                f"error: the embedded engine ran out of memory ({first}); raise memory_limit in"
                " salesmetrics.toml (default 2GB), or ask for fewer metrics, periods or groups",
                file=sys.stderr,
            )
            sys.exit(EXIT_USER_ERROR)
        cause = failure_cause(err)  # a full disk, read-only storage: the user's to fix
        if cause is not None:
            print(f"error: {printable(cause)}", file=sys.stderr)
            sys.exit(EXIT_USER_ERROR)
        # a bug: still one line for the user, the traceback on request or in a file
        if os.environ.get(ENV_DEBUG):
            raise
        where = _write_traceback(err)
        said = f"traceback in {where}" if where else "traceback not written"
        print(
            f"internal error: {type(err).__name__}: {printable(err)} ({said}; set {ENV_DEBUG}=1"
            " to print it; please report it)",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)


def _write_traceback(err: BaseException) -> Path | None:
    """The traceback of ``err`` in a new file of the temporary folder (None if it cannot be
    written: the error being reported may be a full disk)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"salesmetrics-error-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(err)))
    except OSError:
        return None
    return Path(name)


def _out_of_memory(err: BaseException) -> bool:
    """True for DuckDB's OutOfMemoryException (only a command that loaded DuckDB can raise it,
    so DuckDB is not imported to check)."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(err, duckdb.OutOfMemoryException)
