"""Quotas and forecasts, set from what the company actually sold (known once every block has
been generated): quotas stretch above a typical seller's bookings, ramp for new hires and are
pro-rated for partial quarters; managers' forecasts land near the actual, a bit optimistic."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from salesmetrics.demo import hygiene, vocab
from salesmetrics.demo.arrays import Arr
from salesmetrics.demo.arrow import ids, pick, record_batch
from salesmetrics.demo.calendar import DATA_START, DAY, add_months, to_date
from salesmetrics.demo.company import SELLER, Org, rep_ids
from salesmetrics.demo.money import CODES, Fx

MONTHS, QUARTERS = 36, 12
#: Quotas ask this much more than a typical seller of the same segment sold.
QUOTA_STRETCH = 1.05
#: Teams selling to this segment carry annual quotas.
ANNUAL_QUOTA_SEGMENT = vocab.SEGMENTS.index("Enterprise")


@dataclass
class Actuals:
    """Won amounts (base-currency cents) per rep and month of the data, summed over blocks."""

    won: Arr = field(default_factory=lambda: np.zeros((0, MONTHS)))

    @classmethod
    def empty(cls, n_reps: int) -> Actuals:
        """No bookings yet, for ``n_reps`` reps."""
        return cls(np.zeros((n_reps, MONTHS)))

    def add(self, rep: Arr, month: Arr, base_cents: Arr) -> None:
        """Add won deals (rep index, month index 0..35, amount)."""
        ok = (month >= 0) & (month < MONTHS) & (rep >= 0)
        np.add.at(self.won, (rep[ok], month[ok]), base_cents[ok])


def _quarter_bounds() -> tuple[Arr, Arr]:
    start = add_months(np.full(QUARTERS + 1, DATA_START), np.arange(QUARTERS + 1) * 3)
    return start[:-1], start[1:] - 1


def quotas_batch(rng: np.random.Generator, org: Org, fx: Fx, actuals: Actuals) -> pa.RecordBatch:
    """The ``quotas`` table: per seller and quarter (annual for enterprise teams)."""
    qs, qe = _quarter_bounds()
    sellers = np.flatnonzero(org.role == SELLER)
    hired, left = org.hired[sellers], org.left[sellers]
    # Days employed in each quarter, per seller.
    lo = np.maximum(hired[:, None], qs[None, :])
    hi = np.where(left[:, None] >= 0, np.minimum(left[:, None], qe[None, :]), qe[None, :])
    employed = np.maximum(hi - lo + 1, 0) / (qe - qs + 1)[None, :]
    focus = org.team_focus[org.team[sellers]]
    won_q = actuals.won[sellers].reshape(len(sellers), QUARTERS, 3).sum(axis=2)
    typical = np.zeros((3, QUARTERS))
    for seg in range(3):
        mine = focus == seg
        typical[seg] = won_q[mine].sum(axis=0) / np.maximum(employed[mine].sum(axis=0), 1e-9)
    tenure = qs[None, :] - hired[:, None]
    ramp = np.where(tenure < 90, 0.4, np.where(tenure < 180, 0.7, 1.0))
    # A quota is set for a quarter the rep starts in, and stays when the rep leaves mid-quarter.
    has = (hired[:, None] <= qe[None, :]) & ((left[:, None] < 0) | (left[:, None] >= qs[None, :]))
    share = np.where(hired[:, None] > qs[None, :], employed, 1.0)
    base = QUOTA_STRETCH * typical[focus] * ramp * share * np.exp(rng.normal(0, 0.05, has.shape))
    start = np.maximum(qs[None, :], hired[:, None])
    end = np.broadcast_to(qe[None, :], has.shape)
    rep = np.broadcast_to(sellers[:, None], has.shape)
    region = org.region[sellers]
    currency = np.array([CODES.index(r.quota_currency) for r in vocab.REGIONS])[region]
    cur = np.broadcast_to(currency[:, None], has.shape)
    q_day = np.broadcast_to(qs[None, :], has.shape)
    # In the quota currency at the rate of the quarter's first day.
    local = fx.to_usd(base, np.full(has.shape, fx.base), q_day) / fx.to_usd(1.0, cur, q_day)
    amount = np.round(local / 100_000) * 100_000  # whole thousands

    annual = np.broadcast_to((focus == ANNUAL_QUOTA_SEGMENT)[:, None], has.shape)
    q_rows = has & ~annual
    r_q, s_q, e_q, a_q, c_q = (x[q_rows] for x in (rep, start, end, amount, cur))
    # Annual rows: one per year, summing that year's quarters.
    yr = np.arange(QUARTERS) // 4
    a_rows = []
    for y in range(QUARTERS // 4):
        in_year = has & annual & (yr[None, :] == y)
        who = np.flatnonzero(in_year.any(axis=1))
        first_q = np.argmax(in_year[who], axis=1)
        a_rows.append(
            (
                sellers[who],
                start[who, first_q],
                np.full(len(who), qe[4 * y + 3]),
                (amount * in_year)[who].sum(axis=1),
                currency[who],
            )
        )
    parts = [(r_q, s_q, e_q, a_q, c_q), *a_rows]
    r, s, e, a, c = (np.concatenate([p[i] for p in parts]) for i in range(5))

    # Hygiene: some reps get a second row overlapping one of theirs that spans 60 days or more:
    # a quarter entered again with an end date a day earlier, or a quarter inside a year.
    long_row = (e - s) >= 60
    reps_with = np.unique(r)
    eligible = np.isin(reps_with, r[long_row])
    dup_reps = reps_with[hygiene.choose(rng, "overlapping_quotas", eligible, len(reps_with))]
    first_row = np.flatnonzero(long_row)[_first_rows(r[long_row], dup_reps)]
    is_annual = (e[first_row] - s[first_row]) > 120
    d_s = np.where(is_annual, s[first_row] + 30, s[first_row])
    d_e = np.where(is_annual, s[first_row] + 120, e[first_row] - 1)
    d_a = np.where(
        is_annual, a[first_row] / 4, a[first_row] * rng.uniform(0.9, 1.1, len(first_row))
    )
    r, s, e, c = (
        np.concatenate([x, y]) for x, y in ((r, dup_reps), (s, d_s), (e, d_e), (c, c[first_row]))
    )
    a = np.concatenate([a, np.round(d_a / 100_000) * 100_000])
    order = np.lexsort((e, s, r))
    return record_batch(
        "quotas",
        {
            "rep_id": rep_ids(r[order]),
            "period_start": s[order],
            "period_end": e[order],
            "amount": a[order].astype(np.int64),
            "currency": np.array(CODES)[c[order]],
        },
    )


def _first_rows(rows_rep: Arr, reps: Arr) -> Arr:
    order = np.argsort(rows_rep, kind="stable")
    return order[np.searchsorted(rows_rep[order], reps)]


SCOPES = ("company", "team", "rep")
CATEGORIES = ("commit", "best_case", "most_likely")
METHODS = ("manager", "weighted_pipeline", "statistical")
COMPANY, TEAM, REP = range(3)
COMMIT, BEST_CASE, MOST_LIKELY = range(3)
MANAGER, STATISTICAL = 0, 2


class _Rows:
    """Forecast rows collected by kind, concatenated at the end."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.parts: list[tuple[Arr, ...]] = []

    def add(
        self, scope: int, scope_id: Arr, period: Arr, amount: Arr, day: Arr, cat: int, meth: int
    ) -> None:
        n = len(scope_id)
        at = day * DAY + 15 * 3600 + self.rng.integers(0, 7200, n)
        self.parts.append(
            (np.full(n, scope), scope_id, period, amount, at, np.full(n, cat), np.full(n, meth))
        )

    def columns(self) -> tuple[Arr, ...]:
        return tuple(np.concatenate([p[i] for p in self.parts]) for i in range(7))


def _label(day: int, quarter: bool) -> str:
    d = to_date(day)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}" if quarter else f"{d.year}-{d.month:02d}"


def _periods(won: Arr, step: int) -> Arr:
    """Bookings per period of ``step`` months, plus the next period (after the data), forecast
    from the last two."""
    periods = won.reshape(won.shape[0], -1, step).sum(axis=2)
    following = periods[:, -2:].mean(axis=1, keepdims=True) * 1.05
    return np.concatenate([periods, following], axis=1)


def forecasts_batch(rng: np.random.Generator, org: Org, actuals: Actuals) -> pa.RecordBatch:
    """The ``forecasts`` table: the CRO's company forecast (commit, most likely, best case, an
    update mid-quarter, and a statistical one), the same per team, teams per month, and each
    seller's own forecast per quarter; including the quarter and month after the data."""
    q_first = add_months(np.full(QUARTERS + 1, DATA_START), np.arange(QUARTERS + 1) * 3)
    m_first = add_months(np.full(MONTHS + 1, DATA_START), np.arange(MONTHS + 1))
    q_label = np.array([_label(int(d), True) for d in q_first])
    m_label = np.array([_label(int(d), False) for d in m_first])
    sellers = np.flatnonzero(org.role == SELLER)
    n_teams = len(org.team_name)
    by_team = np.zeros((n_teams, MONTHS))
    np.add.at(by_team, org.team[sellers], actuals.won[sellers])
    rows = _Rows(rng)
    n_q = len(q_first)
    quarterly = (
        (COMPANY, _periods(by_team.sum(axis=0, keepdims=True), 3), np.array([""])),
        (TEAM, _periods(by_team, 3), np.array(org.team_name)),
    )
    for scope, won, names in quarterly:
        who = np.repeat(np.arange(len(names)), n_q)
        q = np.tile(np.arange(n_q), len(names))
        actual = won[who, q]
        n = len(actual)
        likely = actual * np.exp(rng.normal(0.04, 0.15, n))
        day = q_first[q] - rng.integers(1, 7, n)
        sid, period = names[who], q_label[q]
        rows.add(scope, sid, period, likely, day, MOST_LIKELY, MANAGER)
        rows.add(scope, sid, period, likely * rng.uniform(0.75, 0.9, n), day, COMMIT, MANAGER)
        rows.add(scope, sid, period, likely * rng.uniform(1.1, 1.3, n), day, BEST_CASE, MANAGER)
        mid = q_first[q] + 40  # the mid-quarter update, for quarters that reached it
        seen = mid <= m_first[MONTHS] - 1
        update = actual * np.exp(rng.normal(0.02, 0.08, n))
        rows.add(scope, sid[seen], period[seen], update[seen], mid[seen], MOST_LIKELY, MANAGER)
        if scope == COMPANY:
            stat = actual * np.exp(rng.normal(0.0, 0.12, n))
            rows.add(scope, sid, period, stat, day - 2, MOST_LIKELY, STATISTICAL)
    # Teams per month.
    won = _periods(by_team, 1)
    who = np.repeat(np.arange(n_teams), MONTHS + 1)
    m = np.tile(np.arange(MONTHS + 1), n_teams)
    n = len(who)
    likely = won[who, m] * np.exp(rng.normal(0.03, 0.2, n))
    day = m_first[m] - rng.integers(1, 4, n)
    rows.add(TEAM, np.array(org.team_name)[who], m_label[m], likely, day, MOST_LIKELY, MANAGER)
    # Sellers per quarter, while employed on the quarter's first day (reps are optimists).
    won = _periods(actuals.won[sellers], 3)
    who = np.repeat(np.arange(len(sellers)), n_q)
    q = np.tile(np.arange(n_q), len(sellers))
    rep = sellers[who]
    on = (org.hired[rep] <= q_first[q]) & ((org.left[rep] < 0) | (org.left[rep] > q_first[q]))
    likely = won[who, q] * np.exp(rng.normal(0.06, 0.3, len(who)))
    day = q_first[q] - rng.integers(1, 7, len(who))
    rep_id = rep_ids(rep[on]).to_numpy(zero_copy_only=False)
    rows.add(REP, rep_id, q_label[q][on], likely[on], day[on], MOST_LIKELY, MANAGER)

    kind, sid, period, amount, at, cat, meth = rows.columns()
    n = len(kind)
    return record_batch(
        "forecasts",
        {
            "forecast_id": ids("FC-", np.arange(1, n + 1)),
            "scope": pick(SCOPES, kind),
            "scope_id": np.ma.masked_array(sid.astype(str), mask=kind == COMPANY),
            "period": period.astype(str),
            "amount": (np.round(np.maximum(amount, 0) / 100_000) * 100_000).astype(np.int64),
            "submitted_at": at,
            "category": pick(CATEGORIES, cat),
            "method": pick(METHODS, meth),
        },
    )
