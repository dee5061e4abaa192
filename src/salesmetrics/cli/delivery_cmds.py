"""``schedule add|list|remove``, ``deliver`` and ``alerts``: review packs sent by email or
webhook, and the alerts that head them (computed by the engine, printed here)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import Lang, LangOpt, WorkspaceOpt, err, out

if TYPE_CHECKING:
    from salesmetrics.cli.tables import Style
    from salesmetrics.metrics.alerts import Alert, Alerts

schedule_app = typer.Typer(
    help="Stored deliveries of review packs (sent by 'salesmetrics deliver').",
    no_args_is_help=True,
)
app.add_typer(schedule_app, name="schedule")


class CadenceChoice(StrEnum):
    """--cadence values."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class PackFormat(StrEnum):
    """--format values of a delivery."""

    PDF = "pdf"
    HTML = "html"
    XLSX = "xlsx"


class AlertsFormat(StrEnum):
    """--format values of ``alerts``."""

    TABLE = "table"
    JSON = "json"


@schedule_app.command("add")
def schedule_add(
    cadence: Annotated[
        CadenceChoice, typer.Option("--cadence", help="monthly, quarterly or annual.")
    ],
    to: Annotated[
        list[str],
        typer.Option(
            "--to",
            help="Email address, webhook URL, or env:VAR naming a variable holding the webhook"
            " URL (repeatable).",
        ),
    ],
    role: Annotated[
        str | None, typer.Option("--role", help="Narrow the pack to one role.", show_default=False)
    ] = None,
    output: Annotated[
        PackFormat, typer.Option("--format", "-f", help="pdf, html or xlsx.")
    ] = PackFormat.PDF,
    by: Annotated[
        str | None, typer.Option("--by", help="Group the pack by a dimension.", show_default=False)
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or id.")] = "en",
    workspace: WorkspaceOpt = None,
) -> None:
    """Store a delivery of a review pack (sent by 'salesmetrics deliver --due')."""
    from salesmetrics.conventions import resolve_dir
    from salesmetrics.reports.delivery import add_schedule
    from salesmetrics.workspace import open_workspace

    root = resolve_dir(workspace)
    open_workspace(root).close()  # a workspace is there, with a valid configuration
    schedule = add_schedule(
        root, cadence.value, to, format=output.value, role=role, by=by, lang=lang
    )
    out.print(f"added schedule {schedule.id}: {_describe(schedule)}", markup=False)


@schedule_app.command("list")
def schedule_list(workspace: WorkspaceOpt = None) -> None:
    """The stored deliveries, and when each was last sent."""
    from salesmetrics.conventions import resolve_dir
    from salesmetrics.reports.delivery import schedules, sent_log

    root = resolve_dir(workspace)
    found = schedules(root)
    if not found:
        out.print("no schedules; add one with 'salesmetrics schedule add'", markup=False)
        return
    log = sent_log(root)
    for s in found:
        last = [x for x in log if x.schedule == s.id]
        when = f"; last sent {last[-1].period} at {last[-1].at}" if last else "; not sent yet"
        out.print(f"{s.id}: {_describe(s)}{when}", markup=False)


@schedule_app.command("remove")
def schedule_remove(
    schedule_id: Annotated[str, typer.Argument(metavar="ID", help="The schedule's id.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove a stored delivery."""
    from salesmetrics.conventions import resolve_dir
    from salesmetrics.reports.delivery import remove_schedule

    removed = remove_schedule(resolve_dir(workspace), schedule_id)
    out.print(f"removed schedule {removed.id}: {_describe(removed)}", markup=False)


def _describe(schedule: object) -> str:
    from salesmetrics.reports.delivery import Schedule

    assert isinstance(schedule, Schedule)
    role = f" for {schedule.role}" if schedule.role else ""
    by = f" by {schedule.by}" if schedule.by else ""
    return (
        f"{schedule.cadence} pack{role}{by} ({schedule.format}, {schedule.lang}) to"
        f" {', '.join(schedule.to)}"
    )


@app.command("deliver")
def deliver_cmd(
    due: Annotated[
        bool,
        typer.Option("--due", help="Only what is due and not sent yet (the cron job's run)."),
    ] = False,
    schedule: Annotated[
        list[str] | None,
        typer.Option("--schedule", help="Only this schedule (repeatable).", show_default=False),
    ] = None,
    alerts_only: Annotated[
        bool, typer.Option("--alerts-only", help="Send the alerts alone, without the pack.")
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Build and send the scheduled packs of the last complete period, alerts first; records
    every send so that '--due' never sends one twice."""
    from salesmetrics.errors import UserError
    from salesmetrics.reports.delivery import deliver
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        outcomes = deliver(ws, due=due, schedule_ids=schedule or (), alerts_only=alerts_only)
    if not outcomes:
        out.print("no schedules; add one with 'salesmetrics schedule add'", markup=False)
    for o in outcomes:
        if o.state == "sent":
            out.print(f"sent {o.schedule} {o.period} to {o.to}", markup=False)
        elif o.state == "skipped":
            out.print(f"already sent {o.schedule} {o.period} to {o.to}", markup=False)
    failed = [o for o in outcomes if o.state == "failed"]
    for o in failed[1:]:
        err.print(f"error: {o.schedule} {o.period} to {o.to}: {o.error}", markup=False)
    if failed:
        first = failed[0]
        more = (
            f" ({len(failed)} sends failed; the next run retries them)"
            if len(failed) > 1
            else ("; the next run retries it")
        )
        raise UserError(f"{first.schedule} {first.period} to {first.to}: {first.error}{more}")


@app.command("alerts")
def alerts_cmd(
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="A month, quarter or year (default: the last complete month).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        AlertsFormat, typer.Option("--format", "-f", help="table or json.")
    ] = AlertsFormat.TABLE,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Also send them to every schedule's recipients (as deliver --alerts-only).",
        ),
    ] = False,
    every: Annotated[
        bool, typer.Option("--all", help="List every alert, not only the strongest [alerts] limit.")
    ] = False,
    lang: LangOpt = Lang.EN,
    workspace: WorkspaceOpt = None,
) -> None:
    """Metrics and groups that crossed their target or moved more than [alerts] allows since
    the period before, with the deals behind each."""
    from salesmetrics.cli import tables as view
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        found = ws.alerts(period, limit=0 if every else None)
        style = view.make_style(
            lang.value,
            found.base_currency,
            view.names_for(ws, (), [{"group": a.group} for a in found.alerts]),
        )
        if send:
            from salesmetrics.reports.delivery import deliver

            outcomes = deliver(ws, due=False, alerts_only=True)
    if output is AlertsFormat.JSON:
        out.print(found.to_json(indent=2), markup=False, highlight=False)
    else:
        _print_alerts(found, style)
    if send:
        failed = [o for o in outcomes if o.state == "failed"]
        for o in outcomes:
            if o.state == "sent":
                err.print(f"sent alerts {o.period} to {o.to}", markup=False)
        if failed:
            from salesmetrics.errors import UserError

            raise UserError(f"alerts to {failed[0].to}: {failed[0].error}")


def _print_alerts(found: Alerts, style: Style) -> None:
    """One Rich table of the alerts (names for reps, numbers never cut), then the deals behind
    each, in the style's language."""
    from rich.table import Table
    from rich.text import Text

    from salesmetrics.cli.safe import printable
    from salesmetrics.metrics import registry as reg

    fmt, w = style.fmt, style.word
    against = fmt.period(found.compare_period) if found.compare_period else w("period_before")
    title = {"period": fmt.period(found.period), "against": against}
    if not found.alerts:
        out.print(w("no_alerts", **title), markup=False)
        return
    table = Table(
        title=w("alerts_title", **title),
        title_justify="left",
        caption=w("in_brackets", period=against),
        caption_justify="left",
    )
    with_target = any(a.target is not None for a in found.alerts)
    numeric = ("value", "target", "deals") if with_target else ("value", "deals")
    for name in ("metric", "group", *numeric[:-1], "why", "deals"):
        table.add_column(
            w(name),
            justify="right" if name in numeric else "left",
            no_wrap=name in numeric,
            overflow="fold",  # a word longer than its column breaks; it is never cut
        )

    def name_of(a: Alert) -> str:
        return reg.get(a.metric).name.get(fmt.lang)

    def group_of(a: Alert) -> str:
        return style.group_label(a.group) if a.group else w("company")

    for a in found.alerts:
        # the value above the one it is compared with, so that no figure is ever cut
        value = f"{fmt.value(a.value, a.unit)}\n({fmt.value(a.previous, a.unit)})"
        target = [fmt.value(a.target, a.unit) if a.target is not None else ""] * with_target
        deals = "—" if a.deal_count is None else f"{a.deal_count}\n({a.deal_count_before})"
        table.add_row(name_of(a), Text(group_of(a)), value, *target, _why(a, style), deals)
    out.print(table, soft_wrap=False)
    if found.left_out:
        out.print(w("left_out", n=found.left_out), markup=False)
    for a in found.alerts:
        if not a.deals:
            continue
        heading = w(
            "largest_of", metric=name_of(a), group=group_of(a), period=a.period, n=a.deal_count
        )
        out.print(f"\n{heading}", markup=False)
        for d in a.deals:
            key = next((k for k in d if k.endswith("_id")), None)
            ident = d.get(key) if key else ""
            amount = d.get("amount_base", d.get("amount"))
            shown = "" if amount is None else f"  {fmt.money(amount)}"
            label = d.get("name") or ""
            out.print(f"  {printable(ident)}  {printable(label)}{shown}", markup=False)


def _why(alert: Alert, style: Style) -> str:
    """Why ``alert`` alerts, short (its values stand in their own columns): ``off track (was
    on track)``, ``moved +69%`` or ``moved +40.5 pp`` for a move, a rule's own text."""
    from salesmetrics.metrics.alerts import CHANGE, OFF_TRACK

    fmt, w = style.fmt, style.word
    parts = []
    for trigger in alert.triggers:
        if trigger == OFF_TRACK:
            was = fmt.status(alert.previous_status) or w("no_status")
            parts.append(w("off_track_was", status=was.lstrip("✓!✗ ")))
        elif trigger == CHANGE and alert.unit == "ratio" and alert.change is not None:
            sign = "+" if alert.change >= 0 else "-"
            parts.append(w("moved", change=f"{sign}{fmt.fixed(abs(alert.change) * 100, 1)} pp"))
        elif trigger == CHANGE and alert.change_rate is not None:
            sign = "+" if alert.change_rate >= 0 else "-"
            parts.append(w("moved", change=f"{sign}{fmt.percent(abs(alert.change_rate), 0)}"))
        else:
            parts.append(trigger.replace("_", " "))
    return "; ".join(parts)
