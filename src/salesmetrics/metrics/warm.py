"""Computing, right after an import, what the next answers will need.

An import changes the versions of the tables it writes, so every kept intermediate that reads
them (whole-history tables, per-period component rows: :mod:`salesmetrics.derived`) is stale,
and the next evaluation would compute it again, as in a first session. :func:`warm` computes
them at the end of the import instead, once, so that every reader after it (each CLI command,
each dashboard of the web app) starts from kept intermediates. What it evaluates:

* the requests asked lately in this workspace (:meth:`Derived.remembered`, noted by the
  facade), so that the views people look at are ready again;
* when none is remembered (a new workspace, a demo just built, a cache removed): the reviews of
  the data's latest year (:func:`default_requests`), every metric by quarter and by month,
  company-wide. The by-team, by-rep, by-manager and by-region views of the additive families
  are summed up from the same per-period cubes, so they are ready too.

A request that is no longer valid (a metric or dimension that went away) is skipped: warming
is only a saving, and the import it follows has already committed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from salesmetrics import periods
from salesmetrics.errors import UserError
from salesmetrics.metrics.context import data_span, read_inventory
from salesmetrics.metrics.engine import evaluate
from salesmetrics.metrics.request import Request
from salesmetrics.periods import Grain

if TYPE_CHECKING:
    from salesmetrics.connection import Connection
    from salesmetrics.progress import Progress

#: The grains of the default reviews (the monthly and quarterly cadences of metrics.md).
DEFAULT_GRAINS = (Grain.QUARTER, Grain.MONTH)
#: The step name reported to a progress callback.
STEP = "computing for the next answers"


@dataclass
class Warmed:
    """What :func:`warm` did: the requests evaluated, those skipped (no longer valid, with
    why) and the seconds it took."""

    requests: list[Request] = field(default_factory=list)
    skipped: list[tuple[Request | dict[str, object], str]] = field(default_factory=list)
    seconds: float = 0.0


def default_requests(ws: Connection) -> list[Request]:
    """The reviews warmed when no request is remembered: every metric for the fiscal year of
    the data's last day, by quarter and by month (and the year before too when that day falls
    in the first half of its year: its reviews are still held); none without data."""
    ws.refresh()
    read_inventory(ws, [])  # the data version the kept data span is read under
    span = data_span(ws, [])
    if span is None:
        return []
    first, last = span.first, span.last
    fsm = ws.config.calendar
    years = [periods.label_of(last, Grain.YEAR, fiscal_start_month=fsm)]
    half_way = periods.grain_start(last, Grain.YEAR, fiscal_start_month=fsm) + dt.timedelta(182)
    if last < half_way:
        before = periods.grain_start(last, Grain.YEAR, fiscal_start_month=fsm) - dt.timedelta(1)
        if before >= first:
            years.insert(0, periods.label_of(before, Grain.YEAR, fiscal_start_month=fsm))
    return [Request.of(period=year, grain=grain) for year in years for grain in DEFAULT_GRAINS]


def remembered_requests(
    ws: Connection,
) -> tuple[list[Request], list[tuple[dict[str, object], str]]]:
    """The requests noted lately (oldest first), and the notes no longer valid with why."""
    found: list[Request] = []
    invalid: list[tuple[dict[str, object], str]] = []
    for data in ws.derived.remembered():
        try:
            found.append(Request.from_dict(data))
        except (UserError, TypeError, ValueError) as error:
            invalid.append((data, str(error)))
    return found, invalid


def warm(
    ws: Connection,
    requests: Sequence[Request] | None = None,
    *,
    progress: Progress | None = None,
) -> Warmed:
    """Evaluate ``requests`` (default: the remembered ones, else :func:`default_requests`) on
    the data as they are now, so that their intermediates are computed and kept."""
    started = time.perf_counter()
    ws.refresh()
    done = Warmed()
    if requests is None:
        found, invalid = remembered_requests(ws)
        done.skipped.extend(invalid)
        requests = found or default_requests(ws)
    for i, request in enumerate(requests):
        if progress is not None:
            progress(STEP, i, len(requests))
        try:
            evaluate(ws, request)
        except UserError as error:
            done.skipped.append((request, str(error)))
            continue
        done.requests.append(request)
    if progress is not None:
        progress(STEP, len(requests), len(requests))
    done.seconds = time.perf_counter() - started
    return done
