"""An independent, plain-pandas computation of every registered metric, straight from metrics.md
and data-model.md.

It shares no code with the engine: it reads the canonical tables into pandas (the only thing of
the product it touches is the workspace, to read them) and recomputes each metric per period and
group with loops and filters a reader can check against the spec line by line. The cross-check
test (test_crosscheck.py) compares it with the engine.

:data:`REFERENCES` maps every metric id to the function computing it: ``fn(data, period, by)``
gives ``{group key: value}``. A metric added to the registry needs an entry here (a test fails
without one). ``by`` is "" (company-wide), "team", "segment" or "region"; a group key is the
group's value as stored (:data:`NONE` for a missing value), followed by ``|stage`` or
``|question`` for the metrics broken down by those. A value is a number, None (undefined: a zero
denominator or missing inputs), :class:`Undefined` with a reason the engine must give too, or
:class:`Parts` (a value and components the engine must show as well).

Conventions restated here (metrics.md "Conventions"): a period is [s, e); a timestamp counts by
its date in the workspace timezone; amounts are converted at the latest rate on or before their
own date. Groups (metrics.md "Groups", and the entities that carry each dimension): deal, lead,
quota, activity and forecast facts take ``team`` and ``region`` from the owning rep and
``segment`` from the deal's account (a lead without an account: its own segment); customer,
recurring-revenue, engagement and recognized-revenue facts take ``team`` from the account's owner
and ``segment`` and ``region`` from the account; survey answers carry their own ``team`` only.
A fact kind that carries no value for a dimension (costs: none; quotas, sellers and activities:
no segment; surveys and forecasts: no segment nor region) gives one undefined row,
:data:`UNSUPPORTED`.

Survey groups are suppressed as the engine must (metrics.md, ``enps``): a group under the minimum
(``suppressed``), and by complementary suppression the next-smallest groups of its parent
(``complementary``). The marketing metrics ``--by channel`` (spend, cost per lead, CAC, LTV:CAC,
CAC payback with customers by deals, first touch) are :func:`compute_by_channel`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from salesmetrics.workspace import Workspace
from tests.recurring import reference as rr

NONE = "<none>"
#: The group key of the one row a metric gives for a dimension its facts do not carry.
UNSUPPORTED = "<n/a>"
BYS = ("", "team", "segment", "region")
TABLES = (
    "reps",
    "quotas",
    "accounts",
    "leads",
    "opportunities",
    "opportunity_history",
    "subscriptions",
    "invoice_lines",
    "costs",
    "activities",
    "forecasts",
    "engagement_events",
    "survey_responses",
    "fx_rates",
)
#: Tables also read as Python rows (dates, Decimals) for the parts computed exactly in cents.
EXACT = ("subscriptions", "invoice_lines", "fx_rates")
RATE_SCALE = 10**10  # fx_rates.rate has 10 decimals


@dataclass(frozen=True)
class Undefined:
    """An undefined value with the reason the engine must give too: ``unsupported`` (the facts
    carry no value for the dimension), ``suppressed`` (a survey group below the minimum) or
    ``complementary`` (a survey group hidden so that a smaller one cannot be derived)."""

    reason: str


@dataclass(frozen=True)
class Parts:
    """A value with components the engine's result must show as well (money or counts)."""

    value: float | None
    components: dict[str, float] = field(default_factory=dict)


Value = float | None | Undefined | Parts
Groups = dict[str, Value]


@dataclass(frozen=True)
class P:
    """A period [start, end) with its label."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def last(self) -> pd.Timestamp:
        return self.end - pd.Timedelta(days=1)

    @property
    def previous(self) -> P:
        """The quarter before (the periods checked are whole quarters)."""
        return P("prev", self.start - pd.DateOffset(months=3), self.start)

    @property
    def first_month(self) -> int:
        return month_index(self.start)

    @property
    def last_month(self) -> int:
        return month_index(self.last)


def period(label: str, start: dt.date, end: dt.date) -> P:
    return P(label, pd.Timestamp(start), pd.Timestamp(end))


def month_index(day: dt.date | pd.Timestamp) -> int:
    return day.year * 12 + day.month - 1


def month_start(k: int) -> pd.Timestamp:
    return pd.Timestamp(year=k // 12, month=k % 12 + 1, day=1)


def _key(value: Any) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    return NONE if missing else str(value)


def _div(n: float | None, d: float | None) -> float | None:
    if n is None or d is None or d == 0 or np.isnan(n) or np.isnan(d):
        return None
    return float(n / d)


def _round_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (denominator > 0) rounded half to even, in integers."""
    q, r = divmod(numerator, denominator)
    if 2 * r > denominator or (2 * r == denominator and q % 2):
        q += 1
    return q


def _half_away(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (denominator > 0) rounded half away from zero."""
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (2 * denominator))


class Data:
    """The workspace's tables as pandas frames, with dates as Timestamps and money in base, and
    the facts several metrics share (computed once)."""

    def __init__(self, ws: Workspace) -> None:
        self.config = ws.config
        self.base = ws.config.base_currency.upper()
        self.t: dict[str, pd.DataFrame] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}
        for name in TABLES:
            self.t[name] = ws.duckdb.execute(f'SELECT * FROM "{name}"').df()
        for name in EXACT:
            cursor = ws.duckdb.execute(f'SELECT * FROM "{name}"')
            columns = [d[0] for d in cursor.description]
            self.records[name] = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
        self.fx = (
            self.t["fx_rates"]
            .assign(
                currency=lambda f: f["currency"].str.upper().str.strip(),
                date=lambda f: pd.to_datetime(f["date"]),
                rate=lambda f: f["rate"].astype(float),
            )
            .sort_values("date")
        )
        reps = self.t["reps"]
        self.rep_team = dict(zip(reps["rep_id"], reps["team"], strict=True))
        self.rep_region = dict(zip(reps["rep_id"], reps["region"], strict=True))
        accounts = self.t["accounts"]
        self.account_segment = dict(zip(accounts["account_id"], accounts["segment"], strict=True))
        self.account_region = dict(zip(accounts["account_id"], accounts["region"], strict=True))
        self.account_owner = dict(zip(accounts["account_id"], accounts["owner_id"], strict=True))
        self.memo: dict[Any, Any] = {}
        self._prepare()

    # -- helpers ---------------------------------------------------------------------------

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def local(self, ts: pd.Series) -> pd.Series:
        """Dates of naive-UTC timestamps in the workspace timezone."""
        ts = pd.to_datetime(ts)
        return (
            ts.dt.tz_localize("UTC")
            .dt.tz_convert(self.config.timezone)
            .dt.tz_localize(None)
            .dt.normalize()
        )

    def instant(self, day: pd.Timestamp) -> pd.Timestamp:
        """The naive UTC instant at which ``day`` starts in the workspace timezone."""
        return day.tz_localize(self.config.timezone).tz_convert("UTC").tz_localize(None)

    def to_base(self, frame: pd.DataFrame, amount: str, currency: str, day: str) -> pd.Series:
        """``amount`` in the base currency at the latest rate on or before ``day``."""
        cur = frame[currency].fillna("").astype(str).str.upper().str.strip()
        cur = cur.where(cur != "", self.base)
        out = pd.Series(np.nan, index=frame.index)
        is_base = cur == self.base
        out[is_base] = frame.loc[is_base, amount].astype(float)
        foreign = frame.loc[~is_base & frame[amount].notna()].assign(_cur=cur, _day=frame[day])
        if len(foreign):
            foreign = foreign.reset_index().sort_values("_day")
            merged = pd.merge_asof(
                foreign,
                self.fx[["date", "currency", "rate"]],
                left_on="_day",
                right_on="date",
                left_by="_cur",
                right_by="currency",
                direction="backward",
            )
            if merged["rate"].isna().any():
                raise LookupError("a foreign amount has no rate")
            out[merged["index"].to_numpy()] = (
                merged[amount].astype(float) * merged["rate"]
            ).to_numpy()
        return out

    def team_of(self, rep_ids: pd.Series) -> pd.Series:
        """The team of each rep id."""
        return rep_ids.map(lambda r: self.rep_team.get(r) if isinstance(r, str) else None)

    def rep_groups(self, rep_ids: pd.Series) -> dict[str, Any]:
        """team and region of the rep ``rep_ids`` (no segment: a rep has none)."""
        return {
            "team": rep_ids.map(lambda r: self.rep_team.get(r) if isinstance(r, str) else None),
            "region": rep_ids.map(lambda r: self.rep_region.get(r) if isinstance(r, str) else None),
        }

    def account_segments(self, account_ids: pd.Series) -> pd.Series:
        return account_ids.map(
            lambda a: self.account_segment.get(a) if isinstance(a, str) else None
        )

    def deal_groups(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (owner_id, account_id) with team/region of the owner, segment of the
        account."""
        return frame.assign(
            **self.rep_groups(frame["owner_id"]),
            segment=self.account_segments(frame["account_id"]),
        )

    def customer_groups(self, frame: pd.DataFrame, account: str = "account_id") -> pd.DataFrame:
        """``frame`` with team (of the account's owner), segment and region of the account."""
        ids = frame[account]
        owner = ids.map(lambda a: self.account_owner.get(a) if isinstance(a, str) else None)
        return frame.assign(
            team=owner.map(lambda r: self.rep_team.get(r) if isinstance(r, str) else None),
            segment=self.account_segments(ids),
            region=ids.map(lambda a: self.account_region.get(a) if isinstance(a, str) else None),
        )

    def _prepare(self) -> None:
        opps = self.t["opportunities"].copy()
        opps["close_date"] = pd.to_datetime(opps["close_date"])
        opps["created_day"] = self.local(opps["created_at"])
        opps = self.deal_groups(opps)
        closed = opps["status"].isin(["won", "lost"]) & opps["close_date"].notna()
        opps["amount_base"] = np.nan
        opps.loc[closed, "amount_base"] = self.to_base(
            opps[closed], "amount", "currency", "close_date"
        )
        self.opps = opps

        leads = self.t["leads"].copy()
        leads["created_day"] = self.local(leads["created_at"])
        leads["qualified_day"] = self.local(leads["qualified_at"])
        leads = leads.assign(**self.rep_groups(leads["owner_id"]))
        leads["segment"] = self.account_segments(leads["account_id"]).fillna(leads["segment"])
        won_ids = set(opps.loc[opps["status"] == "won", "opportunity_id"])
        linked = set(opps["lead_id"].dropna())
        won_linked = set(opps.loc[opps["status"] == "won", "lead_id"].dropna())
        leads["converted"] = (
            leads["converted_at"].notna()
            | leads["opportunity_id"].notna()
            | (leads["status"] == "converted")
            | leads["lead_id"].isin(linked)
        )
        leads["won"] = leads["opportunity_id"].isin(won_ids) | leads["lead_id"].isin(won_linked)
        self.leads = leads

        won = opps[(opps["status"] == "won") & opps["account_id"].notna()]
        self.first_won = won.groupby("account_id")["close_date"].min().rename("first_won")
        self.won_by_account = won


def _by(frame: pd.DataFrame, by: str) -> pd.Series:
    """The group key of each row ("" company-wide)."""
    if not by:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[by].map(_key)


def _sums(frame: pd.DataFrame, by: str, column: str | None = None) -> dict[str, float]:
    keys = _by(frame, by)
    if column is None:
        return {k: float(v) for k, v in frame.groupby(keys).size().items()}
    return {k: float(v) for k, v in frame.groupby(keys)[column].sum().items()}


def _g(d: dict[str, float], k: str) -> float:
    return d.get(k, 0.0)


def _unsupported() -> Groups:
    return {UNSUPPORTED: Undefined("unsupported")}


# -- deals -----------------------------------------------------------------------------------


def deals(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Revenue, deal conversion and sales cycle (deals won, lost and created in P)."""
    opps = data.opps
    in_p = (opps["close_date"] >= p.start) & (opps["close_date"] < p.end)
    won = opps[in_p & (opps["status"] == "won")]
    lost = opps[in_p & (opps["status"] == "lost")]
    prev = p.previous
    in_prev = (opps["close_date"] >= prev.start) & (opps["close_date"] < prev.end)
    won_prev = opps[in_prev & (opps["status"] == "won")]
    n_won, n_lost = _sums(won, by), _sums(lost, by)
    amt_won = _sums(won, by, "amount_base")
    amt_lost = _sums(lost.dropna(subset=["amount"]), by, "amount_base")
    amt_prev = _sums(won_prev, by, "amount_base")
    cyc = won.dropna(subset=["created_day"])
    cyc = cyc.assign(days=(cyc["close_date"] - cyc["created_day"]).dt.days)
    cyc_sum, cyc_n = _sums(cyc, by, "days"), _sums(cyc, by)
    created = opps[(opps["created_day"] >= p.start) & (opps["created_day"] < p.end)]
    n_created, n_created_won = _sums(created, by), _sums(created[created["status"] == "won"], by)
    groups = set(n_won) | set(n_lost) | set(n_created) | set(amt_prev)
    return {
        "total_revenue": {k: round(_g(amt_won, k), 2) for k in groups},
        "revenue_growth": {
            k: _div(_g(amt_won, k) - _g(amt_prev, k), _g(amt_prev, k)) for k in groups
        },
        "average_deal_size": {k: _div(_g(amt_won, k), _g(n_won, k)) for k in groups},
        "win_rate": {k: _div(_g(n_won, k), _g(n_won, k) + _g(n_lost, k)) for k in groups},
        "win_rate_by_value": {
            k: _div(_g(amt_won, k), _g(amt_won, k) + _g(amt_lost, k)) for k in groups
        },
        "sales_cycle_length": {k: _div(_g(cyc_sum, k), _g(cyc_n, k)) for k in groups},
        "opportunity_conversion_rate": {
            k: _div(_g(n_created_won, k), _g(n_created, k)) for k in groups
        },
        "_won_amount": amt_won,
        "_won": n_won,
        "_lost": n_lost,
        "_cycle_days": cyc_sum,
        "_cycle_n": cyc_n,
    }


def leads(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Lead conversion (cohort of leads created in P), qualified leads and pipeline velocity."""
    lds = data.leads
    cohort = lds[(lds["created_day"] >= p.start) & (lds["created_day"] < p.end)]
    qual = lds[(lds["qualified_day"] >= p.start) & (lds["qualified_day"] < p.end)]
    created, conv = _sums(cohort, by), _sums(cohort[cohort["converted"]], by)
    won, n_qual = _sums(cohort[cohort["won"]], by), _sums(qual, by)
    groups = set(created) | set(n_qual)
    d: Any = family(data, "deals", p, by)
    velocity = {
        k: _velocity(
            _g(n_qual, k),
            _g(d["_won"], k),
            _g(d["_lost"], k),
            _g(d["_won_amount"], k),
            _g(d["_cycle_days"], k),
            _g(d["_cycle_n"], k),
        )
        for k in groups | set(d["total_revenue"])
    }
    return {
        "lead_conversion_rate": {k: _div(_g(conv, k), _g(created, k)) for k in groups},
        "lead_to_customer_rate": {k: _div(_g(won, k), _g(created, k)) for k in groups},
        "qualified_leads": {k: _g(n_qual, k) for k in groups},
        "pipeline_velocity": velocity,
    }


def _velocity(q: float, won: float, lost: float, amount: float, days: float, n: float) -> Any:
    rate, size, cycle = _div(won, won + lost), _div(amount, won), _div(days, n)
    if rate is None or size is None or cycle is None or cycle == 0:
        return None
    return q * rate * size / cycle


# -- recurring revenue -----------------------------------------------------------------------


@dataclass
class Recurring:
    """Customer MRR in cents per month index (only months > 0), and each account's first."""

    mrr: dict[str, dict[int, int]]
    first: dict[str, int]

    def at(self, month: int) -> dict[str, int]:
        return {a: m[month] for a, m in self.mrr.items() if month in m}


def recurring_source(data: Data) -> str | None:
    """The table recurring revenue comes from (config ``recurring_source``; ``auto``: the one
    that has rows), None without recurring data."""
    chosen = data.config.recurring_source
    if chosen != "auto":
        return chosen if data.records[chosen] else None
    present = [t for t in ("subscriptions", "invoice_lines") if data.records[t]]
    assert len(present) < 2, "both recurring tables hold rows: the engine asks to choose"
    return present[0] if present else None


def recurring(data: Data) -> Recurring | None:
    """MRR per customer and month (metrics.md "Recurring revenue"), from the spec: an item
    counts in a month when it is active on the month's last day; a customer's MRR is the sum of
    its items; the first month is the first with MRR > 0."""

    def build() -> Recurring | None:
        source = recurring_source(data)
        if source is None:
            return None
        rates = rr.Rates(data.records["fx_rates"])
        rows = data.records[source]
        items = (
            rr.subscription_items(rows, rates, data.base)
            if source == "subscriptions"
            else rr.line_items(rows, rates, data.base)
        )
        hi = max(month_index(i.end or i.start) for i in items) + 1
        sums: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for i in items:
            first = month_index(i.start)
            # active on the last day of month m: start <= last day (always, from its own
            # month on) and last day < end, i.e. every month before the end's month
            stop = hi if i.end is None else month_index(i.end) - 1
            cents = int(i.mrr * 100)
            for m in range(first, stop + 1):
                sums[i.account_id][m] += cents
        mrr = {a: {m: c for m, c in by_m.items() if c > 0} for a, by_m in sums.items()}
        mrr = {a: m for a, m in mrr.items() if m}
        return Recurring(mrr, {a: min(m) for a, m in mrr.items()})

    out: Recurring | None = data.cached("recurring", build)
    return out


MOVES = ("new", "reactivation", "expansion", "contraction", "churn")


def _account_frame(data: Data, rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return data.customer_groups(frame) if len(frame) else frame


def recurring_metrics(data: Data, p: P, by: str) -> dict[str, Groups]:
    """MRR, ARR, the movements of the months of P, NRR, GRR, revenue churn, quick ratio, ARPA
    and MRR growth."""
    r = recurring(data)
    assert r is not None
    start_m, end_m = p.first_month - 1, p.last_month
    rows = []
    for account, by_month in r.mrr.items():
        start, end = by_month.get(start_m, 0), by_month.get(end_m, 0)
        moves = dict.fromkeys(MOVES, 0)
        for m in range(p.first_month, end_m + 1):
            cur, prev = by_month.get(m, 0), by_month.get(m - 1, 0)
            if prev == 0 and cur > 0:
                moves["reactivation" if r.first[account] < m else "new"] += cur
            elif prev > 0 and cur > 0:
                moves["expansion" if cur > prev else "contraction"] += abs(cur - prev)
            elif prev > 0:
                moves["churn"] += prev
        if start or end or any(moves.values()):
            rows.append(
                {
                    "account_id": account,
                    "start": start,
                    "end": end,
                    **moves,
                    "customers_end": int(end > 0),
                    "kept": end if start else 0,
                    "kept_capped": min(start, end) if start else 0,
                }
            )
    frame = _account_frame(data, rows)
    out: dict[str, Groups] = defaultdict(dict)
    if not len(frame):
        return out
    for k, g in frame.groupby(_by(frame, by)):
        s = {c: int(g[c].sum()) for c in ("start", "end", *MOVES, "kept", "kept_capped")}
        n_end = int(g["customers_end"].sum())
        out["mrr"][k] = s["end"] / 100
        out["arr"][k] = 12 * s["end"] / 100
        for move in MOVES:
            out[f"mrr_{move}"][k] = s[move] / 100
        out["net_revenue_retention"][k] = _div(s["kept"], s["start"])
        out["gross_revenue_retention"][k] = _div(s["kept_capped"], s["start"])
        out["revenue_churn_rate"][k] = _div(s["churn"] + s["contraction"], s["start"])
        out["quick_ratio"][k] = _div(
            s["new"] + s["reactivation"] + s["expansion"], s["churn"] + s["contraction"]
        )
        out["arpa"][k] = None if n_end == 0 else round(s["end"] / 100 / n_end, 2)
        # metrics.md "Marketing": MRR of P's last month against MRR of the month before P
        out["mrr_growth_rate"][k] = _div(s["end"] - s["start"], s["start"])
    return out


def recognized_revenue(data: Data, p: P, by: str) -> Groups:
    """Recognized revenue (data-model.md, ``service_start``): a line of C cents over n days has
    round_half_even(C × k / n) cents recognized through its k-th day, and a period's share is
    the difference at its ends. A foreign line's exact share of each day (C / n) is converted at
    that day's rate (the latest on or before it), rounded to cents once per line and period."""
    lines = data.cached(("recognized", p.label), lambda: _recognized_lines(data, p))
    if not len(lines):
        return {}
    frame = data.customer_groups(lines)
    return {
        k: round(float(v) / 100, 2) for k, v in frame.groupby(_by(frame, by))["cents"].sum().items()
    }


def cents_through(cents: int, n: int, k: int) -> int:
    """Of a line of ``cents`` over ``n`` days, the cents recognized through its ``k``-th day
    (data-model.md): round_half_even(C × k / n)."""
    return _round_half_even(cents * k, n)


def _recognized_lines(data: Data, p: P) -> pd.DataFrame:
    rates = _daily_rates(data)
    s, e = p.start.date(), p.end.date()
    out = []
    for r in data.records["invoice_lines"]:
        first, last = r.get("service_start"), r.get("service_end")
        if not (first and last and last >= first):
            first = last = r.get("service_start") or r["invoice_date"]
        if last < s or first >= e:
            continue
        amount = Fraction(r["amount"])
        cents = _half_away(int(abs(amount) * 10_000), 100)
        n = (last - first).days + 1

        def through(k: int, c: int = cents, n: int = n) -> int:
            return cents_through(c, n, k)

        k_s = min(max((s - first).days, 0), n)
        k_e = min(max((e - first).days, 0), n)
        currency = (r.get("currency") or "").strip().upper() or data.base
        if currency == data.base:
            share = through(k_e) - through(k_s)
        else:
            # the line's exact daily share C / n at each day's rate, rounded once per line and
            # period (the engine's documented reading of "converted per day": the rounded daily
            # cents do not form date ranges the engine could sum without expanding to days)
            rate_sum = sum(rates(currency, first + dt.timedelta(days=k)) for k in range(k_s, k_e))
            share = _half_away(cents * rate_sum, n * RATE_SCALE)
        sign = -1 if amount < 0 else 1
        out.append({"account_id": r["account_id"], "cents": sign * share})
    return pd.DataFrame(out, columns=["account_id", "cents"])


def _daily_rates(data: Data) -> Callable[[str, dt.date], int]:
    """The rate (× 1e10, an integer) of a currency on a day: the latest on or before it."""

    def build() -> Callable[[str, dt.date], int]:
        table: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for row in data.records["fx_rates"]:
            cur = row["currency"].strip().upper()
            scaled = int(Decimal(row["rate"]) * RATE_SCALE)
            table[cur][row["date"]] = max(scaled, table[cur].get(row["date"], scaled))
        ordered = {c: sorted(v.items()) for c, v in table.items()}
        memo: dict[tuple[str, dt.date], int] = {}

        def rate(currency: str, day: dt.date) -> int:
            key = (currency, day)
            if key not in memo:
                pairs = ordered.get(currency, [])
                before = [v for d, v in pairs if d <= day]
                if not before:
                    raise LookupError(f"no {currency} rate on or before {day}")
                memo[key] = before[-1]
            return memo[key]

        return rate

    out: Callable[[str, dt.date], int] = data.cached("daily_rates", build)
    return out


# -- customers -------------------------------------------------------------------------------


def customer_states(data: Data, p: P) -> pd.DataFrame:
    """One row per customer known by P's end: at start / at end, acquired in P, and the flags
    of the 12 months ending at e (metrics.md "Who is a customer, and when")."""
    r = recurring(data)
    window_start = p.end - pd.DateOffset(years=1)
    if r is not None:
        # A customer in each month its MRR is > 0; at start = the month before P, at end = P's
        # last month; acquired on the earlier of its first won deal and its first MRR month.
        rows = []
        w_first = month_index(window_start) - 1
        for account, by_month in r.mrr.items():
            first_mrr = month_start(r.first[account])
            deal = data.first_won.get(account)
            acquired = first_mrr if deal is None or pd.isna(deal) else min(first_mrr, deal)
            end_mrr = by_month.get(p.last_month, 0)
            rows.append(
                {
                    "account_id": account,
                    "acquired_on": acquired,
                    "start": p.first_month - 1 in by_month,
                    "end": end_mrr > 0,
                    "w_start": w_first in by_month,
                    "w_active": False,
                    "mrr_end": end_mrr / 100,
                }
            )
        frame = pd.DataFrame(rows)
        frame = frame[frame["acquired_on"] < p.end]
    else:
        # From the first won deal's close date until churned_at.
        accounts = data.t["accounts"].set_index("account_id")
        c = data.first_won.to_frame()
        churned = pd.to_datetime(accounts["churned_at"]).reindex(c.index)

        def active(day: pd.Timestamp) -> pd.Series:
            return (c["first_won"] <= day) & (churned.isna() | (churned > day))

        frame = pd.DataFrame(
            {
                "account_id": c.index,
                "acquired_on": c["first_won"].to_numpy(),
                "start": active(p.start).to_numpy(),
                "end": active(p.last).to_numpy(),
                "w_start": active(window_start).to_numpy(),
                "w_active": (
                    (c["first_won"] < p.end)
                    & (churned.isna() | (churned > c["first_won"].clip(lower=window_start)))
                ).to_numpy(),
                "mrr_end": 0.0,
            }
        )
        frame = frame[frame["acquired_on"] < p.end]
        won = data.won_by_account
        window = won[(won["close_date"] >= window_start) & (won["close_date"] < p.end)]
        revenue = window.groupby("account_id")["amount_base"].sum()
        frame["revenue"] = frame["account_id"].map(revenue).fillna(0.0)
    frame = frame.assign(
        acquired=(frame["acquired_on"] >= p.start) & (frame["acquired_on"] < p.end)
    )
    return data.customer_groups(frame.reset_index(drop=True))


def costs_in(data: Data, p: P) -> float:
    """Marketing and sales costs in P (spread by day over a cost's period)."""
    return float(cost_parts(data, p)["part"].sum())


def customers(data: Data, p: P, by: str) -> dict[str, Groups]:
    """New customers, churn, retention, lifetime value; CAC and what needs it company-wide."""
    cfg = data.config
    c = customer_states(data, p)
    is_recurring = recurring(data) is not None
    out: dict[str, Groups] = defaultdict(dict)
    per_year_all: dict[str, float | None] = {}
    clv_all: dict[str, float | None] = {}
    for k, g in c.groupby(_by(c, by)):
        start, end = int(g["start"].sum()), int(g["end"].sum())
        lost = int((g["start"] & ~g["end"]).sum())
        new = int((g["end"] & ~g["start"]).sum())
        out["new_customers"][k] = float(g["acquired"].sum())
        out["customer_churn_rate"][k] = _div(lost, start)
        out["net_customer_churn_rate"][k] = _div(lost - new, start)
        out["customer_retention_rate"][k] = _div(end - new, start)
        if is_recurring:
            arpa = _div(float(g.loc[g["end"], "mrr_end"].sum()), end)
            per_year = None if arpa is None else 12 * arpa
        else:
            per_year = _div(float(g["revenue"].sum()), float(g["w_active"].sum()))
        per_year_all[k] = per_year
        w_start = int(g["w_start"].sum())
        churn = _div(int((g["w_start"] & ~g["end"]).sum()), w_start)
        if cfg.customer_lifetime_years is not None:
            life: float | None = cfg.customer_lifetime_years
        elif churn is None:
            life = None
        else:
            cap = cfg.max_customer_lifetime_years
            life = cap if churn == 0 else min(1 / churn, cap)
        clv = None if per_year is None or life is None else per_year * life * cfg.gross_margin
        clv_all[k] = clv
        out["customer_lifetime_value"][k] = None if clv is None else round(clv, 2)
    if by:
        for metric in ("customer_acquisition_cost", "ltv_to_cac", "cac_payback_months"):
            out[metric] = _unsupported()
        return out
    new = float(c["acquired"].sum())
    cac = _div(costs_in(data, p), new)
    value = clv_all.get("")
    per = per_year_all.get("")
    out["customer_acquisition_cost"][""] = cac
    out["ltv_to_cac"][""] = None if value is None or cac is None else _div(value, cac)
    out["cac_payback_months"][""] = (
        None if cac is None or per is None else _div(cac, per / 12 * cfg.gross_margin)
    )
    return out


def engagement(data: Data, p: P, by: str) -> Groups:
    """Mean engagement score of the customers at end (metrics.md, customer_engagement_score)."""
    cfg = data.config
    c = customer_states(data, p)
    at_end = c[c["end"]].set_index("account_id")
    window_start = max(p.start, p.end - pd.Timedelta(days=cfg.engagement_window_days))
    ev = data.t["engagement_events"].copy()
    ev["occurred_on"] = pd.to_datetime(ev["occurred_on"])
    ev = ev[(ev["occurred_on"] >= window_start) & (ev["occurred_on"] < p.end)].copy()
    ev["n"] = ev["count"].fillna(1).astype(float)
    counts = ev.groupby(["account_id", "event"])["n"].sum()
    events = sorted(set(ev["event"]) | set(cfg.engagement_weights) | set(cfg.engagement_targets))
    scores: Groups = {}
    if not len(at_end):
        return scores
    matrix = pd.DataFrame(0.0, index=at_end.index, columns=events)
    for (account, event), n in counts.items():
        if account in matrix.index:
            matrix.loc[account, event] = n
    num = pd.Series(0.0, index=matrix.index)
    den = 0.0
    for event in events:
        target = cfg.engagement_targets.get(event)
        if target is None:
            target = float(np.quantile(matrix[event], 0.9)) if len(matrix) else 0.0
        weight = cfg.engagement_weights.get(event, 1.0)
        if target > 0 and weight > 0:
            num += weight * np.minimum(matrix[event] / target, 1.0)
            den += weight
    score = num * 100 / den if den > 0 else pd.Series(np.nan, index=matrix.index)
    frame = at_end.assign(score=score)
    for k, s in frame.groupby(_by(frame, by))["score"]:
        scores[k] = None if s.isna().all() else float(s.mean())
    return scores


# -- team ------------------------------------------------------------------------------------


def team(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Quota attainment, sellers (metrics.md "Who is a seller"), productivity, activities."""
    cfg = data.config
    quotas = data.t["quotas"].copy()
    reps = data.t["reps"].copy()
    opps = data.opps
    won = opps[
        (opps["status"] == "won") & (opps["close_date"] >= p.start) & (opps["close_date"] < p.end)
    ]
    if len(quotas):
        for col in ("period_start", "period_end"):
            quotas[col] = pd.to_datetime(quotas[col])
        quotas["base"] = data.to_base(quotas, "amount", "currency", "period_start")
        first = quotas["period_start"].clip(lower=p.start)
        last = quotas["period_end"].clip(upper=p.last)
        overlap = (last - first).dt.days + 1
        window = (quotas["period_end"] - quotas["period_start"]).dt.days + 1
        q = quotas[overlap > 0].assign(part=lambda f: f["base"] * overlap / window)
        per_rep = q.groupby("rep_id")["part"].sum().rename("quota").to_frame()
        won_by_rep = won.groupby("owner_id")["amount_base"].sum()
        per_rep["won"] = won_by_rep.reindex(per_rep.index).fillna(0.0)
    else:
        hired = pd.to_datetime(reps["hired_on"])
        left = pd.to_datetime(reps["left_on"])
        if (hired.notna() | left.notna()).any():
            active = (hired.isna() | (hired < p.end)) & (left.isna() | (left >= p.start))
            ids = reps.loc[active, "rep_id"]
        else:
            closed = opps[
                opps["status"].isin(["won", "lost"])
                & (opps["close_date"] >= p.start)
                & (opps["close_date"] < p.end)
            ]
            ids = closed["owner_id"].dropna().drop_duplicates()
        per_rep = pd.DataFrame({"quota": 0.0, "won": 0.0}, index=pd.Index(ids, name="rep_id"))
    out: dict[str, Groups] = {}
    team_metrics = ("quota_attainment", "quota_attainment_rate", "sales_rep_productivity")
    activity_metrics = ("time_spent_selling", "activities_per_rep")
    if by == "segment":  # sellers, quotas and activities carry no segment
        return {m: _unsupported() for m in (*team_metrics, *activity_metrics)}
    per_rep = per_rep.assign(**data.rep_groups(per_rep.index.to_series()))
    keys = _by(per_rep, by)
    sellers = per_rep.groupby(keys).size().astype(float)
    has_quota = per_rep["quota"] > 0
    quota_sum = per_rep.groupby(keys)["quota"].sum()
    won_sum = per_rep.groupby(keys)["won"].sum()
    with_quota = has_quota.groupby(keys).sum()
    reached = (has_quota & (per_rep["won"] >= per_rep["quota"])).groupby(keys).sum()
    revenue = _sums(won, by, "amount_base")
    groups = set(sellers.index) | set(revenue)
    if len(data.t["quotas"]):
        out["quota_attainment"] = {
            k: _div(won_sum.get(k, 0.0), quota_sum.get(k, 0.0)) for k in sellers.index
        }
        out["quota_attainment_rate"] = {
            k: _div(reached.get(k, 0), with_quota.get(k, 0)) for k in sellers.index
        }
    out["sales_rep_productivity"] = {
        k: _div(revenue.get(k, 0.0), float(sellers.get(k, 0.0))) for k in groups
    }

    acts = data.t["activities"].copy()
    acts["day"] = data.local(acts["started_at"])
    acts = acts[(acts["day"] >= p.start) & (acts["day"] < p.end)].copy()
    selling_types = {t.lower() for t in cfg.selling_activity_types}
    by_type = acts["type"].str.lower().str.strip().isin(selling_types)
    acts["selling"] = acts["is_selling"].astype(object).where(acts["is_selling"].notna(), by_type)
    acts["selling"] = acts["selling"].astype(bool)
    acts = acts.assign(**data.rep_groups(acts["rep_id"]))
    keys = _by(acts, by)
    selling_minutes = acts["duration_minutes"].where(acts["selling"], 0.0).groupby(keys).sum()
    logged = acts["duration_minutes"].groupby(keys).sum()
    n_selling = acts["selling"].groupby(keys).sum()
    out["time_spent_selling"] = {
        k: _div(selling_minutes.get(k, 0.0), logged.get(k, 0.0)) for k in logged.index
    }
    out["activities_per_rep"] = {
        k: _div(float(n_selling.get(k, 0)), float(sellers.get(k, 0.0))) for k in logged.index
    }
    out["_quota"] = {k: float(quota_sum.get(k, 0.0)) for k in sellers.index}
    return out


# -- surveys ---------------------------------------------------------------------------------


def suppressed_groups(counts: dict[str, int], minimum: int) -> tuple[set[str], set[str]]:
    """Of the groups of one parent (a period, and a question), the suppressed ones by each
    rule (metrics.md, ``enps``), as ``(primary, complementary)``: groups under ``minimum`` are
    suppressed; while a suppressed group has respondents and the suppressed groups hold fewer
    than ``minimum`` together, the smallest group still shown (ties: the engine's result
    order, a missing group first) is suppressed too."""
    primary = {k for k, n in counts.items() if n < minimum}
    complementary: set[str] = set()
    if any(counts[k] > 0 for k in primary):
        while sum(counts[k] for k in primary | complementary) < minimum:
            rest = [k for k in counts if k not in primary | complementary]
            if not rest:
                break
            complementary.add(min(rest, key=lambda k: (counts[k], "" if k == NONE else k)))
    return primary, complementary


def _suppressed(counts: dict[str, int], minimum: int) -> dict[str, Undefined]:
    """The suppressed groups of one parent, each with its reason."""
    primary, complementary = suppressed_groups(counts, minimum)
    return {
        **{k: Undefined("suppressed") for k in primary},
        **{k: Undefined("complementary") for k in complementary},
    }


def surveys(data: Data, p: P, by: str) -> dict[str, Groups]:
    """eNPS and pulse scores of the answers submitted in P (the latest per respondent, survey
    and question); a group under ``min_survey_group`` respondents is suppressed, and so, by
    complementary suppression, are the next-smallest groups of its parent (the period, and a
    pulse question) while the suppressed ones hold fewer than the minimum together."""
    if by in ("segment", "region"):  # an answer carries its team only
        return {"enps": _unsupported(), "pulse_score": _unsupported()}
    answers = data.t["survey_responses"].copy()
    answers["day"] = data.local(answers["submitted_at"])
    answers = answers[(answers["day"] >= p.start) & (answers["day"] < p.end)].copy()
    answers["question"] = answers["question_id"].str.lower().str.strip()
    answers["who"] = answers["respondent_id"].fillna("~" + answers["response_id"])
    answers = answers.sort_values(["submitted_at", "response_id"], ascending=False)
    latest = answers.drop_duplicates(["survey_id", "who", "question"])
    minimum = data.config.min_survey_group
    enps = latest[latest["question"] == "enps"]
    parts = dict(list(enps.groupby(_by(enps, by))))
    hidden = _suppressed({k: len(part) for k, part in parts.items()}, minimum)
    values: Groups = {}
    for k, part in parts.items():
        n = len(part)
        promoters, detractors = (part["score"] >= 9).sum(), (part["score"] <= 6).sum()
        values[k] = hidden.get(k, float(100 * (promoters - detractors) / n))
    pulse = latest[latest["question"] != "enps"]
    pulse_values: Groups = {}
    for question, answers_q in pulse.groupby("question"):
        parts = dict(list(answers_q.groupby(_by(answers_q, by))))
        hidden = _suppressed({k: len(part) for k, part in parts.items()}, minimum)
        for k, part in parts.items():
            pulse_values[f"{k}|{question}"] = hidden.get(k, float(part["score"].mean()))
    return {"enps": values, "pulse_score": pulse_values}


# -- the open pipeline (as of the period's start and end) ------------------------------------


def states_at(data: Data, when: pd.Timestamp) -> pd.DataFrame:
    """Every opportunity existing at instant ``when`` (naive UTC) in its state then
    (data-model.md, opportunity_history): its last history row at or before ``when``; before
    its first change the first row's state; without history its current row. A history value
    left empty is the current row's (an empty status first derived from the row's stage)."""
    hist = data.cached("history_sorted", lambda: _history(data))
    opps = data.t["opportunities"].set_index("opportunity_id")
    first = hist.groupby("opportunity_id").head(1).set_index("opportunity_id")
    upto = hist[hist["changed_at"] <= when].groupby("opportunity_id").tail(1)
    upto = upto.set_index("opportunity_id")
    created = pd.to_datetime(opps["created_at"])
    has_history = opps.index.isin(first.index)
    first_at = first["changed_at"].reindex(opps.index)
    exists = (created <= when) | (first_at <= when) | (created.isna() & ~has_history)
    state = opps[exists.to_numpy()].copy()
    for col in ("stage", "status", "amount", "close_date", "probability"):
        src = upto[col].reindex(state.index)
        src = src.where(state.index.isin(upto.index), first[col].reindex(state.index))
        state[col] = src.astype(object).where(src.notna(), state[col])
    state["close_date"] = pd.to_datetime(state["close_date"])
    state["amount"] = pd.to_numeric(state["amount"])
    state["probability"] = pd.to_numeric(state["probability"])
    state = state.reset_index()
    # a deal's value in base currency at its close date (without one: the probe's day), in cents
    state["_day"] = state["close_date"].fillna(when.normalize())
    state["value"] = data.to_base(state, "amount", "currency", "_day").round(2)
    return data.deal_groups(state).set_index("opportunity_id")


def _history(data: Data) -> pd.DataFrame:
    hist = data.t["opportunity_history"].copy()
    hist["changed_at"] = pd.to_datetime(hist["changed_at"])
    low = hist["stage"].str.lower()
    derived = pd.Series(
        np.where(
            low.str.contains("won", na=False),
            "won",
            np.where(low.str.contains("lost", na=False), "lost", "open"),
        ),
        index=hist.index,
    ).where(hist["stage"].notna())
    hist["status"] = hist["status"].fillna(derived)
    return hist.sort_values(["opportunity_id", "changed_at"])


def pipeline(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Coverage, weighted pipeline, slippage and the flow of the deals expected to close in P,
    from their states at s and at e (metrics.md, Pipeline; the flow's buckets as the engine's
    documented choices: each deal in exactly one bucket)."""
    at_s = states_at(data, data.instant(p.start))
    at_e = states_at(data, data.instant(p.end))
    ids = at_s.index.union(at_e.index)
    s, e = at_s.reindex(ids), at_e.reindex(ids)
    exists_s = ids.isin(at_s.index)
    open_s = exists_s & (s["status"] == "open").to_numpy()

    def in_p(frame: pd.DataFrame) -> np.ndarray:
        return ((frame["close_date"] >= p.start) & (frame["close_date"] < p.end)).to_numpy()

    in_s = open_s & in_p(s)
    in_e = (e["status"] == "open").to_numpy() & in_p(e)
    closed_s = s["status"].isin(["won", "lost"]).to_numpy()
    closed_e_in_p = e["status"].isin(["won", "lost"]).to_numpy() & in_p(e)
    value_s = s["value"].fillna(0.0).to_numpy()
    value_e = e["value"].fillna(pd.Series(value_s, index=ids)).to_numpy()
    passing = ~in_s & ~in_e & closed_e_in_p & ~closed_s
    new_kind = np.where(exists_s, "pulled_in", "created")
    flow_in = np.where((~in_s & in_e) | passing, new_kind, None)
    status_e = e["status"].to_numpy()
    outcome = np.where(status_e == "won", "won", np.where(status_e == "open", "pushed_out", "lost"))
    flow_out = np.where(in_s & ~in_e, outcome, np.where(passing, outcome, None))
    slipped = in_s & (status_e == "open") & (e["close_date"] > s["close_date"]).to_numpy()
    delta = np.where(in_s, value_e - value_s, 0.0)
    groups = s[["team", "segment", "region"]].fillna(e[["team", "segment", "region"]])
    rows = pd.DataFrame(
        {
            "open_s": open_s,
            "in_s": in_s,
            "in_e": in_e,
            "value_s": value_s,
            "value_e": value_e,
            "weighted": value_s * s["probability"].fillna(0.0).to_numpy(),
            "slipped": slipped,
            "flow_in": flow_in,
            "flow_out": flow_out,
            "delta": delta,
        },
        index=ids,
    ).join(groups)
    rows = rows[rows["open_s"] | rows["in_e"] | rows["flow_in"].notna()]
    quota = family(data, "team", p, by).get("_quota", {})
    out: dict[str, Groups] = defaultdict(dict)
    for k, g in rows.groupby(_by(rows, by)):
        expected = int(g["in_s"].sum())
        amount = float(g.loc[g["in_s"], "value_s"].sum())
        out["weighted_pipeline"][k] = round(float(g.loc[g["in_s"], "weighted"].sum()), 2)
        out["deal_slippage_rate"][k] = _div(int(g["slipped"].sum()), expected)
        if by != "segment":
            out["pipeline_coverage"][k] = _div(amount, quota.get(k, 0.0))
        parts: dict[str, float] = {
            "start": amount,
            "start_count": expected,
            "end": float(g.loc[g["in_e"], "value_e"].sum()),
            "end_count": int(g["in_e"].sum()),
        }
        for bucket in ("created", "pulled_in"):
            hit = g["flow_in"] == bucket
            parts[bucket], parts[f"{bucket}_count"] = float(g.loc[hit, "value_e"].sum()), hit.sum()
        for bucket in ("pushed_out", "lost", "won"):
            hit = g["flow_out"] == bucket
            parts[bucket], parts[f"{bucket}_count"] = float(g.loc[hit, "value_e"].sum()), hit.sum()
        parts["increased"] = float(g.loc[g["delta"] > 0, "delta"].sum())
        parts["increased_count"] = int((g["delta"] > 0).sum())
        parts["decreased"] = float(-g.loc[g["delta"] < 0, "delta"].sum())
        parts["decreased_count"] = int((g["delta"] < 0).sum())
        out["pipeline_flow"][k] = Parts(round(parts["end"] - parts["start"], 2), parts)
    if by == "segment":  # quotas carry no segment
        out["pipeline_coverage"] = _unsupported()
    return out


# -- stages ----------------------------------------------------------------------------------


def _stage_rows(data: Data) -> pd.DataFrame:
    """Every (deal, changed_at, stage, probability) of history, and the current row (at
    created_at) of each deal without history."""
    hist = data.t["opportunity_history"]
    opps = data.t["opportunities"]
    rows = hist.loc[hist["stage"].notna(), ["opportunity_id", "changed_at", "stage", "probability"]]
    bare = opps[~opps["opportunity_id"].isin(hist["opportunity_id"])]
    bare = bare[["opportunity_id", "created_at", "stage", "probability"]].rename(
        columns={"created_at": "changed_at"}
    )
    out = pd.concat([rows, bare], ignore_index=True)
    out["changed_at"] = pd.to_datetime(out["changed_at"])
    return out.sort_values(["opportunity_id", "changed_at"], na_position="last")


def stage_order(data: Data) -> list[str]:
    """The funnel's stages: the stage_order setting; else by median probability when every
    open stage has one, else by the median position at which deals first enter them; won
    stages last, lost stages out."""
    configured = data.config.stage_order
    if configured:
        return [str(s) for s in configured if "lost" not in str(s).lower()]
    rows = _stage_rows(data)
    rows = rows[~rows["stage"].str.lower().str.contains("lost")]
    first = rows.groupby(["opportunity_id", "stage"], as_index=False)["changed_at"].min()
    first = first.sort_values(["opportunity_id", "changed_at"], na_position="last", kind="stable")
    first["pos"] = first.groupby("opportunity_id").cumcount() + 1
    stats = pd.DataFrame(
        {
            "prob": rows.groupby("stage")["probability"].median(),
            "pos": first.groupby("stage")["pos"].median(),
        }
    )
    stats["won"] = stats.index.str.lower().str.contains("won").astype(int)
    every = bool(((stats["won"] == 1) | stats["prob"].notna()).all())
    stats["key"] = stats["prob"].fillna(0.0) if every else 0.0
    stats["name"] = stats.index
    ordered = stats.sort_values(["won", "key", "pos", "name"])
    return [str(s) for s in ordered.index]


def _visits(data: Data) -> pd.DataFrame:
    """Stage visits: a change of stage starts one, ending at the next change."""
    rows = _stage_rows(data)
    prev = rows.groupby("opportunity_id")["stage"].shift()
    starts = rows[prev.isna() | (prev != rows["stage"])].copy()
    starts["left_at"] = starts.groupby("opportunity_id")["changed_at"].shift(-1)
    starts = starts.rename(columns={"changed_at": "entered_at"})
    opps = data.t["opportunities"][["opportunity_id", "owner_id", "account_id", "created_at"]]
    v = starts.merge(opps, on="opportunity_id")
    v["left_day"] = data.local(v["left_at"])
    return data.deal_groups(v)


def stages(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Time in stage (visits that ended in P) and stage conversion (deals created in P: reached
    a stage, and of those reached the next one; the furthest stage a deal reached counts)."""
    v = data.cached("visits", lambda: _visits(data))
    ended = v[(v["left_day"] >= p.start) & (v["left_day"] < p.end)]
    days = (ended["left_at"] - ended["entered_at"]).dt.total_seconds() / 86_400
    ended = ended.assign(days=days)
    time: Groups = {}
    for (k, stage), g in ended.groupby([_by(ended, by), ended["stage"]]):
        time[f"{k}|{stage}"] = float(g["days"].mean())
    order = data.cached("stage_order", lambda: stage_order(data))
    idx = {s: i for i, s in enumerate(order)}
    top = v.assign(i=v["stage"].map(idx)).dropna(subset=["i"]).groupby("opportunity_id")["i"].max()
    deals = data.t["opportunities"].set_index("opportunity_id")
    deals = deals.assign(top=top, created_day=data.local(deals["created_at"]))
    deals = data.deal_groups(deals)
    cohort = deals[
        (deals["created_day"] >= p.start) & (deals["created_day"] < p.end) & deals["top"].notna()
    ]
    conversion: Groups = {}
    for k, g in cohort.groupby(_by(cohort, by)):
        for stage, i in list(idx.items())[:-1]:
            reached = int((g["top"] >= i).sum())
            if reached:
                conversion[f"{k}|{stage}"] = _div(int((g["top"] > i).sum()), reached)
    return {"time_in_stage": time, "stage_conversion": conversion}


# -- forecasts -------------------------------------------------------------------------------


def forecasts(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Accuracy and bias of the latest forecast of the scope submitted before s (else before
    e), of the configured category and method, against the revenue won in P."""
    if by in ("segment", "region"):  # a forecast's scope is the company, a team or a rep
        return {"sales_forecast_accuracy": _unsupported(), "forecast_bias": _unsupported()}
    category = getattr(data.config, "forecast_category", "most_likely")
    method = getattr(data.config, "forecast_method", "manager")
    fc = data.t["forecasts"].copy()
    fc["category"] = fc["category"].fillna("most_likely")
    fc["method"] = fc["method"].fillna("manager")
    fc["submitted_at"] = pd.to_datetime(fc["submitted_at"])
    s, e = data.instant(p.start), data.instant(p.end)
    fc = fc[
        (fc["scope"] == ("team" if by else "company"))
        & (fc["period"] == p.label)
        & (fc["category"] == category)
        & (fc["method"] == method)
        & (fc["submitted_at"] < e)
    ]
    revenue: Any = family(data, "deals", p, by)["_won_amount"]
    groups = set(family(data, "deals", p, by)["total_revenue"])
    accuracy: Groups = {}
    bias: Groups = {}
    for k in groups | ({_key(x) for x in fc["scope_id"]} if by else {""}):
        mine = fc if not by else fc[fc["scope_id"].map(_key) == k]
        early = mine[mine["submitted_at"] < s]
        chosen = early if len(early) else mine
        actual = round(revenue.get(k, 0.0), 2)  # the revenue won, in cents
        if not len(chosen) or actual == 0:
            accuracy[k] = bias[k] = None
            continue
        forecast = float(chosen.sort_values("submitted_at")["amount"].iloc[-1])
        accuracy[k] = max(0.0, 1 - abs(actual - forecast) / actual)
        bias[k] = (forecast - actual) / actual
    return {"sales_forecast_accuracy": accuracy, "forecast_bias": bias}


# -- marketing (metrics.md "Marketing"): spend, cost per lead, and the metrics by channel ------

#: The channel of costs without one (``--by channel``).
UNALLOCATED = "(unallocated)"
COST_METRICS = ("marketing_spend", "sales_spend", "cost_per_lead", "cost_per_qualified_lead")


def cost_parts(data: Data, p: P) -> pd.DataFrame:
    """The marketing and sales costs with ``part``, the amount (base currency) counted in P
    (spread by day over a cost's period), ``category`` normalised and ``channel`` (the cost's
    own, :data:`UNALLOCATED` without one)."""
    costs = data.t["costs"].copy()
    costs["category"] = costs["category"].str.lower().str.strip()
    costs = costs[costs["category"].isin(["marketing", "sales"])].copy()
    for col in ("date", "period_start", "period_end"):
        costs[col] = pd.to_datetime(costs[col])
    costs["base"] = data.to_base(costs, "amount", "currency", "date") if len(costs) else 0.0
    spread = costs["period_start"].notna() & costs["period_end"].notna()
    first = costs["period_start"].clip(lower=p.start)
    last = costs["period_end"].clip(upper=p.last)
    overlap = ((last - first).dt.days + 1).clip(lower=0)
    window_days = (costs["period_end"] - costs["period_start"]).dt.days + 1
    part = np.where(
        spread,
        costs["base"] * overlap / window_days,
        np.where((costs["date"] >= p.start) & (costs["date"] < p.end), costs["base"], 0.0),
    )
    channel = costs["channel"].map(lambda c: c if isinstance(c, str) and c.strip() else UNALLOCATED)
    return costs.assign(part=np.nan_to_num(part.astype(float)), channel=channel)


def marketing(data: Data, p: P, by: str) -> dict[str, Groups]:
    """Marketing and sales spend and the cost of a lead and of a qualified lead, company-wide;
    by team, segment or region not available (costs carry none of them)."""
    if by:
        return {m: _unsupported() for m in COST_METRICS}
    costs = cost_parts(data, p)
    spend = float(costs.loc[costs["category"] == "marketing", "part"].sum())
    sales = float(costs.loc[costs["category"] == "sales", "part"].sum())
    lds = data.leads
    created = int(((lds["created_day"] >= p.start) & (lds["created_day"] < p.end)).sum())
    qualified = int(((lds["qualified_day"] >= p.start) & (lds["qualified_day"] < p.end)).sum())
    return {
        "marketing_spend": {"": spend},
        "sales_spend": {"": sales},
        "cost_per_lead": {"": _div(spend, created)},
        "cost_per_qualified_lead": {"": _div(spend, qualified)},
    }


def channel_of_source(data: Data, source: Any) -> str:
    """A lead's or opportunity's channel: its [channels] mapping, else the source itself."""
    if not isinstance(source, str):
        return NONE
    return str(data.config.channels.get(source, source))


def first_touch(data: Data) -> dict[str, str]:
    """Each account's channel: the source of its first lead with a source (by created_at, then
    lead id; a lead belongs to its own account, to the account of the opportunity it converted
    into and to that of an opportunity naming it), else of its first opportunity with one."""
    leads, opps = data.t["leads"], data.t["opportunities"]
    sourced = leads[leads["source"].notna() & (leads["source"].fillna("").str.strip() != "")]
    account_of_opp = dict(zip(opps["opportunity_id"], opps["account_id"], strict=True))
    naming: dict[str, set[Any]] = {}
    for lead_id, account in zip(opps["lead_id"], opps["account_id"], strict=True):
        naming.setdefault(lead_id, set()).add(account)
    pairs = []
    for _, lead in sourced.iterrows():
        accounts = {lead["account_id"], account_of_opp.get(lead["opportunity_id"])}
        accounts |= naming.get(lead["lead_id"], set())
        for account in accounts:
            if isinstance(account, str):
                pairs.append((account, lead["created_at"], lead["lead_id"], lead["source"]))
    touch: dict[str, str] = {}
    for account, _created, _id, source in sorted(pairs, key=lambda r: (r[0], r[1], r[2])):
        touch.setdefault(account, source)
    deals = opps[
        opps["account_id"].notna()
        & opps["source"].notna()
        & (opps["source"].fillna("").str.strip() != "")
    ]
    never = pd.Timestamp.max
    ordered = sorted(
        zip(
            deals["account_id"],
            deals["created_at"],
            deals["opportunity_id"],
            deals["source"],
            strict=True,
        ),
        key=lambda r: (r[0], never if pd.isna(r[1]) else r[1], r[2]),
    )
    for account, _created, _id, source in ordered:
        touch.setdefault(account, source)
    return {account: channel_of_source(data, source) for account, source in touch.items()}


def compute_by_channel(data: Data, periods: list[P]) -> pd.DataFrame:
    """The metrics of ``--by channel`` with customers defined by deals (the workspace without
    recurring data): spend, cost per lead and per qualified lead, CAC, LTV:CAC and CAC
    payback. Columns metric, period, group (the channel, :data:`NONE` for none), ref. The
    channel mapping is read from the configuration at each call."""
    cfg = data.config
    touch = first_touch(data)
    rows: list[dict[str, Any]] = []

    def emit(metric: str, p: P, values: dict[str, float | None]) -> None:
        for group, value in values.items():
            rows.append({"metric": metric, "period": p.label, "group": group, "ref": value})

    leads = data.leads.assign(
        channel=data.leads["source"].map(lambda s: channel_of_source(data, s))
    )
    accounts = data.t["accounts"].set_index("account_id")
    c = data.first_won.to_frame()
    c["churned_at"] = pd.to_datetime(accounts["churned_at"]).reindex(c.index)
    c["channel"] = [touch.get(a, NONE) for a in c.index]

    def active(day: pd.Timestamp) -> pd.Series:
        return (c["first_won"] <= day) & (c["churned_at"].isna() | (c["churned_at"] > day))

    for p in periods:
        costs = cost_parts(data, p)
        spent = costs[costs["category"] == "marketing"].groupby("channel")["part"].sum()
        sales = costs[costs["category"] == "sales"].groupby("channel")["part"].sum()
        created = leads[(leads["created_day"] >= p.start) & (leads["created_day"] < p.end)]
        qualified = leads[(leads["qualified_day"] >= p.start) & (leads["qualified_day"] < p.end)]
        n_created = created.groupby("channel").size()
        n_qualified = qualified.groupby("channel").size()

        window_start = p.end - pd.DateOffset(years=1)
        acquired = (c["first_won"] >= p.start) & (c["first_won"] < p.end)
        w_start, w_end = active(window_start), active(p.last)
        w_active = (c["first_won"] < p.end) & (
            c["churned_at"].isna() | (c["churned_at"] > c["first_won"].clip(lower=window_start))
        )
        won = data.won_by_account
        window = won[(won["close_date"] >= window_start) & (won["close_date"] < p.end)]
        revenue = window.groupby("account_id")["amount_base"].sum().reindex(c.index).fillna(0.0)
        by = c["channel"]
        new = acquired.groupby(by).sum()
        w = pd.DataFrame(
            {
                "start": w_start.groupby(by).sum(),
                "lost": (w_start & ~w_end).groupby(by).sum(),
                "customers": w_active.groupby(by).sum(),
                "revenue": revenue.groupby(by).sum(),
            }
        ).astype(float)

        def get(series: pd.Series, key: str) -> float:
            return float(series.get(key, 0.0))

        groups = set(spent.index) | set(sales.index) | set(n_created.index)
        groups |= set(n_qualified.index) | set(new.index)
        out: dict[str, dict[str, float | None]] = defaultdict(dict)
        for k in groups:
            m, total = get(spent, k), get(spent, k) + get(sales, k)
            out["marketing_spend"][k] = m
            out["sales_spend"][k] = get(sales, k)
            out["cost_per_lead"][k] = _div(m, get(n_created, k))
            out["cost_per_qualified_lead"][k] = _div(m, get(n_qualified, k))
            cac = out["customer_acquisition_cost"][k] = _div(total, get(new, k))
            per = _div(get(w["revenue"], k), get(w["customers"], k))
            churn = _div(get(w["lost"], k), get(w["start"], k))
            if cfg.customer_lifetime_years is not None:
                life: float | None = cfg.customer_lifetime_years
            elif churn is None:
                life = None
            else:
                cap = cfg.max_customer_lifetime_years
                life = cap if churn == 0 else min(1 / churn, cap)
            clv = None if per is None or life is None else per * life * cfg.gross_margin
            out["ltv_to_cac"][k] = None if clv is None or cac is None else _div(clv, cac)
            out["cac_payback_months"][k] = (
                None if cac is None or per is None else _div(cac, per / 12 * cfg.gross_margin)
            )
        for metric, values in out.items():
            emit(metric, p, values)
    return pd.DataFrame(rows, columns=["metric", "period", "group", "ref"])


# -- the mapping -----------------------------------------------------------------------------

Family = Callable[[Data, P, str], dict[str, Groups]]

FAMILIES: dict[str, Family] = {
    "deals": deals,
    "leads": leads,
    "recurring": recurring_metrics,
    "customers": customers,
    "team": team,
    "surveys": surveys,
    "pipeline": pipeline,
    "stages": stages,
    "forecasts": forecasts,
    "marketing": marketing,
}


def family(data: Data, name: str, p: P, by: str) -> dict[str, Groups]:
    """The metrics of family ``name`` for ``p`` and ``by`` (computed once)."""
    out: dict[str, Groups] = data.cached((name, p.label, by), lambda: FAMILIES[name](data, p, by))
    return out


def _of(name: str, metric: str) -> Callable[[Data, P, str], Groups]:
    def compute(data: Data, p: P, by: str) -> Groups:
        return family(data, name, p, by).get(metric, {})

    compute.__name__ = f"{name}.{metric}"
    return compute


#: Every metric id → ``fn(data, period, by)`` → ``{group key: value}``.
REFERENCES: dict[str, Callable[[Data, P, str], Groups]] = {
    **{
        m: _of("deals", m)
        for m in (
            "total_revenue",
            "revenue_growth",
            "average_deal_size",
            "win_rate",
            "win_rate_by_value",
            "sales_cycle_length",
            "opportunity_conversion_rate",
        )
    },
    **{
        m: _of("leads", m)
        for m in (
            "lead_conversion_rate",
            "lead_to_customer_rate",
            "qualified_leads",
            "pipeline_velocity",
        )
    },
    "recognized_revenue": recognized_revenue,
    **{m: _of("stages", m) for m in ("time_in_stage", "stage_conversion")},
    **{
        m: _of("pipeline", m)
        for m in ("pipeline_coverage", "weighted_pipeline", "deal_slippage_rate", "pipeline_flow")
    },
    **{m: _of("forecasts", m) for m in ("sales_forecast_accuracy", "forecast_bias")},
    **{
        m: _of("customers", m)
        for m in (
            "new_customers",
            "customer_acquisition_cost",
            "customer_lifetime_value",
            "ltv_to_cac",
            "cac_payback_months",
            "customer_churn_rate",
            "net_customer_churn_rate",
            "customer_retention_rate",
        )
    },
    **{
        m: _of("recurring", m)
        for m in (
            "mrr",
            "arr",
            *(f"mrr_{move}" for move in MOVES),
            "net_revenue_retention",
            "gross_revenue_retention",
            "revenue_churn_rate",
            "quick_ratio",
            "arpa",
        )
    },
    **{
        m: _of("team", m)
        for m in (
            "quota_attainment",
            "quota_attainment_rate",
            "sales_rep_productivity",
            "time_spent_selling",
            "activities_per_rep",
        )
    },
    "customer_engagement_score": engagement,
    **{m: _of("surveys", m) for m in ("enps", "pulse_score")},
    **{m: _of("marketing", m) for m in COST_METRICS},
    "mrr_growth_rate": _of("recurring", "mrr_growth_rate"),
}


def compute(data: Data, metric: str, periods: list[P], by: str) -> pd.DataFrame:
    """``metric`` for ``periods`` by ``by``: metric, period, group, ref (a :data:`Value`)."""
    rows = [
        {"metric": metric, "period": p.label, "group": group, "ref": value}
        for p in periods
        for group, value in REFERENCES[metric](data, p, by).items()
    ]
    return pd.DataFrame(rows, columns=["metric", "period", "group", "ref"])
