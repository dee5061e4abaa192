"""Options shared by every command."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SALESMETRICS_WORKSPACE, else the current folder).",
        show_default=False,
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or hints.")]


class Lang(StrEnum):
    """--lang values."""

    EN = "en"
    ID = "id"


LangOpt = Annotated[
    Lang,
    typer.Option(
        "--lang",
        "-l",
        help="en (English) or id (Indonesian): labels, month names, number formats.",
        case_sensitive=False,
    ),
]

#: Where results go (stdout) and where progress and hints go (stderr).
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help="Only the group DIM=VALUE, e.g. region=EMEA (repeatable, one value per dimension;"
        " the dimensions of --by).",
        show_default=False,
    ),
]
SegmentOpt = Annotated[
    str | None,
    typer.Option(
        "--segment",
        help="A saved segment: the filters of [segments] NAME in salesmetrics.toml.",
        show_default=False,
    ),
]
