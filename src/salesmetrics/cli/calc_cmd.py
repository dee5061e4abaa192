"""``salesmetrics calc``: one command per formula, generated from :mod:`salesmetrics.formulas`.

``salesmetrics calc`` lists the calculators; ``salesmetrics calc NAME --PARAM VALUE ...`` prints
the value, the formula and the formula with the numbers substituted (``--format json``: one
object). Exit status: 1 for an unknown calculator or an undefined result (a user error), 2 for a
missing, unknown or non-numeric option (a usage error, reported by click with the option's name).

In a workspace (``--workspace``, ``$SALESMETRICS_WORKSPACE`` or the current folder holding a
``salesmetrics.toml``) the defaults of ``--gross-margin`` and ``--max-years`` come from its
``gross_margin`` and ``max_customer_lifetime_years``.

The calculators' commands are built when the ``calc`` group is used, not when the app is: the
formulas (and numpy) are not loaded for ``salesmetrics --help`` or any other command.
"""

from __future__ import annotations

import inspect
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup
from typer.main import get_command_from_info
from typer.models import CommandInfo

from salesmetrics.cli import app
from salesmetrics.cli.options import Lang, LangOpt, WorkspaceOpt, out
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.formulas import Formula, Param

#: Configuration keys that give a parameter's default inside a workspace.
CONFIG_DEFAULTS = {"gross_margin": "gross_margin", "max_years": "max_customer_lifetime_years"}


class CalcFormat(StrEnum):
    """Output formats of ``salesmetrics calc``."""

    TEXT = "text"
    JSON = "json"


FormatOpt = Annotated[
    CalcFormat, typer.Option("--format", "-f", help="text (default) or json.", case_sensitive=False)
]


class CalcGroup(TyperGroup):
    """The ``calc`` group: an unknown calculator is a user error (exit 1) naming close matches,
    and ``pipeline-velocity`` is accepted for ``pipeline_velocity``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Find the calculator named by ``args[0]``."""
        if args and not args[0].startswith("-"):
            from salesmetrics import calc

            args = [calc.get(args[0]).name, *args[1:]]
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        """Calculators in registry order (revenue, conversion, pipeline, ...)."""
        from salesmetrics.formulas import FORMULAS

        return list(FORMULAS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command of calculator ``cmd_name``, built on first use."""
        from salesmetrics.formulas import FORMULAS

        if cmd_name not in self.commands and cmd_name in FORMULAS:
            info = CommandInfo(cmd_name, callback=_command(FORMULAS[cmd_name]))
            self.commands[cmd_name] = get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        return self.commands.get(cmd_name)


calc_app = typer.Typer(
    cls=CalcGroup,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Evaluate one formula on given numbers; without NAME, list the calculators.",
)
app.add_typer(calc_app, name="calc", rich_help_panel=None)


@calc_app.callback()
def calc_list(
    ctx: typer.Context, format: FormatOpt = CalcFormat.TEXT, workspace: WorkspaceOpt = None
) -> None:
    """Evaluate one formula on given numbers (salesmetrics calc NAME --PARAM VALUE ...).

    Without NAME: list the calculators and their parameters (the same in every workspace:
    ``--workspace`` is accepted, as by every command, and only checked to exist).
    """
    from salesmetrics.formulas import FORMULAS

    if workspace is not None and not workspace.is_dir():
        from salesmetrics.cli.safe import printable

        raise UserError(f"--workspace {printable(workspace)}: no such folder")
    if ctx.invoked_subcommand is not None:
        return
    if format is CalcFormat.JSON:
        out.print_json(json.dumps({"calculators": [_describe(f) for f in FORMULAS.values()]}))
        return
    out.print("Calculators (salesmetrics calc NAME --PARAM VALUE ...):", markup=False)
    width = max(len(name) for name in FORMULAS)
    for f in FORMULAS.values():
        out.print(f"  {f.name:<{width}}  = {f.expression}", markup=False)
        out.print(f"  {'':<{width}}    {' '.join(_usage(p) for p in f.params)}", markup=False)
    out.print("Ratios take 0.25 or 25%. Details: salesmetrics calc NAME --help", markup=False)


def _usage(p: Param) -> str:
    text = f"{p.option} N" + (",N,..." if p.is_list else "")
    return f"[{text}]" if p.default is not None else text


def _describe(f: Formula) -> dict[str, Any]:
    return {
        "name": f.name,
        "summary": f.summary,
        "formula": f.expression,
        "unit": f.unit.value,
        "undefined_when": f.undefined_when,
        "parameters": [
            {
                "name": p.name,
                "option": p.option,
                "doc": p.doc,
                "unit": p.unit.value,
                "default": p.default,
                "list": p.is_list,
            }
            for p in f.params
        ],
        "example": {"inputs": dict(f.example), "value": f.example_value},
    }


def _parser(p: Param) -> Any:
    from salesmetrics import calc

    def parse(text: str) -> Any:
        try:
            return calc.parse_value(p, text)
        except UserError as err:
            raise typer.BadParameter(str(err).removeprefix(f"{p.name}: ")) from None

    return parse


def _plain(value: Any) -> str:
    """An example value as typed on the command line (``10000``, ``10,2,0``)."""
    if isinstance(value, list):
        return ",".join(_plain(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _workspace_defaults(workspace: Path | None) -> dict[str, float]:
    from salesmetrics.conventions import CONFIG_FILE, resolve_dir

    toml = resolve_dir(workspace) / CONFIG_FILE
    if workspace is None and not toml.exists():
        return {}
    from salesmetrics.config import load_config  # Pydantic: only for a workspace's defaults

    config = load_config(toml)
    return {param: float(getattr(config, key)) for param, key in CONFIG_DEFAULTS.items()}


def _command(formula: Formula) -> Any:
    """A function whose signature declares one option per parameter of ``formula``."""

    from salesmetrics import calc

    def run(**kwargs: Any) -> None:
        fmt = kwargs.pop("format")
        lang = kwargs.pop("lang")
        defaults = _workspace_defaults(kwargs.pop("workspace"))
        values = {k: v for k, v in kwargs.items() if v is not None}
        for p in formula.params:
            if p.name not in values and p.name in defaults:
                values[p.name] = defaults[p.name]
        result = calc.evaluate(formula.name, values)
        if fmt is CalcFormat.JSON:
            out.print_json(json.dumps(result.to_dict()))
        else:
            for line in result.describe(lang.value):
                out.print(line, markup=False)

    params = []
    for p in formula.params:
        hint = "; 0.25 or 25%" if p.unit.value == "ratio" else ""
        hint += "; comma-separated, one per event type" if p.is_list else ""
        if p.default is not None:
            hint += f"; default {p.default:g}"
            if p.name in CONFIG_DEFAULTS:
                hint += f", or {CONFIG_DEFAULTS[p.name]} of the workspace"
        option = typer.Option(
            p.option,
            help=f"{p.doc} ({p.unit.value}{hint}).",
            parser=_parser(p),
            show_default=False,
            metavar="LIST" if p.is_list else "NUMBER",
        )
        params.append(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None if p.default is not None else ...,
                annotation=Annotated[Any, option],
            )
        )
    params.append(
        inspect.Parameter(
            "format", inspect.Parameter.KEYWORD_ONLY, default=CalcFormat.TEXT, annotation=FormatOpt
        )
    )
    params.append(
        inspect.Parameter(
            "lang", inspect.Parameter.KEYWORD_ONLY, default=Lang.EN, annotation=LangOpt
        )
    )
    params.append(
        inspect.Parameter(
            "workspace", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=WorkspaceOpt
        )
    )
    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    run.__name__ = formula.name
    example = " ".join(f"{formula.param(k).option} {_plain(v)}" for k, v in formula.example.items())
    run.__doc__ = (
        f"{formula.summary}\n\n"
        f"{formula.name} = {formula.expression}\n\n"
        f"Example: salesmetrics calc {formula.name} {example}"
        f" gives {calc.format_value(float(formula.example_value or 0), formula.unit)}."
    )
    return run
