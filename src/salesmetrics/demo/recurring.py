"""Customers over time: subscriptions (new, expansion, contraction, churn, reactivation, trials),
the invoice lines that bill them, and the renewal and expansion deals behind each change.

A month-by-month simulation, vectorised over a block's customers. Annual plans renew on their
anniversary (renewal deal won, or lost = churn; sometimes with an uplift or a downsize); monthly
plans can cancel or downgrade at each billing date; any customer can add seats (an expansion
deal, a new subscription row and a prorated invoice line); churned customers sometimes return.

Invoice lines bill the subscriptions (annual plans yearly in advance, monthly plans monthly, seat
additions prorated to the next billing date, each line's MRR by the metrics' month rule equal to
the subscription's) plus one-off onboarding fees and a few credits. With both inputs present the
MRR rule needs ``recurring_source``: the demo sets it to ``subscriptions`` (see ``load``), and
the invoice lines feed recognized revenue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr
from salesmetrics.demo.calendar import (
    BILLING_START,
    DATA_END,
    DATA_START,
    HORIZON_END,
    add_months,
    month_of,
    month_start,
)
from salesmetrics.demo.money import Fx

#: Chance per renewal that an annual customer leaves, by segment.
ANNUAL_CHURN = np.array([0.22, 0.14, 0.08])
#: Chance per month that a monthly customer cancels, by segment.
MONTHLY_CHURN = np.array([0.03, 0.02, 0.015])
#: Chance per month that a customer adds seats, by segment.
EXPANSION = np.array([0.018, 0.03, 0.04])
#: Chance per month that a churned customer comes back (within two years).
REACTIVATION = 0.03
#: Share of customers on annual plans, by segment.
ANNUAL_SHARE = np.array([0.35, 0.65, 1.0])
#: Chance that a new customer started with a trial, by segment.
TRIAL_SHARE = np.array([0.3, 0.2, 0.0])
DAYS_PER_MONTH = 30.4375


@dataclass
class Customers:
    """Customers of one block: accounts that bought (legacy base or won new business)."""

    account: Arr
    slot: Arr
    segment: Arr
    currency: Arr
    start: Arr  # day the first paid subscription starts
    acv: Arr  # first-year contract value, cents in ``currency``
    new: Arr  # bool: acquired through a won deal in the data period (not the legacy base)

    def __len__(self) -> int:
        return len(self.account)


class _Rows:
    """Column lists collected month by month, concatenated at the end."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Arr]] = defaultdict(list)

    def add(self, mask: Arr, **cols: Arr | int | bool) -> None:
        n = int(mask.sum())
        if n == 0:
            return
        for name, value in cols.items():
            v = np.asarray(value)
            self.cols[name].append(v[mask] if v.ndim else np.full(n, v))

    def done(self, names: tuple[str, ...]) -> dict[str, Arr]:
        return {
            k: np.concatenate(self.cols[k]) if self.cols[k] else np.zeros(0, dtype=np.int64)
            for k in names
        }


SUB_FIELDS = ("account", "start", "end", "mrr", "currency", "tier", "billing", "seats", "trial")
LINE_FIELDS = (
    "account",
    "date",
    "amount",
    "currency",
    "service_start",
    "service_end",
    "tier",
    "billing",
    "recurring",
)
DEAL_FIELDS = ("customer", "type", "created", "close", "won", "amount", "tier", "product")


@dataclass
class Recurring:
    """The simulation's output for one block (dates in days; -1 for none)."""

    subscriptions: dict[str, Arr]
    lines: dict[str, Arr]
    deals: dict[str, Arr]
    seats_added: dict[str, Arr]  # account, day, seats
    churned: Arr  # per customer: day the customer was lost for good, -1 when still a customer


def service_months(first: Arr, last: Arr) -> Arr:
    """Months in [first, last] by the MRR rule: whole calendar months plus days / 30.4375."""
    end = np.asarray(last, dtype=np.int64) + 1
    n = month_of(end) - month_of(first)
    n = np.where(add_months(first, n) > end, n - 1, n)
    return n + (end - add_months(first, n)) / DAYS_PER_MONTH


def _uniform_day(rng: np.random.Generator, lo: Arr | int, hi: Arr | int, n: int) -> Arr:
    lo_a = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n,))
    hi_a = np.broadcast_to(np.asarray(hi, dtype=np.int64), (n,))
    return lo_a + (rng.random(n) * (hi_a - lo_a + 1)).astype(np.int64)


def simulate(
    rng: np.random.Generator,
    fx: Fx,
    cust: Customers,
    trial_accounts: Arr,
    trial_days: Arr,
    trial_segments: Arr,
    trial_currency: Arr,
) -> Recurring:
    """Run the customers' lives from BILLING_START to HORIZON_END; keep what happened by DATA_END.

    ``trial_*`` describe prospects that tried the product without buying (a 14-day trial each).
    """
    c = len(cust)
    seg = cust.segment
    tier = seg
    billing = np.where(rng.random(c) < ANNUAL_SHARE[seg], vocab.ANNUAL, vocab.MONTHLY)
    annual = billing == vocab.ANNUAL
    period = np.where(annual, 12, 1)
    mrr = np.maximum(np.round(cust.acv / 12.0), 100).astype(np.int64)
    usd_mrr = fx.to_usd(mrr, cust.currency, cust.start) / 100.0
    seats = np.maximum(np.round(usd_mrr / np.array(vocab.SEAT_PRICE_USD)[tier]), 1).astype(np.int64)
    active = np.zeros(c, dtype=bool)
    ever = np.zeros(c, dtype=bool)
    sub_start = np.full(c, -1, dtype=np.int64)
    anchor = cust.start.copy()
    n_bill = np.zeros(c, dtype=np.int64)
    next_bill = cust.start.copy()
    churn_day = np.full(c, -1, dtype=np.int64)
    idx = np.arange(c)

    subs, lines, deals, seat_rows = _Rows(), _Rows(), _Rows(), _Rows()
    common = {"currency": cust.currency, "tier": tier, "billing": billing}

    def close_sub(mask: Arr, end: Arr) -> None:
        subs.add(
            mask,
            account=cust.account,
            start=sub_start,
            end=end,
            mrr=mrr,
            seats=seats,
            trial=False,
            **common,
        )

    def invoice(mask: Arr, first: Arr, last: Arr, amount: Arr) -> None:
        lines.add(
            mask,
            account=cust.account,
            date=first,
            amount=amount,
            service_start=first,
            service_end=last,
            recurring=True,
            **common,
        )

    def deal(mask: Arr, kind: int, created: Arr, close: Arr, won: Arr | bool, amount: Arr) -> None:
        deals.add(
            mask,
            customer=idx,
            type=kind,
            created=created,
            close=close,
            won=won,
            amount=amount,
            tier=tier,
            product=-1,
        )

    first_month, end_month, last_month = (
        int(v) for v in month_of(np.array([BILLING_START, DATA_END, HORIZON_END]))
    )
    active_end, churn_end = active, churn_day
    for m in range(first_month, last_month + 1):
        ms, me = (int(v) for v in month_start(np.array([m, m + 1])) - np.array([0, 1]))
        # New customers start.
        new = ~ever & (cust.start >= ms) & (cust.start <= me)
        active |= new
        ever |= new
        sub_start[new] = cust.start[new]

        # Billing dates: renewals (annual anniversaries, monthly cycles), then the invoice.
        bill = active & (next_bill >= ms) & (next_bill <= me)
        b = next_bill.copy()
        renew = bill & (n_bill > 0)
        u = rng.random(c)
        p_churn = np.where(annual, ANNUAL_CHURN[seg], MONTHLY_CHURN[seg])
        p_down = np.where(annual, 0.10, 0.006)
        p_up = np.where(annual, 0.22, 0.0)
        churn = renew & (u < p_churn)
        down = renew & ~churn & (u < p_churn + p_down)
        up = renew & ~churn & ~down & (u < p_churn + p_down + p_up)
        change = down | up
        factor = np.where(down, rng.uniform(0.6, 0.9, c), rng.uniform(1.04, 1.10, c))
        old_mrr = mrr.copy()
        close_sub(churn | change, b)
        mrr = np.where(change, np.round(mrr * factor).astype(np.int64), mrr)
        seats = np.where(down, np.maximum(np.round(seats * factor), 1).astype(np.int64), seats)
        sub_start = np.where(change, b, sub_start)
        active &= ~churn
        churn_day = np.where(churn, b, churn_day)
        ren = renew & annual
        created = b - rng.integers(45, 101, c)
        close = np.where(churn, b, b - rng.integers(0, 15, c))
        deal(ren, vocab.RENEWAL, created, close, ~churn, 12 * np.where(churn, old_mrr, mrr))
        paid = bill & ~churn
        n_bill = np.where(bill, n_bill + 1, n_bill)
        next_bill = np.where(bill, add_months(anchor, n_bill * period), next_bill)
        invoice(paid, b, next_bill - 1, mrr * period)

        # Seat expansions (mid-term, prorated to the next billing date).
        expand = active & (rng.random(c) < EXPANSION[seg])
        d = _uniform_day(rng, ms, me, c)
        d = np.maximum(d, sub_start + 1)
        d = np.where(bill, np.maximum(d, b + 1), d)
        expand &= d < next_bill
        added = 1 + np.floor(seats * rng.uniform(0.1, 0.5, c)).astype(np.int64)
        new_mrr = np.round(mrr * (seats + added) / seats).astype(np.int64)
        close_sub(expand, d)
        delta = new_mrr - mrr
        invoice(expand, d, next_bill - 1, np.round(delta * service_months(d, next_bill - 1)))
        deal(expand, vocab.EXPANSION, d - rng.integers(20, 71, c), d, True, 12 * delta)
        seat_rows.add(expand, account=cust.account, day=d, seats=added)
        mrr = np.where(expand, new_mrr, mrr)
        seats = np.where(expand, seats + added, seats)
        sub_start = np.where(expand, d, sub_start)

        # Expansion attempts that fail (no change to the subscription).
        attempt = active & (rng.random(c) < 0.8 * EXPANSION[seg])
        opened = _uniform_day(rng, ms, me, c)
        lost_on = opened + np.maximum(np.round(35 * np.exp(rng.normal(0, 0.5, c))), 5).astype(
            np.int64
        )
        deal(
            attempt,
            vocab.EXPANSION,
            opened,
            lost_on,
            False,
            12 * np.round(mrr * rng.uniform(0.15, 0.5, c)),
        )

        # Churned customers who come back.
        back = (
            ~active
            & ever
            & (churn_day >= 0)
            & (ms - churn_day > 60)
            & (ms - churn_day < 730)
            & (rng.random(c) < REACTIVATION)
        )
        d = _uniform_day(rng, ms, me, c)
        mrr = np.where(back, np.round(mrr * rng.uniform(0.7, 1.1, c)).astype(np.int64), mrr)
        sub_start = np.where(back, d, sub_start)
        anchor = np.where(back, d, anchor)
        n_bill = np.where(back, 1, n_bill)
        next_bill = np.where(back, add_months(d, period), next_bill)
        invoice(back, d, next_bill - 1, mrr * period)
        deal(back, vocab.NEW_BUSINESS, d - rng.integers(15, 61, c), d, True, 12 * mrr)
        active |= back
        churn_day = np.where(back, -1, churn_day)
        if m == end_month:
            active_end, churn_end = active.copy(), churn_day.copy()

    close_sub(active, np.full(c, -1, dtype=np.int64))
    sub = subs.done(SUB_FIELDS)
    line = lines.done(LINE_FIELDS)
    dl = deals.done(DEAL_FIELDS)
    seat = seat_rows.done(("account", "day", "seats"))

    # Trials: before some new customers' first subscription, and prospects who did not buy.
    trial_len = rng.integers(14, 31, c)
    had_trial = cust.new & (rng.random(c) < TRIAL_SHARE[seg])
    trials = {
        "account": np.concatenate([cust.account[had_trial], trial_accounts]),
        "start": np.concatenate([(cust.start - trial_len)[had_trial], trial_days]),
        "end": np.concatenate([cust.start[had_trial], trial_days + 14]),
        "mrr": np.zeros(int(had_trial.sum()) + len(trial_accounts), dtype=np.int64),
        "currency": np.concatenate([cust.currency[had_trial], trial_currency]),
        "tier": np.concatenate([tier[had_trial], trial_segments]),
        "billing": np.concatenate(
            [billing[had_trial], np.full(len(trial_accounts), vocab.MONTHLY)]
        ),
        "seats": np.concatenate(
            [np.minimum(seats[had_trial], 10), np.full(len(trial_accounts), 5)]
        ),
        "trial": np.ones(int(had_trial.sum()) + len(trial_accounts), dtype=bool),
    }
    sub = {k: np.concatenate([sub[k], trials[k]]) for k in SUB_FIELDS}

    # One-off onboarding fees for new mid-market and enterprise customers, and a few credits.
    fee = cust.new & (seg >= 1) & (rng.random(c) < 0.7)
    fee_amount = np.round(cust.acv * rng.uniform(0.08, 0.15, c), -4)
    credit = rng.random(len(line["date"])) < 0.01
    one_off = {
        "account": np.concatenate([cust.account[fee], line["account"][credit]]),
        "date": np.concatenate(
            [cust.start[fee], line["date"][credit] + rng.integers(5, 41, int(credit.sum()))]
        ),
        "amount": np.concatenate(
            [
                fee_amount[fee],
                -np.round(line["amount"][credit] * rng.uniform(0.05, 0.2, int(credit.sum()))),
            ]
        ),
        "currency": np.concatenate([cust.currency[fee], line["currency"][credit]]),
        "service_start": np.full(int(fee.sum() + credit.sum()), -1),
        "service_end": np.full(int(fee.sum() + credit.sum()), -1),
        "tier": np.concatenate([np.full(int(fee.sum()), -1), line["tier"][credit]]),
        "billing": np.concatenate([np.full(int(fee.sum()), -1), line["billing"][credit]]),
        "recurring": np.zeros(int(fee.sum() + credit.sum()), dtype=bool),
    }
    line = {k: np.concatenate([line[k], one_off[k]]) for k in LINE_FIELDS}

    # Keep what happened by DATA_END; what runs on past it is still running.
    keep = sub["start"] <= DATA_END
    sub = {k: v[keep] for k, v in sub.items()}
    sub["end"] = np.where(sub["end"] > DATA_END, -1, sub["end"])
    line = {k: v[line["date"] <= DATA_END] for k, v in line.items()}
    seat = {k: v[seat["day"] <= DATA_END] for k, v in seat.items()}
    # Deals: the CRM starts at DATA_START (earlier renewals were not tracked; deals already
    # open then were entered in its first days); nothing is created after DATA_END.
    go_live = DATA_START + rng.integers(0, 10, len(dl["created"]))
    dl["created"] = np.maximum(dl["created"], np.minimum(go_live, dl["close"] - 3))
    dl["close"] = np.maximum(dl["close"], dl["created"] + 1)
    # A deal about a customer is not opened before it became one.
    dl["created"] = np.maximum(dl["created"], cust.start[dl["customer"]])
    dl["close"] = np.maximum(dl["close"], dl["created"] + 1)
    keep = (dl["created"] >= DATA_START) & (dl["created"] <= DATA_END)
    dl = {k: v[keep] for k, v in dl.items()}
    dl["product"] = np.where(
        dl["type"] == vocab.EXPANSION,
        rng.integers(0, len(vocab.EXPANSION_PRODUCTS), len(dl["type"])),
        -1,
    )
    churned = np.where(~active_end & (churn_end >= 0), churn_end, -1)
    for rows in (line, dl):
        rows["amount"] = np.round(rows["amount"]).astype(np.int64)
    return Recurring(sub, line, dl, seat, churned)
