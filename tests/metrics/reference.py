"""An independent, plain-pandas computation of every registered metric, straight from metrics.md.

It shares no code with the engine: it reads the canonical tables into pandas and recomputes each
metric per period and group (``team`` or company-wide) with loops and filters a reader can check
against the spec line by line. The cross-check test compares it with the engine.

Conventions restated here: a period is [s, e); a timestamp counts by its date in the workspace
timezone; amounts are converted at the latest rate on or before their own date; group values
come from the owning rep (deals, leads, quotas, activities), the account's owner (customers) or
the row (surveys); ``NONE`` stands for a missing group value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from salesmetrics.workspace import Workspace

NONE = "<none>"
TABLES = (
    "reps",
    "quotas",
    "accounts",
    "leads",
    "opportunities",
    "costs",
    "activities",
    "engagement_events",
    "survey_responses",
    "fx_rates",
)


@dataclass(frozen=True)
class P:
    """A period [start, end) with its label."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def last(self) -> pd.Timestamp:
        return self.end - pd.Timedelta(days=1)


def period(label: str, start: dt.date, end: dt.date) -> P:
    return P(label, pd.Timestamp(start), pd.Timestamp(end))


class Data:
    """The workspace's tables as pandas frames, with dates as Timestamps and money in base."""

    def __init__(self, ws: Workspace) -> None:
        self.config = ws.config
        self.base = ws.config.base_currency
        self.t: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            frame = ws.duckdb.execute(f'SELECT * FROM "{name}"').df()
            self.t[name] = frame
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
        self._prepare()

    # -- helpers ---------------------------------------------------------------------------

    def local(self, ts: pd.Series) -> pd.Series:
        """Dates of naive-UTC timestamps in the workspace timezone."""
        ts = pd.to_datetime(ts)
        return (
            ts.dt.tz_localize("UTC")
            .dt.tz_convert(self.config.timezone)
            .dt.tz_localize(None)
            .dt.normalize()
        )

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
        return rep_ids.map(lambda r: self.rep_team.get(r) if isinstance(r, str) else None)

    def _prepare(self) -> None:
        opps = self.t["opportunities"].copy()
        opps["close_date"] = pd.to_datetime(opps["close_date"])
        opps["created_day"] = self.local(opps["created_at"])
        opps["team"] = self.team_of(opps["owner_id"])
        closed = opps["status"].isin(["won", "lost"]) & opps["close_date"].notna()
        opps["amount_base"] = np.nan
        opps.loc[closed, "amount_base"] = self.to_base(
            opps[closed], "amount", "currency", "close_date"
        )
        self.opps = opps

        leads = self.t["leads"].copy()
        leads["created_day"] = self.local(leads["created_at"])
        leads["qualified_day"] = self.local(leads["qualified_at"])
        leads["team"] = self.team_of(leads["owner_id"])
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
        first = won.groupby("account_id")["close_date"].min().rename("first_won")
        accounts = self.t["accounts"].set_index("account_id")
        cust = first.to_frame()
        cust["churned_at"] = pd.to_datetime(accounts["churned_at"]).reindex(cust.index)
        owner = accounts["owner_id"].reindex(cust.index)
        cust["team"] = self.team_of(owner.reset_index(drop=True)).to_numpy()
        self.customers = cust
        self.won_by_account = won

    def active(self, day: pd.Timestamp) -> pd.Series:
        c = self.customers
        return (c["first_won"] <= day) & (c["churned_at"].isna() | (c["churned_at"] > day))


def _key(value: Any) -> str:
    return NONE if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _by(frame: pd.DataFrame, grouped: bool) -> pd.Series:
    """The group key of each row ("" company-wide)."""
    if not grouped:
        return pd.Series("", index=frame.index)
    return frame["team"].map(_key)


def _div(n: float, d: float) -> float | None:
    if d == 0 or n is None or d is None or np.isnan(n) or np.isnan(d):
        return None
    return float(n / d)


def compute(ws: Workspace, periods: list[P], grouped: bool) -> pd.DataFrame:
    """Every metric for ``periods``, company-wide or by team: metric, period, group, value."""
    data = Data(ws)
    rows: list[dict[str, Any]] = []

    def emit(metric: str, p: P, values: dict[str, float | None]) -> None:
        for group, value in values.items():
            rows.append({"metric": metric, "period": p.label, "group": group, "value": value})

    def sums(frame: pd.DataFrame, column: str | None = None) -> dict[str, float]:
        keys = _by(frame, grouped)
        if column is None:
            return frame.groupby(keys).size().astype(float).to_dict()
        return frame.groupby(keys)[column].sum().astype(float).to_dict()

    opps, leads = data.opps, data.leads

    for p in periods:
        # The previous period of the same grain (periods here are whole quarters).
        prev = P("prev", p.start - pd.DateOffset(months=3), p.start)
        in_p = (opps["close_date"] >= p.start) & (opps["close_date"] < p.end)
        won = opps[in_p & (opps["status"] == "won")]
        lost = opps[in_p & (opps["status"] == "lost")]
        in_prev = (opps["close_date"] >= prev.start) & (opps["close_date"] < prev.end)
        won_prev = opps[in_prev & (opps["status"] == "won")]
        n_won, n_lost = sums(won), sums(lost)
        amt_won, amt_lost = (
            sums(won, "amount_base"),
            sums(lost.dropna(subset=["amount"]), "amount_base"),
        )
        amt_prev = sums(won_prev, "amount_base")
        cyc = won.dropna(subset=["created_day"])
        cyc = cyc.assign(days=(cyc["close_date"] - cyc["created_day"]).dt.days)
        cyc_sum, cyc_n = sums(cyc, "days"), sums(cyc)
        created = opps[(opps["created_day"] >= p.start) & (opps["created_day"] < p.end)]
        n_created, n_created_won = sums(created), sums(created[created["status"] == "won"])
        deal_groups = set(n_won) | set(n_lost) | set(n_created) | set(amt_prev)

        def g(d: dict[str, float], k: str) -> float:
            return d.get(k, 0.0)

        emit("total_revenue", p, {k: round(g(amt_won, k), 2) for k in deal_groups})
        emit(
            "revenue_growth",
            p,
            {k: _div(g(amt_won, k) - g(amt_prev, k), g(amt_prev, k)) for k in deal_groups},
        )
        emit("average_deal_size", p, {k: _div(g(amt_won, k), g(n_won, k)) for k in deal_groups})
        emit("win_rate", p, {k: _div(g(n_won, k), g(n_won, k) + g(n_lost, k)) for k in deal_groups})
        emit(
            "win_rate_by_value",
            p,
            {k: _div(g(amt_won, k), g(amt_won, k) + g(amt_lost, k)) for k in deal_groups},
        )
        emit("sales_cycle_length", p, {k: _div(g(cyc_sum, k), g(cyc_n, k)) for k in deal_groups})
        emit(
            "opportunity_conversion_rate",
            p,
            {k: _div(g(n_created_won, k), g(n_created, k)) for k in deal_groups},
        )

        cohort = leads[(leads["created_day"] >= p.start) & (leads["created_day"] < p.end)]
        qual = leads[(leads["qualified_day"] >= p.start) & (leads["qualified_day"] < p.end)]
        l_created, l_conv = sums(cohort), sums(cohort[cohort["converted"]])
        l_won, n_qual = sums(cohort[cohort["won"]]), sums(qual)
        lead_groups = set(l_created) | set(n_qual)
        emit(
            "lead_conversion_rate", p, {k: _div(g(l_conv, k), g(l_created, k)) for k in lead_groups}
        )
        emit(
            "lead_to_customer_rate", p, {k: _div(g(l_won, k), g(l_created, k)) for k in lead_groups}
        )
        emit("qualified_leads", p, {k: g(n_qual, k) for k in lead_groups})
        emit(
            "pipeline_velocity",
            p,
            {
                k: _velocity(
                    g(n_qual, k),
                    g(n_won, k),
                    g(n_lost, k),
                    g(amt_won, k),
                    g(cyc_sum, k),
                    g(cyc_n, k),
                )
                for k in lead_groups | deal_groups
            },
        )

        _customer_metrics(data, p, grouped, emit)
        _team_metrics(data, p, grouped, emit, amt_won)
        _people_metrics(data, p, grouped, emit)
        _marketing_metrics(data, p, grouped, emit)
    return pd.DataFrame(rows, columns=["metric", "period", "group", "value"])


def _velocity(q: float, won: float, lost: float, amount: float, days: float, n: float) -> Any:
    rate, size, cycle = _div(won, won + lost), _div(amount, won), _div(days, n)
    if rate is None or size is None or cycle is None or cycle == 0:
        return None
    return q * rate * size / cycle


def _customer_metrics(data: Data, p: P, grouped: bool, emit: Any) -> None:
    cfg = data.config
    c = data.customers.copy()
    c["start"], c["end"] = data.active(p.start), data.active(p.last)
    c["acquired"] = (c["first_won"] >= p.start) & (c["first_won"] < p.end)
    ws = p.end - pd.DateOffset(years=1)
    c["w_start"], c["w_end"] = data.active(ws), data.active(p.last)
    c["w_active"] = (c["first_won"] < p.end) & (
        c["churned_at"].isna() | (c["churned_at"] > c["first_won"].clip(lower=ws))
    )
    won = data.won_by_account
    window = won[(won["close_date"] >= ws) & (won["close_date"] < p.end)]
    revenue = window.groupby("account_id")["amount_base"].sum()
    c["revenue"] = revenue.reindex(c.index).fillna(0.0)
    keys = _by(c, grouped)
    agg = pd.DataFrame(
        {
            "start": c["start"].groupby(keys).sum(),
            "end": c["end"].groupby(keys).sum(),
            "lost": (c["start"] & ~c["end"]).groupby(keys).sum(),
            "new": (c["end"] & ~c["start"]).groupby(keys).sum(),
            "acquired": c["acquired"].groupby(keys).sum(),
            "w_start": c["w_start"].groupby(keys).sum(),
            "w_lost": (c["w_start"] & ~c["w_end"]).groupby(keys).sum(),
            "w_cust": c["w_active"].groupby(keys).sum(),
            "w_rev": c["revenue"].groupby(keys).sum(),
        }
    ).astype(float)
    emit("new_customers", p, agg["acquired"].to_dict())
    emit("customer_churn_rate", p, {k: _div(r.lost, r.start) for k, r in agg.iterrows()})
    emit(
        "net_customer_churn_rate", p, {k: _div(r.lost - r.new, r.start) for k, r in agg.iterrows()}
    )
    emit("customer_retention_rate", p, {k: _div(r.end - r.new, r.start) for k, r in agg.iterrows()})
    clv: dict[str, float | None] = {}
    arpc: dict[str, float | None] = {}
    for k, r in agg.iterrows():
        per = _div(r.w_rev, r.w_cust)
        churn = _div(r.w_lost, r.w_start)
        arpc[k] = per
        if cfg.customer_lifetime_years is not None:
            life: float | None = cfg.customer_lifetime_years
        elif churn is None:
            life = None
        else:
            life = (
                cfg.max_customer_lifetime_years
                if churn == 0
                else min(1 / churn, cfg.max_customer_lifetime_years)
            )
        clv[k] = None if per is None or life is None else per * life * cfg.gross_margin
    emit("customer_lifetime_value", p, clv)
    if grouped:
        for metric in ("customer_acquisition_cost", "ltv_to_cac", "cac_payback_months"):
            emit(metric, p, {"": None})
        return
    costs = data.t["costs"].copy()
    costs["category"] = costs["category"].str.lower().str.strip()
    costs = costs[costs["category"].isin(["marketing", "sales"])].copy()
    for col in ("date", "period_start", "period_end"):
        costs[col] = pd.to_datetime(costs[col])
    costs["base"] = data.to_base(costs, "amount", "currency", "date")
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
    total = float(np.nansum(part))
    new = float(agg["acquired"].sum()) if len(agg) else 0.0
    cac = _div(total, new)
    value = clv.get("")
    per = arpc.get("")
    emit("customer_acquisition_cost", p, {"": cac})
    emit("ltv_to_cac", p, {"": None if value is None or cac is None else _div(value, cac)})
    emit(
        "cac_payback_months",
        p,
        {"": None if cac is None or per is None else _div(cac, per / 12 * cfg.gross_margin)},
    )


def _team_metrics(data: Data, p: P, grouped: bool, emit: Any, revenue: dict[str, float]) -> None:
    cfg = data.config
    quotas = data.t["quotas"].copy()
    reps = data.t["reps"].copy()
    if len(quotas):
        basis = "quota"
        for col in ("period_start", "period_end"):
            quotas[col] = pd.to_datetime(quotas[col])
        quotas["base"] = data.to_base(quotas, "amount", "currency", "period_start")
        first = quotas["period_start"].clip(lower=p.start)
        last = quotas["period_end"].clip(upper=p.last)
        overlap = (last - first).dt.days + 1
        window = (quotas["period_end"] - quotas["period_start"]).dt.days + 1
        q = quotas[overlap > 0].assign(part=lambda f: f["base"] * overlap / window)
        per_rep = q.groupby("rep_id")["part"].sum().rename("quota").to_frame()
        opps = data.opps
        won = opps[
            (opps["status"] == "won")
            & (opps["close_date"] >= p.start)
            & (opps["close_date"] < p.end)
        ]
        won_by_rep = won.groupby("owner_id")["amount_base"].sum()
        per_rep["won"] = won_by_rep.reindex(per_rep.index).fillna(0.0)
    else:
        hired = pd.to_datetime(reps["hired_on"])
        left = pd.to_datetime(reps["left_on"])
        if (hired.notna() | left.notna()).any():
            basis = "employment"
            active = (hired.isna() | (hired < p.end)) & (left.isna() | (left >= p.start))
            ids = reps.loc[active, "rep_id"]
        else:
            basis = "deal_owners"
            opps = data.opps
            closed = opps[
                opps["status"].isin(["won", "lost"])
                & (opps["close_date"] >= p.start)
                & (opps["close_date"] < p.end)
            ]
            ids = closed["owner_id"].dropna().drop_duplicates()
        per_rep = pd.DataFrame({"quota": 0.0, "won": 0.0}, index=pd.Index(ids, name="rep_id"))
    per_rep = per_rep.assign(team=data.team_of(per_rep.index.to_series()).to_numpy())
    keys = _by(per_rep, grouped)
    sellers = per_rep.groupby(keys).size().astype(float)
    has_quota = per_rep["quota"] > 0
    quota_sum = per_rep.groupby(keys)["quota"].sum()
    won_sum = per_rep.groupby(keys)["won"].sum()
    with_quota = has_quota.groupby(keys).sum()
    reached = (has_quota & (per_rep["won"] >= per_rep["quota"])).groupby(keys).sum()
    groups = set(sellers.index) | set(revenue)
    if basis == "quota" or len(data.t["quotas"]):
        emit(
            "quota_attainment",
            p,
            {k: _div(won_sum.get(k, 0.0), quota_sum.get(k, 0.0)) for k in sellers.index},
        )
        emit(
            "quota_attainment_rate",
            p,
            {k: _div(reached.get(k, 0), with_quota.get(k, 0)) for k in sellers.index},
        )
    emit(
        "sales_rep_productivity",
        p,
        {k: _div(revenue.get(k, 0.0), float(sellers.get(k, 0.0))) for k in groups},
    )

    acts = data.t["activities"].copy()
    acts["day"] = data.local(acts["started_at"])
    acts = acts[(acts["day"] >= p.start) & (acts["day"] < p.end)].copy()
    selling_types = {t.lower() for t in cfg.selling_activity_types}
    by_type = acts["type"].str.lower().str.strip().isin(selling_types)
    acts["selling"] = acts["is_selling"].astype(object).where(acts["is_selling"].notna(), by_type)
    acts["selling"] = acts["selling"].astype(bool)
    acts["team"] = data.team_of(acts["rep_id"])
    keys = _by(acts, grouped)
    selling_minutes = acts["duration_minutes"].where(acts["selling"], 0.0).groupby(keys).sum()
    logged = acts["duration_minutes"].groupby(keys).sum()
    n_selling = acts["selling"].groupby(keys).sum()
    act_groups = set(logged.index)
    emit(
        "time_spent_selling",
        p,
        {k: _div(selling_minutes.get(k, 0.0), logged.get(k, 0.0)) for k in act_groups},
    )
    emit(
        "activities_per_rep",
        p,
        {k: _div(float(n_selling.get(k, 0)), float(sellers.get(k, 0.0))) for k in act_groups},
    )


def _not_suppressed(counts: dict[str, int], minimum: int) -> set[str]:
    """The groups (of one parent: a period, and a question) whose survey results are shown:
    metrics.md's rule as written, one group at a time. Groups under ``minimum`` are
    suppressed; while a suppressed group has respondents and the suppressed groups hold fewer
    than ``minimum`` together, the smallest group still shown (ties: the engine's result
    order, a missing team first) is suppressed too."""
    hidden = {k for k, n in counts.items() if n < minimum}
    if any(counts[k] > 0 for k in hidden):
        while sum(counts[k] for k in hidden) < minimum:
            rest = [k for k in counts if k not in hidden]
            if not rest:
                break
            hidden.add(min(rest, key=lambda k: (counts[k], "" if k == NONE else k)))
    return set(counts) - hidden


def _people_metrics(data: Data, p: P, grouped: bool, emit: Any) -> None:
    cfg = data.config
    # Engagement: customers at end, events in the last window days of P.
    c = data.customers
    at_end = c[data.active(p.last)]
    window_start = max(p.start, p.end - pd.Timedelta(days=cfg.engagement_window_days))
    ev = data.t["engagement_events"].copy()
    ev["occurred_on"] = pd.to_datetime(ev["occurred_on"])
    ev = ev[(ev["occurred_on"] >= window_start) & (ev["occurred_on"] < p.end)]
    ev["n"] = ev["count"].fillna(1).astype(float)
    counts = ev.groupby(["account_id", "event"])["n"].sum()
    events = sorted(set(ev["event"]) | set(cfg.engagement_weights) | set(cfg.engagement_targets))
    scores: dict[str, float | None] = {}
    if len(at_end):
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
        keys = _by(frame, grouped)
        for k, s in frame.groupby(keys)["score"]:
            scores[k] = None if s.isna().all() else float(s.mean())
    emit("customer_engagement_score", p, scores)

    answers = data.t["survey_responses"].copy()
    answers["day"] = data.local(answers["submitted_at"])
    answers = answers[(answers["day"] >= p.start) & (answers["day"] < p.end)].copy()
    answers["question"] = answers["question_id"].str.lower().str.strip()
    answers["who"] = answers["respondent_id"].fillna("~" + answers["response_id"])
    answers = answers.sort_values(["submitted_at", "response_id"], ascending=False)
    latest = answers.drop_duplicates(["survey_id", "who", "question"])
    minimum = cfg.min_survey_group
    enps = latest[latest["question"] == "enps"]
    values: dict[str, float | None] = {}
    parts = dict(list(enps.groupby(_by(enps, grouped))))
    shown = _not_suppressed({k: len(part) for k, part in parts.items()}, minimum)
    for k, part in parts.items():
        n = len(part)
        promoters, detractors = (part["score"] >= 9).sum(), (part["score"] <= 6).sum()
        values[k] = 100 * (promoters - detractors) / n if k in shown else None
    emit("enps", p, values)
    pulse = latest[latest["question"] != "enps"]
    values = {}
    for question, answers_q in pulse.groupby("question"):
        parts = dict(list(answers_q.groupby(_by(answers_q, grouped))))
        shown = _not_suppressed({k: len(part) for k, part in parts.items()}, minimum)
        for k, part in parts.items():
            values[f"{k}|{question}"] = float(part["score"].mean()) if k in shown else None
    emit("pulse_score", p, values)


# -- marketing (metrics.md "Marketing"): spend, cost per lead, and the metrics by channel -------
# A block of its own: compute() calls _marketing_metrics; compute_by_channel() is the `--by
# channel` reference (spend, cost per lead, CAC, LTV:CAC, CAC payback with deal customers).

UNALLOCATED = "(unallocated)"


def _cost_parts(data: Data, p: P) -> pd.DataFrame:
    """The marketing and sales costs with ``part``, the amount (base currency) counted in P,
    ``category`` normalised and ``channel`` (the cost's own, "(unallocated)" without one)."""
    costs = data.t["costs"].copy()
    costs["category"] = costs["category"].str.lower().str.strip()
    costs = costs[costs["category"].isin(["marketing", "sales"])].copy()
    for col in ("date", "period_start", "period_end"):
        costs[col] = pd.to_datetime(costs[col])
    base = data.to_base(costs, "amount", "currency", "date") if len(costs) else 0.0
    parts = []
    for (_, row), amount in zip(costs.iterrows(), pd.Series(base, index=costs.index), strict=True):
        if pd.notna(row["period_start"]) and pd.notna(row["period_end"]):
            first, last = max(row["period_start"], p.start), min(row["period_end"], p.last)
            days = (row["period_end"] - row["period_start"]).days + 1
            parts.append(amount * max((last - first).days + 1, 0) / days)
        else:
            parts.append(amount if p.start <= row["date"] < p.end else 0.0)
    channel = costs["channel"].map(lambda c: c if isinstance(c, str) and c.strip() else UNALLOCATED)
    return costs.assign(part=parts, channel=channel)


def _marketing_metrics(data: Data, p: P, grouped: bool, emit: Any) -> None:
    """The marketing metrics company-wide; by team they are not available (costs carry no
    team). MRR growth is recurring revenue: the reference has none (see test_crosscheck)."""
    ids = ("marketing_spend", "sales_spend", "cost_per_lead", "cost_per_qualified_lead")
    if grouped:
        for metric in ids:
            emit(metric, p, {"": None})
        return
    costs = _cost_parts(data, p)
    marketing = float(costs.loc[costs["category"] == "marketing", "part"].sum())
    sales = float(costs.loc[costs["category"] == "sales", "part"].sum())
    leads = data.leads
    created = ((leads["created_day"] >= p.start) & (leads["created_day"] < p.end)).sum()
    qualified = ((leads["qualified_day"] >= p.start) & (leads["qualified_day"] < p.end)).sum()
    emit("marketing_spend", p, {"": marketing})
    emit("sales_spend", p, {"": sales})
    emit("cost_per_lead", p, {"": _div(marketing, float(created))})
    emit("cost_per_qualified_lead", p, {"": _div(marketing, float(qualified))})


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


def compute_by_channel(ws: Workspace, periods: list[P]) -> pd.DataFrame:
    """The metrics of ``--by channel`` (customers by deals, as in :func:`compute`): metric,
    period, group (the channel, NONE for none), value."""
    data = Data(ws)
    cfg = data.config
    touch = first_touch(data)
    rows: list[dict[str, Any]] = []

    def emit(metric: str, p: P, values: dict[str, float | None]) -> None:
        for group, value in values.items():
            rows.append({"metric": metric, "period": p.label, "group": group, "value": value})

    leads = data.leads.assign(
        channel=data.leads["source"].map(lambda s: channel_of_source(data, s))
    )
    c = data.customers.copy()
    c["channel"] = [touch.get(a, NONE) for a in c.index]
    for p in periods:
        costs = _cost_parts(data, p)
        marketing = costs[costs["category"] == "marketing"].groupby("channel")["part"].sum()
        sales = costs[costs["category"] == "sales"].groupby("channel")["part"].sum()
        created = leads[(leads["created_day"] >= p.start) & (leads["created_day"] < p.end)]
        qualified = leads[(leads["qualified_day"] >= p.start) & (leads["qualified_day"] < p.end)]
        n_created = created.groupby("channel").size()
        n_qualified = qualified.groupby("channel").size()

        ws_ = p.end - pd.DateOffset(years=1)
        acquired = (c["first_won"] >= p.start) & (c["first_won"] < p.end)
        w_start, w_end = data.active(ws_), data.active(p.last)
        w_active = (c["first_won"] < p.end) & (
            c["churned_at"].isna() | (c["churned_at"] > c["first_won"].clip(lower=ws_))
        )
        won = data.won_by_account
        window = won[(won["close_date"] >= ws_) & (won["close_date"] < p.end)]
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

        groups = set(marketing.index) | set(sales.index) | set(n_created.index)
        groups |= set(n_qualified.index) | set(new.index)
        spend, cpl, cpql, cac, ltv_cac, payback = ({} for _ in range(6))
        for k in groups:
            m, total = get(marketing, k), get(marketing, k) + get(sales, k)
            spend[k] = (m, get(sales, k))
            cpl[k] = _div(m, get(n_created, k))
            cpql[k] = _div(m, get(n_qualified, k))
            cac[k] = _div(total, get(new, k))
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
            ltv_cac[k] = None if clv is None or cac[k] is None else _div(clv, cac[k])
            payback[k] = (
                None if cac[k] is None or per is None else _div(cac[k], per / 12 * cfg.gross_margin)
            )
        emit("marketing_spend", p, {k: v[0] for k, v in spend.items()})
        emit("sales_spend", p, {k: v[1] for k, v in spend.items()})
        emit("cost_per_lead", p, cpl)
        emit("cost_per_qualified_lead", p, cpql)
        emit("customer_acquisition_cost", p, cac)
        emit("ltv_to_cac", p, ltv_cac)
        emit("cac_payback_months", p, payback)
    return pd.DataFrame(rows, columns=["metric", "period", "group", "value"])
