"""What every family query needs: the workspace, the period spine, and a query counter.

Every backend query of an evaluation goes through :meth:`Context.execute`, which counts it, so a
test (and the benchmark) can check that the number of queries is bounded by the number of
families, not by periods × groups × metrics (quality.md P6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import ibis
import ibis.expr.datatypes as idt
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from salesmetrics import inventory
from salesmetrics.backends import fetch_rows
from salesmetrics.kept import period_key
from salesmetrics.periods import Period, local_date

if TYPE_CHECKING:
    from salesmetrics.config import Config
    from salesmetrics.connection import Connection
    from salesmetrics.metrics.customers import CustomerBasis
    from salesmetrics.recurring.mrr import RecurringData

#: Columns of the spine memtable: the period and the dates derived from it.
SPINE_COLUMNS = ("period", "start", "end", "last_day", "window_start", "engagement_start")


@dataclass(frozen=True)
class Inventory:
    """What the workspace holds: rows per table and a few facts that choose a basis."""

    rows: dict[str, int]
    reps_with_dates: int

    def has(self, table: str) -> bool:
        """Whether ``table`` has rows."""
        return self.rows.get(table, 0) > 0

    def missing(self, tables: Sequence[str]) -> list[str]:
        """The tables of ``tables`` without rows; ``"a|b"`` (either table) is missing when
        neither has rows, and named "a or b"."""
        return [
            t.replace("|", " or ") for t in tables if not any(self.has(a) for a in t.split("|"))
        ]


#: A small result kept for the spine's periods (:meth:`Context.shared_frame`).
T = TypeVar("T")


_DAY = dt.timedelta(days=1)


def _year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def spine_frame(periods: Sequence[Period], engagement_window_days: int) -> pd.DataFrame:
    """The spine as a pandas frame: one row per period with its derived dates.

    ``last_day`` = end − 1 day (customers at end); ``window_start`` = end − 12 months (the
    12-month window of customer lifetime value); ``engagement_start`` = the start of the last
    ``engagement_window_days`` of the period (not before its start).
    """
    window = dt.timedelta(days=engagement_window_days)
    rows = [
        (p.label, p.start, p.end, p.end - _DAY, _year_before(p.end), max(p.end - window, p.start))
        for p in periods
    ]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(SPINE_COLUMNS)
    frame = pd.DataFrame({"period": pd.Series(list(columns[0]), dtype="str")})
    for name, days in zip(SPINE_COLUMNS[1:], columns[1:], strict=True):
        frame[name] = pd.Series(list(days), dtype=object)
    return frame


def spine_table(frame: pd.DataFrame) -> ir.Table:
    """The spine frame as an Ibis memtable with date columns."""
    arrow = pa.table(
        {
            "period": pa.array(frame["period"].astype(str).tolist(), pa.string()),
            **{name: pa.array(frame[name].tolist(), pa.date32()) for name in SPINE_COLUMNS[1:]},
        }
    )
    return ibis.memtable(arrow)


@dataclass
class Context:
    """One evaluation: workspace, spine, chosen bases, and the queries run so far."""

    ws: Connection
    periods: pd.DataFrame
    inventory: Inventory
    queries: list[str] = field(default_factory=list)
    seller_basis: str = "deal_owners"
    #: The contexts of subsets of the spine's periods (:meth:`restricted`), by period keys.
    _subsets: dict[tuple[str, ...], Context] = field(default_factory=dict, init=False, repr=False)
    _recurring: RecurringData | None = field(default=None, init=False, repr=False)

    @cached_property
    def customer_basis(self) -> CustomerBasis:
        """How customers are defined in this workspace (see
        :mod:`salesmetrics.metrics.customers`)."""
        from salesmetrics.metrics.customers import choose_basis

        return choose_basis(self)

    @property
    def customer_basis_name(self) -> str:
        """The name of :attr:`customer_basis`, as shown in components."""
        return self.customer_basis.name

    @property
    def config(self) -> Config:
        """The workspace configuration."""
        return self.ws.config

    @property
    def recurring(self) -> RecurringData:
        """The recurring-revenue data through the last day of the spine, loaded once (one small
        query) and shared, reading the whole-history tables materialised once per data version
        (see :mod:`salesmetrics.recurring.mrr`). Loaded while a family is computed for some
        units only (:attr:`salesmetrics.derived.Derived.partial`), its tables may be narrowed
        to them: then it is not kept."""
        from salesmetrics.recurring.mrr import load

        if self._recurring is not None:
            return self._recurring
        data = load(self.ws, through=self.end_day - dt.timedelta(days=1), materialised=True)
        if not self.ws.derived.partial:
            self._recurring = data
        return data

    @cached_property
    def spine(self) -> ir.Table:
        """The period spine as an Ibis table (see :data:`SPINE_COLUMNS`)."""
        return spine_table(self.periods)

    @property
    def first_day(self) -> dt.date:
        """The first day of the earliest period of the spine."""
        return self.periods["start"].min()  # type: ignore[no-any-return]

    @property
    def window_first_day(self) -> dt.date:
        """The earliest day any period or its 12-month window reads (customer lifetime value)."""
        return min(self.periods["window_start"].min(), self.first_day)  # type: ignore[no-any-return]

    @property
    def end_day(self) -> dt.date:
        """The day after the latest period of the spine."""
        return self.periods["end"].max()  # type: ignore[no-any-return]

    @cached_property
    def spine_key(self) -> tuple[tuple[str, dt.date, dt.date], ...]:
        """The spine's periods (label, start, end): what its other columns derive from, with the
        configuration, which is part of the data version anyway."""
        columns = [self.periods[c].tolist() for c in ("period", "start", "end")]
        return tuple(zip(*columns, strict=True))

    def shared(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """``build()`` materialised once for this spine's periods and the data version, then
        read by every evaluation of the same periods, whatever its grouping (see
        :mod:`salesmetrics.derived`). ``build`` must not depend on the grouping."""
        return self.ws.derived.get(name, build, scope=self.spine_key)

    @cached_property
    def period_keys(self) -> dict[str, str]:
        """The key of each spine period (:func:`salesmetrics.kept.period_key`) by label."""
        columns = [self.periods[c].tolist() for c in ("period", "start", "end")]
        return {label: period_key(label, s, e) for label, s, e in zip(*columns, strict=True)}

    def restricted(self, keys: Sequence[str]) -> Context:
        """This evaluation on the spine periods of ``keys`` (period keys) only: itself when they
        are all of them, else one context per set of keys (its own cached data and spine)."""
        if set(keys) >= set(self.period_keys.values()):
            return self
        key = tuple(sorted(keys))
        if key not in self._subsets:
            wanted = self.periods["period"].map(self.period_keys).isin(set(keys))
            periods = self.periods.loc[wanted].reset_index(drop=True)
            self._subsets[key] = Context(
                self.ws, periods, self.inventory, self.queries, self.seller_basis
            )
        return self._subsets[key]

    def shared_frame(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` (a small result: a frame, a family's component cube) kept for this
        spine's periods and the data version, like :meth:`shared`'s tables."""
        return self.ws.derived.frame(name, compute, scope=self.spine_key)

    def table(self, name: str) -> ir.Table:
        """Canonical table ``name``."""
        return self.ws.table(name)

    def local_date(self, ts: ir.TimestampValue) -> ir.DateValue:
        """The date of a stored (naive UTC) timestamp in the workspace timezone."""
        return local_date(ts, self.config.timezone, dialect=self.config.backend_scheme)

    def execute(self, expr: ir.Table, label: str) -> pd.DataFrame:
        """Run ``expr`` on the backend (one query, counted under ``label``)."""
        frame: pd.DataFrame = self.execute_arrow(expr, label).to_pandas()
        return frame

    def execute_arrow(self, expr: ir.Table, label: str) -> pa.Table:
        """Run ``expr`` on the backend (one query, counted under ``label``), as Arrow."""
        self.queries.append(label)
        table: pa.Table = self.ws.backend.to_pyarrow(expr)
        return table


def read_inventory(ws: Connection, queries: list[str]) -> Inventory:
    """Rows per canonical table and reps with employment dates, in one query
    (:mod:`salesmetrics.inventory`); the workspace's materialised intermediates are dropped
    when a table's version or the configuration changed since the last evaluation (see
    :mod:`salesmetrics.derived`)."""
    queries.append("inventory")
    ws.refresh()  # a reader sees a write swapped in since its last evaluation
    sql = inventory.inventory_sql(ws.config.backend_scheme, writes=ws.embedded)
    counts = inventory.read_counts(fetch_rows(ws.backend, sql))
    tables = counts.versions
    settings = ws.config.model_dump_json()
    ws.derived.refresh((tuple(sorted(tables.items())), settings), tables=tables, settings=settings)
    return Inventory(rows=counts.rows, reps_with_dates=counts.reps_with_dates)


#: The dated facts of the data: (table, column, is a timestamp). The data's *end* ("today" of the
#: workspace, metrics.md "previous period") is the latest of these dates, and ``all`` runs from
#: the earliest to it. Left out: expected close dates (an open deal's ``close_date``, every
#: history row's), scheduled ends (``subscriptions.end_date``, ``service_end``, a cost's
#: ``period_end``), plans rather than facts (quotas, forecast periods) and reference data
#: (``fx_rates``, the reps' employment dates).
FACT_DATES: tuple[tuple[str, str, bool], ...] = (
    ("opportunities", "created_at", True),
    ("opportunities", "close_date", False),  # won and lost deals only (see _fact_dates)
    ("opportunity_history", "changed_at", True),
    ("leads", "created_at", True),
    ("leads", "qualified_at", True),
    ("leads", "converted_at", True),
    ("accounts", "created_at", True),
    ("accounts", "churned_at", False),
    ("activities", "started_at", True),
    ("costs", "date", False),
    ("invoice_lines", "invoice_date", False),
    ("subscriptions", "start_date", False),
    ("engagement_events", "occurred_on", False),
    ("survey_responses", "submitted_at", True),
    ("forecasts", "submitted_at", True),
)


@dataclass(frozen=True)
class DataSpan:
    """The earliest and the latest date of any fact in the data (:data:`FACT_DATES`)."""

    first: dt.date
    last: dt.date

    @property
    def end(self) -> dt.date:
        """The day after the data ends: a period ending later runs past the data."""
        return self.last + _DAY


def _fact_dates(ws: Connection) -> ir.Table:
    """One row: ``lo`` and ``hi``, the earliest and latest fact date (null without facts)."""
    tz, scheme = ws.config.timezone, ws.config.backend_scheme
    parts = []
    for table, column, timestamp in FACT_DATES:
        t = ws.table(table)
        if (table, column) == ("opportunities", "close_date"):
            t = t.filter(t.status.isin(("won", "lost")))
        lo, hi = t[column].min(), t[column].max()
        if timestamp:
            # the local date of the extreme instant, not the extreme of every row's local date
            # (one conversion instead of one per row: the same day but where a clock goes back
            # across midnight, within that hour)
            lo, hi = local_date(lo, tz, dialect=scheme), local_date(hi, tz, dialect=scheme)
        nullable = idt.Date(nullable=True)  # key columns are NOT NULL: unify for the union
        parts.append(t.aggregate(lo=lo.cast(nullable), hi=hi.cast(nullable)))
    union = ibis.union(*parts)
    return union.aggregate(lo=union.lo.min(), hi=union.hi.max())


def data_span(ws: Connection, queries: list[str]) -> DataSpan | None:
    """The earliest and latest fact date of the data (None without any), read once per data
    version: materialised as a whole-history intermediate (:mod:`salesmetrics.derived`; kept
    between sessions on an embedded workspace) and its one row read once per session
    (counted as ``data span``)."""

    def read() -> DataSpan | None:
        table = ws.derived.get("data_span", lambda: _fact_dates(ws))
        queries.append("data span")
        rows = ws.backend.to_pyarrow(table).to_pylist()
        lo, hi = rows[0]["lo"], rows[0]["hi"]
        return None if lo is None or hi is None else DataSpan(lo, hi)

    return ws.derived.value("data_span", read)


def data_today(ws: Connection, queries: list[str]) -> dt.date | None:
    """The workspace's "today" (metrics.md, "previous period"): the last fact date of the data
    (:func:`data_span`: expected close dates, scheduled ends and plans do not count); None
    without data."""
    read_inventory(ws, queries)
    span = data_span(ws, queries)
    return None if span is None else span.last
