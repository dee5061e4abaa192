"""What the data-entry forms and their API routes write, and who may write it.

Each entry becomes rows of a canonical table written through the facade
(:meth:`Workspace.enter_rows`: validated as an import, one atomic batch; a bad value is a
one-line error and nothing is written); a target is a key of ``salesmetrics.toml``
(:meth:`Workspace.set_target`, validated as the configuration). The scope is the server's:

* **quotas**: admins and executives for any rep, a manager for the reps of their team;
* **time logs** (``activities``): a rep for themself, a manager for their team's reps, admins
  and executives for anyone;
* **forecasts**: a rep for themself, a manager for their team, an executive for the company,
  an admin for any level;
* **targets**: admins only.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from salesmetrics.errors import UserError
from salesmetrics.metrics.submissions import CATEGORIES, SUBMITTED_METHOD, Level, Member, rollup
from salesmetrics.web import desk as writes
from salesmetrics.web.access import ForbiddenError
from salesmetrics.web.desk import Desk, allow
from salesmetrics.web.users import Role, User
from salesmetrics.workspace import Workspace

#: The activity types the time-log form offers (any type the data model allows may be typed).
ACTIVITY_TYPES = (
    "call",
    "email",
    "meeting",
    "demo",
    "prospecting",
    "proposal",
    "admin",
    "internal_meeting",
    "training",
    "travel",
)
SCOPES = ("company", "team", "rep")


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _entry_id(prefix: str) -> str:
    return f"web-{prefix}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def amount(text: str | float | Decimal | None, field: str = "amount") -> Decimal:
    """A non-negative amount from a form's text; a one-line error otherwise."""
    try:
        value = Decimal(str(text).strip().replace(",", "")) if text not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise UserError(f"{field} {text!r}: not a number (e.g. 125000 or 125000.50)")
    if value < 0:
        raise UserError(f"{field} {text!r}: must not be negative")
    return value


def members_for(user: User, members: list[Member]) -> list[Member]:
    """The reps ``user`` may enter quotas and time logs for."""
    if user.role in (Role.ADMIN, Role.EXECUTIVE):
        return members
    if user.role is Role.MANAGER:
        return [m for m in members if m.team == user.team]
    return [m for m in members if m.rep_id == user.rep]


def _check_rep(user: User, members: list[Member], rep_id: str) -> None:
    if not any(m.rep_id == rep_id for m in members):
        raise UserError(f"no rep {rep_id!r}; choose one of the reps listed")
    if not any(m.rep_id == rep_id for m in members_for(user, members)):
        raise ForbiddenError(f"{user.role.value}s enter figures for their own scope, not {rep_id}")


def save_quota(
    desk: Desk, user: User, rep_id: str, period: str, value: str | float, currency: str = ""
) -> str:
    """A quota of ``rep_id`` for ``period`` (a period's first to last day); its batch id."""
    allow(user, Role.ADMIN, Role.EXECUTIVE, Role.MANAGER)
    number = amount(value)

    members, p = desk.read(lambda ws: (ws.roster(), ws.period(period)))
    _check_rep(user, members, rep_id)
    row = {
        "rep_id": rep_id,
        "period_start": p.start.isoformat(),
        "period_end": (p.end - dt.timedelta(days=1)).isoformat(),
        "amount": str(number),
        "currency": currency.strip().upper() or None,
    }
    batch: str = desk.write(writes.enter_rows, "quotas", [row], f"web form: quota by {user.email}")
    return batch


def save_time_log(
    desk: Desk,
    user: User,
    rep_id: str,
    started_at: str,
    minutes: str | float,
    kind: str,
    account_id: str = "",
    opportunity_id: str = "",
) -> str:
    """An activity (time log) of ``rep_id``; its batch id."""
    number = amount(minutes, "duration_minutes")
    if number <= 0:
        raise UserError(f"duration_minutes {minutes!r}: give the minutes spent, more than 0")
    if not started_at.strip():
        raise UserError("started_at: give the day and time the activity started")

    _check_rep(user, desk.read(lambda ws: ws.roster()), rep_id)
    row = {
        "activity_id": _entry_id("activity"),
        "rep_id": rep_id,
        "started_at": started_at.strip().replace("T", " "),
        "duration_minutes": str(number),
        "type": kind.strip().lower(),
        "account_id": account_id.strip() or None,
        "opportunity_id": opportunity_id.strip() or None,
    }
    source = f"web form: time log by {user.email}"
    batch: str = desk.write(writes.enter_rows, "activities", [row], source)
    return batch


def forecast_scope(user: User, scope: str | None, scope_id: str | None) -> tuple[str, str | None]:
    """The level ``user`` submits for: their own (a rep, a manager's team, an executive's
    company); an admin names one."""
    if user.role is Role.REP:
        wanted: tuple[str, str | None] = ("rep", user.rep)
    elif user.role is Role.MANAGER:
        wanted = ("team", user.team)
    elif user.role is Role.EXECUTIVE:
        wanted = ("company", None)
    else:
        chosen = (scope or "company").strip()
        if chosen not in SCOPES:
            raise UserError(f"scope {chosen!r}: use {', '.join(SCOPES)}")
        if chosen != "company" and not (scope_id or "").strip():
            raise UserError(f"a {chosen} forecast names its {chosen}: give scope_id")
        return chosen, None if chosen == "company" else (scope_id or "").strip()
    if scope not in (None, "") and (scope, scope_id or None) != wanted:
        raise ForbiddenError(
            f"{user.role.value}s submit the forecast of their own {wanted[0]}"
            + (f" ({wanted[1]})" if wanted[1] else "")
        )
    return wanted


@dataclass(frozen=True)
class Submitted:
    """What a forecast form saved."""

    period: str
    scope: str
    scope_id: str | None
    amounts: dict[str, Decimal]
    batch_id: str


def save_forecast(
    desk: Desk,
    user: User,
    period: str,
    amounts: dict[str, str | float | None],
    scope: str | None = None,
    scope_id: str | None = None,
) -> Submitted:
    """The commit / most likely / best case ``user`` submits for ``period`` (any of them; at
    least one), for their level (:func:`forecast_scope`)."""
    level, level_id = forecast_scope(user, scope, scope_id)
    given = {c: amount(v, c) for c, v in amounts.items() if v not in (None, "")}
    unknown = sorted(set(amounts) - set(CATEGORIES))
    if unknown:
        raise UserError(f"{', '.join(unknown)}: use {', '.join(CATEGORIES)}")
    if not given:
        raise UserError(f"give at least one of {', '.join(CATEGORIES)}")

    label, members = desk.read(lambda ws: (ws.period(period).label, ws.roster()))
    if level == "rep" and not any(m.rep_id == level_id for m in members):
        raise UserError(f"no rep {level_id!r}")
    stamp = _stamp()
    rows = [
        {
            "forecast_id": f"{SUBMITTED_METHOD}:{level}:{level_id or ''}:{label}:{c}:{stamp}",
            "scope": level,
            "scope_id": level_id,
            "period": label,
            "amount": str(v),
            "submitted_at": stamp,
            "category": c,
            "method": SUBMITTED_METHOD,
        }
        for c, v in given.items()
    ]
    source = f"web form: forecast by {user.email}"
    batch: str = desk.write(writes.enter_rows, "forecasts", rows, source)
    return Submitted(label, level, level_id, given, batch)


def forecast_rollup(desk: Desk, user: User, period: str) -> tuple[str, Level]:
    """The period's label and the roll-up ``user`` may see: admins and executives the company,
    a manager their team (and its reps), a rep their own submissions."""

    def read(ws: Workspace) -> tuple[str, list[Member], list]:  # type: ignore[type-arg]
        label, found = ws.submitted_forecasts(period)
        return label, ws.roster(), found

    label, members, found = desk.read(read)
    if user.role is Role.MANAGER:
        team = rollup(found, members, [user.team or ""])
        return label, team.children[0] if team.children else Level("team", user.team)
    if user.role is Role.REP:
        mine = rollup(found, [m for m in members if m.rep_id == user.rep])
        for node in mine.children:
            for rep in node.children:
                return label, rep
        return label, Level("rep", user.rep)
    return label, rollup(found, members)


def save_target(
    desk: Desk, user: User, metric: str, value: str | float | None, dim: str = "", group: str = ""
) -> None:
    """Set (an empty ``value`` removes) a target in ``salesmetrics.toml``."""
    allow(user, Role.ADMIN)
    number: float | None = None
    if value not in (None, ""):
        try:
            number = float(str(value).strip())
        except ValueError:
            number = float("nan")
        if not math.isfinite(number):
            raise UserError(f"target {value!r}: not a number (e.g. 0.3 for 30 %)")
    desk.write(writes.set_target, metric, number, dim.strip() or None, group.strip() or None)
