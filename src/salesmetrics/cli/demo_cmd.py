"""``salesmetrics demo``: build and load the demo company, then say what to try next."""

from __future__ import annotations

import shlex
import time
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from salesmetrics.cli import COMMAND_MODULES, app
from salesmetrics.cli.options import QuietOpt, WorkspaceOpt, err, out

if TYPE_CHECKING:
    from salesmetrics.demo import DemoResult
    from salesmetrics.workspace import Workspace


class ScaleName(StrEnum):
    """The demo sizes (salesmetrics.demo.SCALES), as command-line choices."""

    small = "small"
    medium = "medium"
    large = "large"


def next_steps(result: DemoResult, where: str) -> list[str]:
    """Commands worth trying on the new demo workspace (only those this version has)."""
    year = result.last_day[:4]
    steps = [
        ("metrics", f"salesmetrics metrics --period {year} --grain quarter{where}"),
        ("metrics", f"salesmetrics metrics --metric win_rate --period {year} --by team{where}"),
        ("check", f"salesmetrics check{where}"),
        (
            "report",
            f"salesmetrics report --cadence quarterly --period {year}-Q4 --out review.html{where}",
        ),
        # the web app needs a user first (the password is read from standard input)
        ("serve", f"salesmetrics user add you@example.com --role admin --password-stdin{where}"),
        ("serve", f"salesmetrics serve{where}"),
        ("import", f"salesmetrics import opportunities YOUR_DEALS.csv --dry-run{where}"),
        ("export", f"salesmetrics export demo-export{where}"),
        (
            "calc",
            "salesmetrics calc pipeline_velocity --qualified-leads 200 --win-rate 0.25"
            " --average-deal-size 10000 --sales-cycle-length 25",
        ),
        ("glossary", "salesmetrics glossary win_rate"),
    ]
    return [line for command, line in steps if command in COMMAND_MODULES]


def _label(step: str) -> str:
    if step == "generate":
        return "generating"
    return f"loading {step.removeprefix('load ')}" if step.startswith("load ") else step


def _open(directory: str | None) -> Workspace:
    from salesmetrics.conventions import CONFIG_FILE
    from salesmetrics.workspace import init_workspace, open_workspace, resolve_dir

    root = resolve_dir(directory)
    if (root / CONFIG_FILE).exists():
        return open_workspace(root)
    return init_workspace(root)


@app.command()
def demo(
    scale: Annotated[
        ScaleName,
        typer.Option(help="Size: small (seconds), medium (benchmarks), large (scale test)."),
    ] = ScaleName.small,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Random seed (default: the demo's own); the same seed builds the same data.",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Empty a workspace that already holds data, then load the demo.")
    ] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Create and load a demo company (creating the workspace), then show what to try next."""
    from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

    from salesmetrics.cli.progress import progress_bars
    from salesmetrics.conventions import CONFIG_FILE
    from salesmetrics.demo import DEFAULT_SEED, PROBLEMS, build_demo
    from salesmetrics.demo.load import check_target

    started = time.perf_counter()
    with _open(None if workspace is None else str(workspace)) as ws:
        check_target(ws, replace=replace)  # before any progress bar is drawn
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} rows"),
            TimeElapsedColumn(),
        )
        with progress_bars(err, quiet=quiet, columns=columns, label=_label) as progress:
            result = build_demo(
                ws,
                scale.value,
                DEFAULT_SEED if seed is None else seed,
                replace=replace,
                progress=progress,
            )
            ws.warm(progress=progress)  # the reviews of its last year, ready for next commands
        root = ws.root
        base = ws.config.base_currency

    table = Table(title=f"demo company '{result.scale}' (seed {result.seed}) in {root}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in result.rows.items():
        table.add_row(name, f"{n:,}")
    table.add_section()
    table.add_row("total", f"{sum(result.rows.values()):,}")
    out.print(table)
    out.print(
        f"data: {result.first_day} to {result.last_day} (the demo's today; billing history"
        f" since {result.billing_since}); amounts in USD, EUR, GBP, SGD, IDR and AUD, base"
        f" currency {base}; rejected rows: {result.rejected}"
    )
    if quiet:
        return
    if result.config_changed:
        err.print(
            f'set recurring_source = "subscriptions" and the demo\'s [channels] (lead source ->'
            f" marketing channel) in {root / CONFIG_FILE}",
            soft_wrap=True,
        )
    err.print(
        f"built in {time.perf_counter() - started:.1f} s; {len(PROBLEMS)} kinds of CRM hygiene"
        " problems are in the data on purpose (see salesmetrics.demo.hygiene)",
        soft_wrap=True,
    )
    where = "" if str(root) == "." else f" --workspace {shlex.quote(str(root))}"
    steps = next_steps(result, where)
    if steps:
        err.print("next:")
        for line in steps:
            err.print(f"  {line}", soft_wrap=True)
