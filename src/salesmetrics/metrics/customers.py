"""Who is a customer, and when (metrics.md "Who is a customer, and when").

A *customer basis* describes each account's customer life as **spans**: rows
``(account_id, active_from, active_until)`` meaning "a customer on every day d with
active_from <= d < active_until" (``active_until`` null = still a customer). An account may have
several spans (it left and came back). Two probe dates per period say when "at start" and "at
end" are read. Everything else (lost, new, acquisition date, customers in a window) is derived
from spans and probes, set-based, by :func:`states`.

* :class:`DealBasis` (no recurring data): one span per account, from its first won deal's
  close date to ``accounts.churned_at``; at start = active on s, at end = active on e − 1 day.
* :class:`RecurringBasis` (subscriptions or invoice lines): an account is a customer in every
  month its MRR is > 0 (:mod:`salesmetrics.recurring`), one month-aligned span per run of active
  months; at start = active in the month before P, at end = active in the last month of P (the
  months of the MRR waterfall). :func:`choose_basis` picks it when the workspace has recurring
  data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import ibis
import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.incremental import PerKey
from salesmetrics.portable import as_int

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

#: An account's spans depend only on its own deals, account row and months of MRR.
PER_ACCOUNT = PerKey("account_id")


class CustomerBasis(Protocol):
    """How customer spans and the "at start"/"at end" probe dates are defined."""

    #: Shown as ``basis`` in the components of customer metrics.
    name: str
    #: True when every account has at most one span (lets :func:`states` skip a regroup).
    single_span: bool

    def spans(self, ctx: Context) -> ir.Table:
        """``account_id``, ``active_from`` (date), ``active_until`` (date or null, exclusive) and
        ``acquired_on`` (the account's acquisition date, the same on each of its spans)."""
        ...

    def active_spans(self, ctx: Context) -> ir.Table:
        """The spans without ``acquired_on``: ``account_id``, ``active_from`` and
        ``active_until`` (a span active on no day may be left out). What "a customer on a
        day" reads, so a reader of it alone does not read what only the acquisition date
        depends on (the recurring basis's won deals)."""
        ...

    def start_probe(self, spine: ir.Table) -> ir.DateValue:
        """The day "customers at start" of a spine period are read on."""
        ...

    def end_probe(self, spine: ir.Table) -> ir.DateValue:
        """The day "customers at end" of a spine period are read on."""
        ...

    def window_start_probe(self, spine: ir.Table) -> ir.DateValue:
        """The day "customers at start" of the 12 months ending at a period's end are read on."""
        ...

    def window_end_probe(self, spine: ir.Table) -> ir.DateValue:
        """The day "customers at end" of the 12 months ending at a period's end are read on."""
        ...


class DealBasis:
    """Customers from deals: first won deal's close date to ``accounts.churned_at``."""

    name = "first_won_deal"
    single_span = True

    def spans(self, ctx: Context) -> ir.Table:
        """One span per account that won a deal, from its first won deal's close date (also its
        acquisition date) to its churn date, if any."""
        opps = ctx.table("opportunities")
        won = opps.filter(
            (opps.status == "won") & opps.account_id.notnull() & opps.close_date.notnull()
        )
        first = won.group_by(account_id=won.account_id).aggregate(active_from=won.close_date.min())
        accounts = ctx.table("accounts")
        churn = accounts.select(_acc=accounts.account_id, _churned=accounts.churned_at)
        joined = first.left_join(churn, first.account_id == churn._acc)
        return joined.select(
            account_id=joined.account_id,
            active_from=joined.active_from,
            active_until=joined._churned,
            acquired_on=joined.active_from,
        )

    def active_spans(self, ctx: Context) -> ir.Table:
        """The spans without the acquisition date (which is their start here)."""
        return self.spans(ctx).drop("acquired_on")

    def start_probe(self, spine: ir.Table) -> ir.DateValue:
        """Customers at start: active on the period's first day."""
        return spine.start

    def end_probe(self, spine: ir.Table) -> ir.DateValue:
        """Customers at end: active on the period's last day."""
        return spine.last_day

    def window_start_probe(self, spine: ir.Table) -> ir.DateValue:
        """Active on the first day of the 12 months."""
        return spine.window_start

    def window_end_probe(self, spine: ir.Table) -> ir.DateValue:
        """Active on the last day of the 12 months (the period's last day)."""
        return spine.last_day


def _last_day_of_month_before(day: ir.DateValue) -> ir.DateValue:
    """The last day of the month before ``day``'s month."""
    return day.truncate("M") - ibis.interval(days=1)


class RecurringBasis:
    """Customers from recurring revenue: an account is a customer in each month its MRR is > 0.

    A span runs from the first day of the first month of a run of active months to the first day
    of the month after its last; a probe is the last day of a month, so "active on the probe" is
    "MRR > 0 in that month". At start = the month before the one P starts in, at end = the month
    before the one P ends in (for calendar periods: the month before P and the last month of P,
    exactly the months of :func:`salesmetrics.recurring.waterfall`). The acquisition date is
    the earlier of the first won deal's close date and the first day of the first month with MRR.
    """

    name = "recurring_mrr"
    single_span = False

    def spans(self, ctx: Context) -> ir.Table:
        """One span per run of consecutive months with MRR > 0, per account, through the last
        month of the spine (one query for the currency check, the spans stay an expression).

        The runs over the months of the data are materialised (``customer_runs_<source>``,
        with the run's first and last month index ``lo``, ``hi``; they read the recurring
        revenue only), and the spans with their acquisition dates from them
        (``customer_spans_<source>``, which reads the won deals too), then cut at the spine's
        last month: a run still active in the data's last month is extended to it (only running
        items remain). The acquisition dates come from the whole data: an account won before
        the spine's end whose MRR starts after it is acquired in its first won deal's period
        (:func:`_cut`), also when the spine ends before any month of MRR."""
        return self._spans(ctx, acquired=True)

    def active_spans(self, ctx: Context) -> ir.Table:
        """The runs of months with MRR > 0 as :meth:`spans` cuts them, without the acquisition
        dates: they read no deal (the empty spans :func:`_cut` adds are left out)."""
        return self._spans(ctx, acquired=False)

    def _spans(self, ctx: Context, *, acquired: bool) -> ir.Table:
        """:meth:`spans` (``acquired``) or :meth:`active_spans`."""
        from salesmetrics.recurring.months import month_index_of
        from salesmetrics.recurring.mrr import load, series_month_mrr, whole_series_month_mrr

        data = ctx.recurring
        if data.whole:
            whole_data, last = data, data.last_month
        elif data.materialised and data.data_last_month is not None:
            # the spine ends before the first month of MRR: no customer by MRR yet
            whole_data = load(ctx.ws, source=data.source, materialised=True)
            last = month_index_of(ctx.end_day - dt.timedelta(days=1))
        else:
            runs = _runs_of(series_month_mrr(data))
            return (_with_acquired(ctx, runs) if acquired else runs).drop("lo", "hi")

        def kept_runs() -> ir.Table:
            # asked for inside the spans' build too, so that growing the spans per account
            # reads the kept runs narrowed to the accounts written
            return whole_data.derived(
                "customer_runs", lambda: _runs_of(whole_series_month_mrr(whole_data))
            )

        whole = kept_runs()
        if acquired:
            whole = whole_data.derived(
                "customer_spans", lambda: _with_acquired(ctx, kept_runs()), grows=PER_ACCOUNT
            )
        data_last = data.data_last_month
        if last is None or data_last is None or last == data_last:
            return whole.drop("lo", "hi")
        return _cut(whole, last, data_last)

    def start_probe(self, spine: ir.Table) -> ir.DateValue:
        """Customers at start: MRR > 0 in the month before the period's first month."""
        return _last_day_of_month_before(spine.start)

    def end_probe(self, spine: ir.Table) -> ir.DateValue:
        """Customers at end: MRR > 0 in the period's last month."""
        return _last_day_of_month_before(spine.end)

    def window_start_probe(self, spine: ir.Table) -> ir.DateValue:
        """MRR > 0 in the month before the 12 months."""
        return _last_day_of_month_before(spine.window_start)

    def window_end_probe(self, spine: ir.Table) -> ir.DateValue:
        """MRR > 0 in the last month of the 12 months (the period's last month)."""
        return _last_day_of_month_before(spine.end)


def _runs_of(months: ir.Table) -> ir.Table:
    """The runs of consecutive months of the MRR rows ``months``
    (:func:`salesmetrics.recurring.mrr.series_month_mrr` per customer): ``account_id``,
    ``active_from``, ``active_until`` and the run's first and last month index ``lo``, ``hi``."""
    from salesmetrics.recurring.months import month_start

    order = ibis.window(group_by=months.account_id, order_by=months.month_index)
    runs = months.mutate(_run=months.month_index - ibis.row_number().over(order))
    runs = runs.group_by(["account_id", "_run"]).aggregate(
        lo=runs.month_index.min(), hi=runs.month_index.max()
    )
    return runs.select(
        "account_id",
        active_from=month_start(runs.lo),
        active_until=month_start(runs.hi + 1),
        lo=runs.lo,
        hi=runs.hi,
    )


def _with_acquired(ctx: Context, runs: ir.Table) -> ir.Table:
    """The spans of the runs ``runs`` (:func:`_runs_of`) with ``acquired_on``: the earlier of
    the account's first month of MRR and its first won deal's close date."""
    from salesmetrics.recurring.months import month_start

    first = runs.group_by(_f_account=runs.account_id).aggregate(_first=runs.lo.min())
    opps = ctx.table("opportunities")
    won = opps.filter(
        (opps.status == "won") & opps.account_id.notnull() & opps.close_date.notnull()
    )
    deals = won.group_by(_d_account=won.account_id).aggregate(_deal=won.close_date.min())
    firsts = first.left_join(deals, first._f_account == deals._d_account)
    mrr_first = month_start(firsts._first)
    firsts = firsts.select(
        _a_account=firsts._f_account,
        acquired_on=ibis.least(mrr_first, firsts._deal.fill_null(mrr_first)),
    )
    joined = runs.join(firsts, runs.account_id == firsts._a_account)
    return joined.select(
        "account_id", "active_from", "active_until", "acquired_on", lo=joined.lo, hi=joined.hi
    )


def _cut(spans: ir.Table, last: int, data_last: int) -> ir.Table:
    """Materialised spans (over the months of the data, to ``data_last``) as they are through
    month ``last``: the runs started by then, ending by it, or at it when they ran to the end
    of the data (after it only running items remain). The acquisition date does not change: it
    is the earlier of the first won deal and the first month of MRR over the whole data.

    An account whose MRR starts after ``last`` but that was acquired by then (a won deal before
    its first month of MRR) keeps an empty span (``active_from`` = ``active_until``, a customer
    on no day) carrying its acquisition date, so that it counts as acquired in its period.
    Runs without ``acquired_on`` (:meth:`RecurringBasis.active_spans`) are only cut."""
    from salesmetrics.recurring.months import month_start

    kept = spans.filter(spans.lo <= last)
    hi = ibis.ifelse(kept.hi == data_last, last, ibis.least(kept.hi, last))
    if "acquired_on" not in spans.columns:
        return kept.select("account_id", "active_from", active_until=month_start(hi + 1))
    runs = kept.select(
        "account_id",
        "active_from",
        active_until=month_start(hi + 1),
        acquired_on=kept.acquired_on,
    )
    later = spans.group_by("account_id").aggregate(
        lo=spans.lo.min(), acquired_on=spans.acquired_on.min()
    )
    later = later.filter((later.lo > last) & (later.acquired_on < month_start(last + 1)))
    first = month_start(later.lo)
    empty = later.select(
        "account_id", active_from=first, active_until=first, acquired_on="acquired_on"
    )
    return runs.union(empty)


def recurring_table(ctx: Context) -> str | None:
    """The recurring-revenue table this workspace reads (as
    :func:`salesmetrics.recurring.source.recurring_source`, from the inventory: no query), or
    None. With ``recurring_source = "auto"`` and both tables holding rows it is
    ``"subscriptions|invoice_lines"``: reading it raises the UserError asking to choose."""
    chosen = ctx.config.recurring_source
    if chosen != "auto":
        return chosen if ctx.inventory.has(chosen) else None
    present = [t for t in ("subscriptions", "invoice_lines") if ctx.inventory.has(t)]
    return "|".join(present) or None


def choose_basis(ctx: Context) -> CustomerBasis:
    """The customer basis for this workspace: the recurring basis when it has subscriptions or
    invoice lines (the table ``recurring_source`` reads holds rows), else deals."""
    if recurring_table(ctx) is not None:
        return RecurringBasis()
    return DealBasis()


def _active(spans: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    return (spans.active_from <= day) & (spans.active_until.isnull() | (spans.active_until > day))


FLAGS = ("at_start", "at_end", "window_at_start", "window_at_end", "window_active")


def states(ctx: Context, basis: CustomerBasis, dims: Sequence[str]) -> ir.Table:
    """One row per (period, account) ever a customer up to the period's end, with flags.

    Columns: ``period``, ``start``, ``end``, ``account_id``, the ``dim_*`` columns of ``dims``
    (from the account), ``at_start``, ``at_end``, ``acquired`` (acquisition date in P),
    ``acquired_on``, ``window_at_start`` (a customer on the first day of the 12 months ending at
    e), ``window_at_end`` (on e − 1 day) and ``window_active`` (a customer on some day of those
    12 months). Flags are 0/1 integers. The flags do not depend on the grouping: they are
    computed once per set of periods (:meth:`Context.shared`) and the dimensions joined to them.
    """
    flags = ctx.shared(f"customer_states_{basis.name}", lambda: _flags(ctx, basis))
    return with_customer_dims(ctx, flags, flags.account_id, dims)


def _flags(ctx: Context, basis: CustomerBasis) -> ir.Table:
    """The columns of :func:`states` but the dimensions, for every period of the spine."""
    spine = ctx.spine
    spans = basis.spans(ctx)
    # an account acquired (by a won deal) before its first span counts in the acquisition period
    known_from = ibis.least(spans.active_from, spans.acquired_on.fill_null(spans.active_from))
    grid = spine.join(spans, known_from < spine.end)
    window_active = (grid.active_from < grid.end) & (
        grid.active_until.isnull()
        | (grid.active_until > ibis.greatest(grid.active_from, grid.window_start))
    )
    flags = grid.mutate(
        at_start=as_int(_active(grid, basis.start_probe(grid))),
        at_end=as_int(_active(grid, basis.end_probe(grid))),
        window_at_start=as_int(_active(grid, basis.window_start_probe(grid))),
        window_at_end=as_int(_active(grid, basis.window_end_probe(grid))),
        window_active=as_int(window_active),
    )
    keys = ["period", "start", "end", "account_id", "acquired_on"]
    if basis.single_span:
        per_account = flags.select(*keys, *FLAGS)
    else:
        # An account with several spans is a customer on a day if any span says so.
        per_account = flags.group_by(keys).aggregate(**{f: flags[f].max() for f in FLAGS})
    return per_account.mutate(
        acquired=as_int(
            (
                (per_account.acquired_on >= per_account.start)
                & (per_account.acquired_on < per_account.end)
            ).fill_null(False)
        )
    )


def at_end(ctx: Context, basis: CustomerBasis, dims: Sequence[str]) -> ir.Table:
    """``period``, ``account_id`` and the ``dim_*`` columns of the customers at each period's
    end (one row per customer and period)."""
    spine = ctx.spine
    spans = basis.active_spans(ctx)
    probe = basis.end_probe(spine)
    # An open span ends on a far-future day rather than null: an OR in the join condition would
    # keep DuckDB from a range join (a nested loop over periods x spans).
    until = spans.active_until.fill_null(ibis.date(9999, 12, 31))
    rows = spine.join(spans, [spans.active_from <= probe, until > probe]).select(
        "period", "account_id"
    )
    if not basis.single_span:
        rows = rows.distinct()
    return with_customer_dims(ctx, rows, rows.account_id, dims)


def with_customer_dims(
    ctx: Context, table: ir.Table, account_id: ir.StringValue, dims: Sequence[str]
) -> ir.Table:
    """``table`` with the ``dim_*`` columns of a customer: everything from the account (rep =
    its owner; team and manager from that owner; region, segment and industry of the account);
    its channel is its first touch (:func:`first_touch`)."""
    wanted = [d for d in dims if d in gdims.CUSTOMER_DIMS]
    if not wanted:
        return table
    table = table.mutate(_c_key=account_id)
    if gdims.CHANNEL in wanted:
        touch = first_touch(ctx)
        touch = touch.select(_t_account=touch.account_id, dim_channel=touch.channel)
        table = table.left_join(touch, table._c_key == touch._t_account).drop("_t_account")
    wanted = [d for d in wanted if d != gdims.CHANNEL]
    if not wanted:
        return table.drop("_c_key")
    account = gdims.ACCOUNT
    accounts = ctx.table(account.table)
    right = accounts.select(
        _c_account=accounts[account.key],
        _c_owner=accounts[gdims.ACCOUNT_OWNER],
        **{gdims.col(d): accounts[account.columns[d]] for d in wanted if d in account.dims},
    )
    joined = table.left_join(right, table._c_key == right._c_account).drop("_c_account")
    rep_wanted = [d for d in wanted if d not in account.dims]
    joined = gdims.with_rep_dims(joined, ctx.table("reps"), joined._c_owner, rep_wanted)
    return joined.drop("_c_owner", "_c_key")


def first_touch(ctx: Context) -> ir.Table:
    """``(account_id, channel)``: each account's first-touch channel
    (:func:`salesmetrics.dims.first_touch`), materialised once per data version."""
    from salesmetrics.recurring.attributes import first_touch as touch

    return touch(ctx.ws)
