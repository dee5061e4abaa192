"""Scheduled deliveries of review packs and alerts: by email (SMTP) and Slack-style webhooks.

**Schedules and the sent-log** live in ``deliveries.json`` in the workspace folder (beside
``salesmetrics.toml``), not in the workspace's database: they are settings of the folder, not
data, they work the same on every backend (a PostgreSQL or Spark workspace has the folder too),
and writing them never makes a new database snapshot. The file is rewritten whole and atomically
(a temporary file renamed over it), so a reader sees the old file or the new one, never half.

**Two runs at once.** :func:`deliver`, :func:`add_schedule` and :func:`remove_schedule` hold the
exclusive lock of ``deliveries.lock`` (``flock``: released by the OS when a process dies) for
their whole run, and read the file only once they hold it: a second ``deliver`` started while
one runs waits for it, then finds everything it sent recorded and sends nothing twice.

**Recorded after sending.** A pack is recorded as sent (with the time) right after its channel
accepted it, and the file is written at once, one send at a time. A send that fails records
nothing, so the next run tries again. A process killed in the instant between a server accepting
the message and the record being written sends that one pack again on the next run: a pack
delivered twice is preferred to a pack silently never delivered (at least once, not at most once).

**Due.** A schedule is due for the last complete period of its cadence (month, quarter or fiscal
year of the workspace's calendar: :func:`salesmetrics.metrics.alerts.last_complete`) until it has
been sent for that period to each of its recipients. Complete means the workspace's data reach
the period's last day (the workspace's "today" of metrics.md: the latest date of an imported fact
other than expected close dates) and the calendar has passed it. So a monthly pack goes once a
month, once the import that covers the month's last day has landed.

**Alerts head every delivery**: the alerts of the pack's period (:mod:`salesmetrics.metrics.alerts`)
open the email body and the webhook summary; ``alerts_only`` sends them alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesmetrics.backends.filelock import exclusive
from salesmetrics.backends.jsonfile import write_json
from salesmetrics.errors import UserError, suggest
from salesmetrics.reports.message import ENV_PREFIX, Message

if TYPE_CHECKING:
    from salesmetrics.metrics.alerts import Alerts
    from salesmetrics.workspace import Workspace

STORE = "deliveries.json"
LOCK = "deliveries.lock"
#: Delivered packs are kept here, in the workspace folder (a webhook's link points into it).
PACKS = "packs"
CADENCES = ("monthly", "quarterly", "annual")
GRAIN_OF_CADENCE = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
FORMATS = ("pdf", "html", "xlsx")
ROLES = ("finance", "operations", "customer_success", "marketing", "sales_leadership", "people")
ALERTS_ONLY = "alerts"


@dataclass(frozen=True)
class Schedule:
    """A stored delivery: a pack of ``cadence`` (for ``role``, grouped ``by``, in ``lang``, as
    ``format``) sent to ``to`` (email addresses, webhook URLs, or ``env:VAR`` naming a variable
    that holds a webhook URL)."""

    id: str
    cadence: str
    to: tuple[str, ...]
    format: str = "pdf"
    role: str | None = None
    by: str | None = None
    lang: str = "en"
    created: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        out = asdict(self)
        out["to"] = list(self.to)
        return out


@dataclass(frozen=True)
class Sent:
    """One send recorded: the schedule (``alerts`` for alerts sent alone), the period, the
    recipient and when."""

    schedule: str
    period: str
    to: str
    at: str
    file: str | None = None
    alerts: int = 0


@dataclass
class Outcome:
    """What :func:`deliver` did with one (schedule, period, recipient): ``sent``, ``skipped``
    (sent before) or ``failed`` (with ``error``)."""

    schedule: str
    period: str
    to: str
    state: str
    error: str | None = None
    file: str | None = None


@dataclass
class Book:
    """The contents of ``deliveries.json``."""

    schedules: list[Schedule] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)

    def was_sent(self, schedule: str, period: str, to: str) -> bool:
        """Whether ``schedule``'s pack of ``period`` went to ``to`` already."""
        return any((s.schedule, s.period, s.to) == (schedule, period, to) for s in self.sent)


# -- the store ---------------------------------------------------------------------------------


def _read(root: Path) -> Book:
    path = root / STORE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Book()
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot be read ({error}); restore it or remove it") from None
    try:
        schedules = [Schedule(**{**s, "to": tuple(s["to"])}) for s in data.get("schedules", [])]
        sent = [Sent(**s) for s in data.get("sent", [])]
    except (TypeError, KeyError) as error:
        raise UserError(
            f"{path}: not a deliveries file ({error}); restore it or remove it"
        ) from None
    return Book(schedules, sent)


def _write(root: Path, book: Book) -> None:
    """Write ``book`` atomically: a temporary file beside the store, renamed over it."""
    data = {
        "schedules": [s.to_dict() for s in book.schedules],
        "sent": [asdict(s) for s in book.sent],
    }
    write_json(root / STORE, data)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[Book]:
    """The store, read under the deliveries lock (held until the block ends)."""
    with exclusive(root / LOCK):
        yield _read(root)


def schedules(root: Path) -> list[Schedule]:
    """The stored schedules."""
    return _read(root).schedules


def sent_log(root: Path) -> list[Sent]:
    """Every send recorded, oldest first."""
    return _read(root).sent


def check_recipient(to: str) -> str:
    """``to`` if it is an email address, an http(s) URL or ``env:VAR``; a UserError otherwise."""
    to = to.strip()
    if to.startswith(ENV_PREFIX) and to[len(ENV_PREFIX) :].strip():
        return to
    if to.startswith(("https://", "http://")) and len(to) > len("https://x"):
        return to
    local, at, domain = to.partition("@")
    if at and local and "." in domain and " " not in to:
        return to
    raise UserError(
        f"--to {to!r}: give an email address, a webhook URL (https://...) or env:VARIABLE"
        " naming a variable that holds the webhook URL"
    )


def add_schedule(
    root: Path,
    cadence: str,
    to: Sequence[str],
    *,
    format: str = "pdf",
    role: str | None = None,
    by: str | None = None,
    lang: str = "en",
) -> Schedule:
    """Store a delivery of ``cadence`` packs to ``to``; returns it with its new id."""
    if cadence not in CADENCES:
        raise UserError(f"--cadence {cadence!r}: use one of {', '.join(CADENCES)}")
    if format not in FORMATS:
        raise UserError(f"--format {format!r}: use one of {', '.join(FORMATS)}")
    if role is not None and role not in ROLES:
        raise UserError(f"--role {role!r}{suggest(role, ROLES)}; roles: {', '.join(ROLES)}")
    if not to:
        raise UserError("give at least one recipient with --to")
    recipients = tuple(dict.fromkeys(check_recipient(t) for t in to))
    with _locked(root) as book:
        taken = {s.id for s in book.schedules}
        number = 1 + max((int(i[1:]) for i in taken if i[1:].isdigit()), default=0)
        schedule = Schedule(
            id=f"s{number}",
            cadence=cadence,
            to=recipients,
            format=format,
            role=role,
            by=by,
            lang=lang,
            created=_now(),
        )
        book.schedules.append(schedule)
        _write(root, book)
    return schedule


def remove_schedule(root: Path, schedule_id: str) -> Schedule:
    """Remove the schedule ``schedule_id`` (its sent-log stays); returns it."""
    with _locked(root) as book:
        found = [s for s in book.schedules if s.id == schedule_id]
        if not found:
            ids = [s.id for s in book.schedules]
            raise UserError(
                f"no schedule {schedule_id!r}{suggest(schedule_id, ids)};"
                " see 'salesmetrics schedule list'"
            )
        book.schedules = [s for s in book.schedules if s.id != schedule_id]
        _write(root, book)
    return found[0]


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# -- sending -----------------------------------------------------------------------------------


#: Sends ``message`` to one recipient; raises a UserError (one line) when it cannot.
Sender = Callable[[str, "Message"], None]


def default_sender(ws: Workspace, environ: Mapping[str, str]) -> Sender:
    """Email to addresses through ``[smtp]``, JSON to webhook URLs."""
    from salesmetrics.reports import mail, webhook

    def send(to: str, message: Message) -> None:
        if "@" in to and not to.startswith(("http://", "https://", ENV_PREFIX)):
            mail.send(ws.config.smtp, to, message, environ)
        else:
            webhook.send(webhook.resolve_url(to, environ), message, ws.config.delivery)

    return send


def deliver(
    ws: Workspace,
    *,
    due: bool = True,
    schedule_ids: Sequence[str] = (),
    alerts_only: bool = False,
    today: dt.date | None = None,
    sender: Sender | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Build and send the packs of the schedules (``schedule_ids``, default all): with ``due``
    only those not yet sent for the last complete period, else every one again. With
    ``alerts_only`` the alerts of that period go alone (recorded apart from the packs). Runs
    under the deliveries lock; each send is recorded as it succeeds (see the module docstring)."""
    today = today or dt.date.today()
    environ = os.environ if environ is None else environ
    send = sender or default_sender(ws, environ)
    outcomes: list[Outcome] = []
    with _locked(ws.root) as book:
        chosen = _chosen(book, schedule_ids)
        alerts: dict[str, Alerts] = {}
        for schedule in chosen:
            period = ws.last_complete(GRAIN_OF_CADENCE[schedule.cadence], today=today)
            if period is None:
                raise UserError("nothing to deliver: the workspace has no data yet")
            key = f"{schedule.id}:{ALERTS_ONLY}" if alerts_only else schedule.id
            todo = [t for t in schedule.to if not (due and book.was_sent(key, period, t))]
            outcomes += [
                Outcome(schedule.id, period, t, "skipped") for t in schedule.to if t not in todo
            ]
            if not todo:
                continue
            if period not in alerts:
                alerts[period] = ws.alerts(period, cadence=schedule.cadence)
            message = _message(ws, schedule, period, alerts[period], alerts_only=alerts_only)
            for to in todo:
                try:
                    send(to, message)
                except UserError as error:
                    outcomes.append(Outcome(schedule.id, period, to, "failed", str(error)))
                    continue
                file = str(message.file) if message.file else None
                book.sent.append(Sent(key, period, to, _now(), file, len(alerts[period])))
                _write(ws.root, book)  # at once: a crash later must not forget this send
                outcomes.append(Outcome(schedule.id, period, to, "sent", file=file))
    return outcomes


def _chosen(book: Book, schedule_ids: Sequence[str]) -> list[Schedule]:
    if not schedule_ids:
        return list(book.schedules)
    known = {s.id: s for s in book.schedules}
    for wanted in schedule_ids:
        if wanted not in known:
            raise UserError(
                f"no schedule {wanted!r}{suggest(wanted, known)}; see 'salesmetrics schedule list'"
            )
    return [known[i] for i in dict.fromkeys(schedule_ids)]


def _message(
    ws: Workspace, schedule: Schedule, period: str, alerts: Alerts, *, alerts_only: bool
) -> Message:
    """The message of ``schedule`` for ``period``: the alerts, then (unless ``alerts_only``)
    the pack's summary, with the pack written to the packs folder."""
    what = f"{schedule.cadence} review" + (f" ({schedule.role})" if schedule.role else "")
    lines = [f"Alerts for {period} (against {alerts.compare_period or 'the period before'}):"]
    lines += [f"- {line}" for line in alerts.lines()] or ["- none"]
    summary: dict[str, Any] = {
        "title": f"Alerts, {period}" if alerts_only else f"Salesmetrics {what}, {period}",
        "period": period,
        "schedule": schedule.id,
        "alerts": [_alert_summary(a) for a in alerts.alerts],
    }
    if alerts_only:
        return Message(summary["title"], "\n".join(lines) + "\n", summary, None)
    from salesmetrics.reports import build_pack, write_pack

    pack = build_pack(
        ws, schedule.cadence, period, role=schedule.role, by=schedule.by, lang=schedule.lang
    )
    folder = ws.root / PACKS
    folder.mkdir(exist_ok=True)
    stem = f"review-{schedule.cadence}-{period}" + (f"-{schedule.role}" if schedule.role else "")
    file = Path(write_pack(pack, folder / f"{stem}.{schedule.format}"))
    title = str(getattr(pack, "title", "") or summary["title"])
    rows = pack.summary_rows() if hasattr(pack, "summary_rows") else []
    summary.update(title=title, file=file.name, summary=[_plain_row(r) for r in rows])
    lines += ["", f"{title}: summary", *(_summary_line(r) for r in rows)]
    lines += ["", f"The pack is attached ({file.name})."]
    return Message(title, "\n".join(lines) + "\n", summary, file)


def _alert_summary(alert: Any) -> dict[str, Any]:
    """An alert in a webhook summary: what, where, why, and how many deals behind it."""
    return {
        "metric": alert.metric,
        "name": alert.name,
        "group": alert.group,
        "value": alert.value,
        "previous": alert.previous,
        "reasons": list(alert.reasons),
        "deals": alert.deal_count,
        "top_deals": [d.get("opportunity_id") for d in alert.deals[:3] if d.get("opportunity_id")],
    }


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    from salesmetrics.metrics.result import plain

    return {str(k): plain(v) for k, v in row.items()}


def _summary_line(row: Mapping[str, Any]) -> str:
    name = row.get("name") or row.get("metric")
    value = row.get("value")
    status = row.get("status")
    shown = f"{value:,.4g}" if isinstance(value, int | float) else ("—" if value is None else value)
    return f"- {name}: {shown}" + (f" ({str(status).replace('_', ' ')})" if status else "")
