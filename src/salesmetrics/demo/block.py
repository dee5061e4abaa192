"""One block of the demo company: a few whole teams with their territories, accounts, leads,
deals and their history, customers and billing, activities, product usage and survey answers.

Blocks are generated one after another; a block needs only the organisation, the exchange rates
and where the previous blocks' ids ended, so memory is bounded by the block, not by the scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from salesmetrics.demo import hygiene, vocab
from salesmetrics.demo.activity import activities_batch
from salesmetrics.demo.arrays import Arr, group_ids, offsets
from salesmetrics.demo.arrow import ids, masked, pick, record_batch, take
from salesmetrics.demo.calendar import (
    AS_OF_END_SEC,
    BILLING_START,
    DATA_END,
    DATA_START,
    DAY,
    month_of,
    sample_days,
    seasonal_weights,
    work_seconds,
)
from salesmetrics.demo.company import (
    MANAGER,
    Accounts,
    Org,
    account_attributes,
    account_ids,
    accounts_batch,
    company_names,
    rep_ids,
)
from salesmetrics.demo.deals import ABANDONED, LOST, NOT_SET, WON, build_history, closed_by_end
from salesmetrics.demo.leads import lead_ids, leads_batch, make_leads
from salesmetrics.demo.money import CODES, Fx, nice_amount
from salesmetrics.demo.people import surveys_batch
from salesmetrics.demo.pipeline import (
    EXISTING_CUSTOMER,
    OUTBOUND,
    closing_amount,
    concat_plans,
    history_batch,
    opportunities_batch,
    opportunity_ids,
    plan_known,
    plan_new_business,
)
from salesmetrics.demo.recurring import Customers, simulate
from salesmetrics.demo.targets import Actuals
from salesmetrics.demo.usage import engagement_batch

#: New-business deals a rep opens without a lead, per lead-sourced deal.
OUTBOUND_SHARE = 0.1
#: Prospect accounts per lead that did not become a deal.
PROSPECTS_PER_LEAD = 0.45
#: Leads that come with no company (free-mail sign-ups).
LEADS_WITHOUT_ACCOUNT = 0.15
#: Lost new-business prospects (SMB and mid-market) that had tried the product.
TRIAL_WITHOUT_PURCHASE = 0.1
#: Subscription plans: tier x billing.
PLANS = tuple(f"{t} {b}" for t in vocab.TIERS for b in vocab.BILLING)


@dataclass
class Rates:
    """Per-rep-day volumes that make the whole company land near the scale's targets."""

    leads_per_day: float
    activities_per_workday: float
    legacy_per_day: float


@dataclass
class Counters:
    """Rows generated so far per id sequence (ids continue from block to block)."""

    n: dict[str, int] = field(default_factory=dict)

    def take(self, name: str, count: int) -> int:
        """Reserve ``count`` numbers of sequence ``name``; returns the first (0-based)."""
        first = self.n.get(name, 0)
        self.n[name] = first + count
        return first


def slot_of_reps(org: Org) -> Arr:
    """The territory slot of every rep (-1 for leadership and managers)."""
    slot = np.full(org.n_reps, -1, dtype=np.int64)
    slot[org.slot_rep1] = np.arange(len(org.slot_rep1))
    two = org.slot_rep2 >= 0
    slot[org.slot_rep2[two]] = np.flatnonzero(two)
    return slot


def _share(weights: Arr) -> Arr:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / max(len(w), 1))


def _with_unknown(rng: np.random.Generator, owner: pa.Array, problem: str) -> pa.Array:
    """``owner`` ids with a share replaced by ids of reps that are not in the reps table."""
    n = len(owner)
    bad = hygiene.choose(rng, problem, np.ones(n, dtype=bool), n)
    unknown = pa.array(hygiene.unknown_reps(rng, n), pa.string())
    return pa.compute.if_else(pa.array(bad), unknown, owner)


def generate_block(
    seed: int, block: int, org: Org, fx: Fx, rates: Rates, counters: Counters, actuals: Actuals
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The rows of one block, as (table, batch) pairs; updates ``counters`` and ``actuals``.

    A generator: nothing is computed until the first pair is asked for.
    """
    rng = np.random.default_rng([seed, 1, block])
    reps = org.block_reps(block)
    slot0, slot1 = int(org.block_slots[block]), int(org.block_slots[block + 1])
    rep_slot = slot_of_reps(org)[reps]

    # -- leads, and the new-business deals they turn into -------------------------------------
    leads = make_leads(rng, org, reps, rep_slot, rates.leads_per_day)
    converted = leads.converted != NOT_SET
    no_deal = hygiene.choose(
        rng, "lead_converted_without_opportunity", converted, int(converted.sum())
    )
    from_lead = np.flatnonzero(converted & ~no_deal)
    n_outbound = int(rng.poisson(OUTBOUND_SHARE * len(from_lead)))
    ob_pos = rng.choice(len(reps), n_outbound, p=_share(org.seller_days(reps)))
    lo, hi = org.active_window(reps[ob_pos])
    ob_day = sample_days(rng, seasonal_weights(DATA_START, DATA_END), DATA_START, lo, hi)
    nb_created = np.concatenate(
        [leads.converted[from_lead], ob_day * DAY + work_seconds(rng, n_outbound)]
    )
    nb_rep = np.concatenate([leads.rep[from_lead], reps[ob_pos]])
    nb_slot = np.concatenate([leads.slot[from_lead], rep_slot[ob_pos]])
    n_nb = len(nb_created)

    # -- accounts: one per new-business deal, prospects for other leads, the legacy base ---------
    seg, ind, country = account_attributes(rng, org, nb_slot)
    other = np.flatnonzero(~converted | no_deal)
    per_slot = np.bincount(leads.slot[other] - slot0, minlength=slot1 - slot0)
    prospects = np.round(per_slot * PROSPECTS_PER_LEAD).astype(np.int64)
    p_slot = slot0 + group_ids(prospects)
    p_seg, p_ind, p_country = account_attributes(rng, org, p_slot)
    slot_days = np.zeros(slot1 - slot0)
    np.add.at(slot_days, rep_slot - slot0, org.seller_days(reps))
    l_slot = slot0 + group_ids(rng.poisson(rates.legacy_per_day * slot_days))
    l_seg, l_ind, l_country = account_attributes(rng, org, l_slot)
    n_legacy = len(l_slot)
    l_start = sample_days(
        rng,
        seasonal_weights(BILLING_START, DATA_START - 1),
        BILLING_START,
        np.full(n_legacy, BILLING_START),
        np.full(n_legacy, DATA_START - 1),
    )
    n_acc = n_nb + len(p_slot) + n_legacy
    a_nb = np.arange(n_nb)
    a_legacy = n_nb + len(p_slot) + np.arange(n_legacy)

    # Converted leads belong to their deal's account; most others to a prospect of their
    # territory; some to no company at all.
    leads.deal[from_lead] = np.arange(len(from_lead))
    leads.account[from_lead] = a_nb[: len(from_lead)]
    local = leads.slot[other] - slot0
    p_first = offsets(prospects)
    has_acc = (prospects[local] > 0) & (rng.random(len(other)) >= LEADS_WITHOUT_ACCOUNT)
    k = p_first[local] + (rng.random(len(other)) * prospects[local]).astype(np.int64)
    leads.account[other] = np.where(has_acc, n_nb + np.minimum(k, max(len(p_slot) - 1, 0)), -1)

    never = np.iinfo(np.int64).max
    acc_created = np.full(n_acc, never, dtype=np.int64)
    with_acc = leads.account >= 0
    np.minimum.at(acc_created, leads.account[with_acc], leads.created[with_acc])
    acc_created[len(from_lead) : n_nb] = nb_created[len(from_lead) :]
    untouched = acc_created == never
    acc_created = acc_created - rng.integers(DAY, 20 * DAY, n_acc)
    n_untouched = int(untouched.sum())
    acc_created[untouched] = rng.integers(
        DATA_START - 700, DATA_END - 30, n_untouched
    ) * DAY + work_seconds(rng, n_untouched)
    acc_created[a_legacy] = (l_start - rng.integers(30, 400, n_legacy)) * DAY + work_seconds(
        rng, n_legacy
    )
    acc = Accounts(
        slot=np.concatenate([nb_slot, p_slot, l_slot]),
        segment=np.concatenate([seg, p_seg, l_seg]),
        industry=np.concatenate([ind, p_ind, l_ind]),
        country=np.concatenate([country, p_country, l_country]),
        created=acc_created,
        name=company_names(rng, n_acc),
    )
    acc_cur = acc.currency
    leads.segment[with_acc] = acc.segment[leads.account[with_acc]]

    # -- deals: new business first, then the customers' lives and the deals they imply ----------
    nb = plan_new_business(rng, fx, nb_created, seg, acc_cur[a_nb], org.skill[nb_rep])
    nb_close = nb.close_at // DAY
    won_nb = np.flatnonzero((nb.outcome == WON) & (nb_close <= DATA_END))
    l_cur = acc_cur[a_legacy]
    l_usd = np.array(vocab.DEAL_MEDIAN_USD)[l_seg] * np.exp(
        rng.normal(0.0, 1.0, n_legacy) * np.array(vocab.DEAL_SIGMA)[l_seg]
    )
    customers = Customers(
        account=np.concatenate([a_nb[won_nb], a_legacy]),
        slot=np.concatenate([nb_slot[won_nb], l_slot]),
        segment=np.concatenate([seg[won_nb], l_seg]),
        currency=np.concatenate([acc_cur[won_nb], l_cur]),
        start=np.concatenate([nb_close[won_nb], l_start]),
        acv=np.concatenate(
            [closing_amount(nb)[won_nb], nice_amount(fx.from_usd(l_usd, l_cur, l_start), l_cur)]
        ),
        new=np.concatenate([np.ones(len(won_nb), bool), np.zeros(n_legacy, bool)]),
    )
    tried = (nb.outcome == LOST) & (nb_close <= DATA_END) & (seg < 2)
    tried = np.flatnonzero(tried & (rng.random(n_nb) < TRIAL_WITHOUT_PURCHASE))
    rec = simulate(
        rng, fx, customers, a_nb[tried], nb_created[tried] // DAY + 5, seg[tried], acc_cur[tried]
    )
    kd = rec.deals
    k_cust = kd["customer"]
    n_known = len(k_cust)
    known = plan_known(
        rng,
        kd["type"],
        kd["created"],
        kd["close"],
        kd["won"].astype(bool),
        kd["amount"],
        customers.currency[k_cust],
    )
    plan = concat_plans(nb, known)
    n_deals = len(plan)
    d_kind = np.concatenate([np.full(n_nb, vocab.NEW_BUSINESS), kd["type"]])
    d_account = np.concatenate([a_nb, customers.account[k_cust]])
    d_slot = acc.slot[d_account]
    d_cur = acc_cur[d_account]
    # The lead (row in ``leads``) each deal came from, -1 for none.
    d_lead_row = np.concatenate([from_lead, np.full(n_deals - len(from_lead), -1)])
    d_source = np.concatenate(
        [
            leads.source[from_lead],
            np.full(n_outbound, OUTBOUND),
            np.full(n_known, EXISTING_CUSTOMER),
        ]
    )
    expansion_product = len(vocab.TIERS) + np.maximum(kd["product"], 0)
    d_product = np.concatenate(
        [seg, np.where(kd["type"] == vocab.EXPANSION, expansion_product, customers.segment[k_cust])]
    )

    # -- hygiene in the deals' histories: abandoned deals, late corrections, regressions --------
    open_at_end = (plan.outcome != ABANDONED) & (plan.close_at >= AS_OF_END_SEC)
    c_day = plan.created // DAY
    can_abandon = (
        (np.arange(n_deals) < n_nb)
        & (plan.outcome == LOST)
        & (plan.close_at < AS_OF_END_SEC)
        & (c_day <= DATA_END - 120)
    )
    abandon = hygiene.choose(rng, "stale_open_deal", can_abandon, int(open_at_end.sum()), odds=True)
    plan.outcome[abandon] = ABANDONED
    span = (DATA_END - 21 - c_day[abandon]) * rng.random(int(abandon.sum()))
    plan.expected[abandon] = c_day[abandon] + 14 + span.astype(np.int64)
    closed = closed_by_end(plan)
    late_ok = closed & (plan.close_at + 45 * DAY < AS_OF_END_SEC)
    late = hygiene.choose(rng, "history_after_close", late_ok, int(closed.sum()))
    corrected = nice_amount(closing_amount(plan) / 100 * rng.uniform(0.9, 1.1, n_deals), d_cur)
    plan.post_close = np.where(late, corrected, NOT_SET)
    plan.regress = hygiene.choose(
        rng, "stage_regression", closed & (plan.top >= plan.start + 2), n_deals
    )
    hist = build_history(rng, plan)
    last = hist.last_rows()
    stage = hist.stage[last]
    is_open = stage < vocab.WON_STAGE
    missing = hygiene.choose(rng, "open_deal_missing_amount", is_open, int(is_open.sum()))
    hist.amount[missing[hist.deal]] = NOT_SET
    is_won = stage == vocab.WON_STAGE
    no_close = hygiene.choose(rng, "won_missing_close_date", is_won, int(is_won.sum()))
    hist.close[no_close[hist.deal] & (hist.stage == vocab.WON_STAGE)] = NOT_SET
    is_lost = stage == vocab.LOST_STAGE
    early = hygiene.choose(rng, "close_before_created", is_lost, int(is_lost.sum()))
    rows = early[hist.deal] & (hist.stage == vocab.LOST_STAGE)
    hist.close[rows] = (c_day - rng.integers(1, 31, n_deals))[hist.deal[rows]]

    # -- ids: deals numbered in order of creation; ids continue across blocks -------------------
    number = np.empty(n_deals, dtype=np.int64)
    number[np.argsort(plan.created, kind="stable")] = np.arange(n_deals)
    deal_id = opportunity_ids(counters.take("opportunities", n_deals) + number)
    acc_id = account_ids(counters.take("accounts", n_acc) + np.arange(n_acc))
    lead_first = counters.take("leads", len(leads))
    as_of = np.where(plan.outcome == ABANDONED, plan.created, plan.close_at) // DAY
    owner = org.rep_at(d_slot, np.minimum(as_of, DATA_END))
    owner_id = _with_unknown(rng, rep_ids(owner), "deal_unknown_owner")

    # -- bookings per rep and month, for quotas and forecasts -------------------------------------
    close_now = hist.close[last]
    amount_now = hist.amount[last]
    counted = is_won & (close_now != NOT_SET) & (amount_now != NOT_SET)
    counted &= np.isin(owner_id.to_numpy(zero_copy_only=False), hygiene.UNKNOWN_REPS, invert=True)
    month = month_of(close_now[counted]) - int(month_of(np.array([DATA_START]))[0])
    booked = fx.to_base(amount_now[counted], d_cur[counted], close_now[counted])
    actuals.add(owner[counted], month, booked)

    # -- batches -----------------------------------------------------------------------------------
    churned = np.full(n_acc, -1, dtype=np.int64)
    churned[customers.account] = rec.churned
    yield "accounts", accounts_batch(org, acc, acc_id, churned)

    lead_owner = _with_unknown(rng, rep_ids(leads.rep), "lead_unknown_owner")
    known_owner = np.isin(
        lead_owner.to_numpy(zero_copy_only=False), hygiene.UNKNOWN_REPS, invert=True
    )
    orphan = hygiene.choose(rng, "lead_missing_owner", known_owner, len(leads))
    yield (
        "leads",
        leads_batch(
            leads,
            lead_first,
            masked(lead_owner, ~orphan),
            take(acc_id, leads.account, leads.account >= 0),
            take(deal_id, leads.deal, leads.deal >= 0),
        ),
    )
    yield (
        "opportunities",
        opportunities_batch(
            rng,
            hist,
            deal_id,
            account_id=take(acc_id, d_account),
            owner_id=owner_id,
            lead_id=masked(lead_ids(lead_first + np.maximum(d_lead_row, 0)), d_lead_row >= 0),
            account_name=take(acc.name, d_account),
            kind=d_kind,
            source=d_source,
            product=d_product,
            created=plan.created,
            currency=pick(CODES, d_cur),
        ),
    )
    yield "opportunity_history", history_batch(hist, deal_id)

    subs = dict(rec.subscriptions)
    yield "subscriptions", _subscriptions_batch(rng, subs, acc_id, counters)
    yield "invoice_lines", _invoice_batch(rec.lines, acc_id, counters)

    deal_end = np.where(closed, plan.close_at, AS_OF_END_SEC)
    activities = activities_batch(
        rng,
        org,
        reps,
        rep_slot - slot0,
        rates.activities_per_workday,
        lambda n: counters.take("activities", n),
        (d_slot - slot0, plan.created, deal_end, d_account),
        deal_id,
        acc_id,
    )
    rep_col = activities.schema.get_field_index("rep_id")
    activities = activities.set_column(
        rep_col,
        "rep_id",
        _with_unknown(rng, activities.column(rep_col), "activity_unknown_rep"),
    )
    yield "activities", activities
    yield (
        "engagement_events",
        engagement_batch(rng, rec.subscriptions, rec.seats_added, churned, acc_id),
    )
    teams = np.unique(org.slot_team[slot0:slot1])
    managers = np.flatnonzero((org.role == MANAGER) & np.isin(org.team, teams))
    people = np.concatenate([reps, managers])
    people.sort()
    yield (
        "survey_responses",
        surveys_batch(rng, org, people, lambda n: counters.take("survey_responses", n), seed),
    )


def _subscriptions_batch(
    rng: np.random.Generator, subs: dict[str, Arr], acc_id: pa.Array, counters: Counters
) -> pa.RecordBatch:
    # Hygiene: a few accounts get a duplicated subscription row starting a few days later.
    accounts = np.unique(subs["account"])
    paid = ~subs["trial"].astype(bool)
    long_enough = (subs["end"] < 0) | (subs["end"] - subs["start"] > 25)
    long_rows = np.flatnonzero(paid & long_enough & (subs["start"] <= DATA_END - 21))
    with_long, first = np.unique(subs["account"][long_rows], return_index=True)
    chosen = hygiene.choose(
        rng, "overlapping_subscriptions", np.ones(len(with_long), dtype=bool), len(accounts)
    )
    dup = long_rows[first[chosen]]
    extra = {k: v[dup] for k, v in subs.items()}
    extra["start"] = extra["start"] + rng.integers(1, 21, len(dup))
    subs = {k: np.concatenate([subs[k], extra[k]]) for k in subs}
    order = np.lexsort((subs["start"], subs["account"]))
    subs = {k: v[order] for k, v in subs.items()}
    n = len(order)
    return record_batch(
        "subscriptions",
        {
            "subscription_id": ids("SUB-", counters.take("subscriptions", n) + np.arange(n) + 1),
            "account_id": take(acc_id, subs["account"]),
            "start_date": subs["start"],
            "end_date": np.ma.masked_less(subs["end"], 0),
            "mrr": subs["mrr"],
            "currency": pick(CODES, subs["currency"]),
            "plan": pick(PLANS, subs["tier"] * 2 + subs["billing"]),
            "quantity": subs["seats"],
            "is_trial": subs["trial"].astype(bool),
        },
    )


def _invoice_batch(lines: dict[str, Arr], acc_id: pa.Array, counters: Counters) -> pa.RecordBatch:
    order = np.lexsort((lines["account"], lines["date"]))
    ln = {k: v[order] for k, v in lines.items()}
    n = len(order)
    plan = np.ma.masked_less(ln["tier"] * 2 + ln["billing"], 0)
    return record_batch(
        "invoice_lines",
        {
            "line_id": ids("INV-", counters.take("invoice_lines", n) + np.arange(n) + 1),
            "account_id": take(acc_id, ln["account"]),
            "invoice_date": ln["date"],
            "amount": ln["amount"],
            "currency": pick(CODES, ln["currency"]),
            "service_start": np.ma.masked_less(ln["service_start"], 0),
            "service_end": np.ma.masked_less(ln["service_end"], 0),
            "plan": pick(PLANS, plan),
            "is_recurring": ln["recurring"].astype(bool),
        },
    )
