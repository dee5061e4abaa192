"""The sales organisation (regions, teams, managers, reps joining and leaving, territory slots
and generation blocks) and the attributes of accounts.

A *slot* is one seller's territory over the three years: held by one rep, or by a rep who left
and the successor hired after a gap. Accounts and deals belong to slots, so a deal that closes
after its rep left passes to the successor. A *block* is a group of whole teams generated (and
written) together; blocks bound the generator's memory.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr, choice, choice_rows, offsets
from salesmetrics.demo.arrow import concat, ids, pick, record_batch
from salesmetrics.demo.calendar import DATA_END, DATA_START, day, weekday

CRO, VP, MANAGER, SELLER = 0, 1, 2, 3
#: Seller rows per team (the last team of a region may be smaller).
TEAM_SIZE = 8
#: Teams generated together in one block (bounds memory: about 30 sellers a block).
TEAMS_PER_BLOCK = 4
#: Share of seller rows that belong to a territory held by two reps in turn.
TURNOVER_SHARE = 0.22
#: Share of single-rep territories that are new headcount (hired during the data period).
GROWTH_HIRE_SHARE = 0.2
#: Share of single-rep territories whose rep left without a successor.
UNREPLACED_SHARE = 0.06
REP_ID_WIDTH = 5
EMAIL_DOMAIN = "demo.salesmetrics.example"


def rep_ids(numbers: Arr) -> pa.Array:
    """Rep ids (``R-00042``) of 0-based rep indices."""
    return ids("R-", np.asarray(numbers) + 1, REP_ID_WIDTH)


@dataclass(frozen=True)
class Org:
    """The whole sales organisation, as arrays indexed by rep, team, slot and block."""

    # reps
    role: Arr
    team: Arr  # team index, -1 for the leadership team
    region: Arr  # region index, -1 for the CRO
    manager: Arr  # rep index, -1 for none
    hired: Arr
    left: Arr  # day number, -1 when still employed
    first: Arr
    last: Arr
    skill: Arr  # sellers' productivity multiplier (1 = average)
    # teams
    team_name: tuple[str, ...]
    team_region: Arr
    team_focus: Arr  # segment index the team mostly sells to
    # slots (territories), ordered by block
    slot_team: Arr
    slot_rep1: Arr
    slot_rep2: Arr  # -1 when one rep held the territory throughout
    block_slots: Arr  # offsets: block b has slots block_slots[b]:block_slots[b + 1]

    @property
    def n_reps(self) -> int:
        """Number of reps (every role)."""
        return len(self.role)

    @property
    def n_blocks(self) -> int:
        """Number of generation blocks."""
        return len(self.block_slots) - 1

    def active_window(self, reps: Arr) -> tuple[Arr, Arr]:
        """First and last day (inclusive) each rep was employed within the data period."""
        lo = np.maximum(self.hired[reps], DATA_START)
        hi = np.where(self.left[reps] >= 0, np.minimum(self.left[reps], DATA_END), DATA_END)
        return lo, hi

    def seller_days(self, reps: Arr) -> Arr:
        """Days each rep was employed within the data period (0 when not at all)."""
        lo, hi = self.active_window(reps)
        return np.asarray(np.maximum(hi - lo + 1, 0))

    def working_days(self, reps: Arr) -> Arr:
        """Weekdays each rep was employed within the data period."""
        lo, hi = self.active_window(reps)
        all_days = np.arange(DATA_START, DATA_END + 2, dtype=np.int64)
        cum = np.concatenate([[0], np.cumsum(weekday(all_days) < 5)])
        a = np.clip(lo - DATA_START, 0, len(all_days))
        b = np.clip(hi - DATA_START + 1, 0, len(all_days))
        return np.asarray(np.maximum(cum[b] - cum[a], 0))

    def rep_at(self, slots: Arr, days: Arr) -> Arr:
        """The rep holding each slot on each day (the successor from their hire date on)."""
        r2 = self.slot_rep2[slots]
        later = (r2 >= 0) & (days >= self.hired[np.maximum(r2, 0)])
        return np.where(later, r2, self.slot_rep1[slots])

    def current_rep(self, slots: Arr) -> Arr:
        """The rep holding each slot at the end of the data."""
        r2 = self.slot_rep2[slots]
        return np.where(r2 >= 0, r2, self.slot_rep1[slots])

    def block_reps(self, block: int) -> Arr:
        """Indices of the sellers whose territory is in ``block``."""
        s = slice(self.block_slots[block], self.block_slots[block + 1])
        both = np.concatenate([self.slot_rep1[s], self.slot_rep2[s]])
        return np.sort(both[both >= 0])


def _split(total: int, shares: Arr, minimum: int) -> Arr:
    """Split ``total`` in proportion to ``shares`` (largest remainder), each part >= minimum."""
    raw = shares / shares.sum() * (total - minimum * len(shares))
    parts = np.floor(raw).astype(np.int64)
    rest = total - minimum * len(shares) - parts.sum()
    parts[np.argsort(-(raw - parts), kind="stable")[:rest]] += 1
    return np.asarray(parts + minimum)


def _uniform_days(rng: np.random.Generator, lo: int, hi: int, size: int) -> Arr:
    return rng.integers(lo, hi + 1, size).astype(np.int64)


def make_org(rng: np.random.Generator, n_reps: int) -> Org:
    """A sales organisation of exactly ``n_reps`` reps (leadership, managers and sellers)."""
    n_regions = len(vocab.REGIONS)
    n_teams = max(n_regions, round((n_reps - 1 - n_regions) / (TEAM_SIZE + 1)))
    n_sellers = n_reps - 1 - n_regions - n_teams
    if n_sellers < n_teams:
        raise ValueError(f"{n_reps} reps are too few for a sales organisation")
    shares = np.array([r.share for r in vocab.REGIONS])
    team_region = np.repeat(np.arange(n_regions), _split(n_teams, shares, 1))
    team_focus = np.array([(1, 0, 2)[t % 3] for t in range(n_teams)], dtype=np.int64)
    seen: dict[tuple[int, int], int] = {}
    names = []
    for r, f in zip(team_region.tolist(), team_focus.tolist(), strict=True):
        seen[r, f] = seen.get((r, f), 0) + 1
        names.append(f"{vocab.REGIONS[r].short} {vocab.SEGMENTS[f]} {seen[r, f]}")
    team_rows = _split(n_sellers, np.ones(n_teams), 1)

    # Leadership (CRO, one VP per region), then a manager per team, then the sellers.
    role = np.concatenate(
        [[CRO], np.full(n_regions, VP), np.full(n_teams, MANAGER), np.full(n_sellers, SELLER)]
    ).astype(np.int64)
    vp_of_region = 1 + np.arange(n_regions)
    manager_of_team = 1 + n_regions + np.arange(n_teams)
    seller_team = np.repeat(np.arange(n_teams), team_rows)
    team = np.concatenate([[-1], np.full(n_regions, -1), np.arange(n_teams), seller_team])
    region = np.concatenate([[-1], np.arange(n_regions), team_region, team_region[seller_team]])
    manager = np.concatenate(
        [[-1], np.zeros(n_regions), vp_of_region[team_region], manager_of_team[seller_team]]
    ).astype(np.int64)
    hired = np.concatenate(
        [
            [day(2019, 3, 1)],
            _uniform_days(rng, day(2018, 1, 1), day(2021, 6, 30), n_regions),
            _uniform_days(rng, day(2016, 1, 1), day(2022, 6, 30), n_teams),
            np.zeros(n_sellers, dtype=np.int64),
        ]
    )
    left = np.full(n_reps, -1, dtype=np.int64)

    # Territory slots per team: the first rows of a team pair up (leaver, then successor).
    first_seller = 1 + n_regions + n_teams
    slot_team, slot_rep1, slot_rep2 = [], [], []
    row = first_seller
    for t, rows in enumerate(team_rows.tolist()):
        pairs = min(round(rows * TURNOVER_SHARE / 2), rows // 2)
        for _ in range(pairs):
            slot_team.append(t)
            slot_rep1.append(row)
            slot_rep2.append(row + 1)
            row += 2
        for _ in range(rows - 2 * pairs):
            slot_team.append(t)
            slot_rep1.append(row)
            slot_rep2.append(-1)
            row += 1
    s_team = np.array(slot_team, dtype=np.int64)
    s1 = np.array(slot_rep1, dtype=np.int64)
    s2 = np.array(slot_rep2, dtype=np.int64)

    paired = s2 >= 0
    a, b = s1[paired], s2[paired]
    hired[a] = _uniform_days(rng, day(2016, 6, 1), day(2022, 10, 31), len(a))
    left[a] = _uniform_days(rng, day(2023, 3, 1), day(2025, 6, 30), len(a))
    hired[b] = left[a] + rng.integers(20, 76, len(a))
    single = s1[~paired]
    kind = rng.random(len(single))
    growth = kind < GROWTH_HIRE_SHARE
    unreplaced = (kind >= GROWTH_HIRE_SHARE) & (kind < GROWTH_HIRE_SHARE + UNREPLACED_SHARE)
    hired[single] = np.where(
        growth,
        _uniform_days(rng, day(2023, 2, 1), day(2025, 9, 30), len(single)),
        _uniform_days(rng, day(2016, 6, 1), day(2022, 12, 1), len(single)),
    )
    left[single[unreplaced]] = _uniform_days(
        rng, day(2023, 6, 1), day(2025, 11, 30), int(unreplaced.sum())
    )

    skill = np.ones(n_reps)
    skill[first_seller:] = np.exp(rng.normal(0.0, 0.3, n_sellers))
    blocks_of_teams = offsets(np.full(-(-n_teams // TEAMS_PER_BLOCK), TEAMS_PER_BLOCK))
    block_slots = np.searchsorted(s_team, np.minimum(blocks_of_teams, n_teams))
    return Org(
        role=role,
        team=team,
        region=region,
        manager=manager,
        hired=hired,
        left=left,
        first=rng.integers(0, len(vocab.FIRST_NAMES), n_reps),
        last=rng.integers(0, len(vocab.LAST_NAMES), n_reps),
        skill=skill,
        team_name=tuple(names),
        team_region=team_region,
        team_focus=team_focus,
        slot_team=s_team,
        slot_rep1=s1,
        slot_rep2=s2,
        block_slots=block_slots,
    )


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def reps_batch(org: Org) -> pa.RecordBatch:
    """The ``reps`` table."""
    n = org.n_reps
    first = pick(vocab.FIRST_NAMES, org.first)
    last = pick(vocab.LAST_NAMES, org.last)
    number = pa.array(np.arange(1, n + 1)).cast(pa.string())
    email = concat(
        pick([_ascii(w) for w in vocab.FIRST_NAMES], org.first),
        ".",
        pick([_ascii(w) for w in vocab.LAST_NAMES], org.last),
        number,
        "@" + EMAIL_DOMAIN,
    )
    team_names = ("Leadership", *org.team_name)
    region_names = ("Global", *(r.name for r in vocab.REGIONS))
    manager = rep_ids(np.maximum(org.manager, 0)).to_numpy(zero_copy_only=False)
    return record_batch(
        "reps",
        {
            "rep_id": rep_ids(np.arange(n)),
            "name": concat(first, " ", last),
            "team": pick(team_names, org.team + 1),
            "manager_id": np.ma.masked_array(manager, mask=org.manager < 0),
            "region": pick(region_names, org.region + 1),
            "email": email,
            "hired_on": org.hired,
            "left_on": np.ma.masked_array(org.left, mask=org.left < 0),
        },
    )


@dataclass(frozen=True)
class Accounts:
    """Generated accounts of one block (indices into the vocabularies)."""

    slot: Arr
    segment: Arr
    industry: Arr
    country: Arr
    created: Arr  # seconds
    name: pa.Array

    @property
    def region(self) -> Arr:
        """Region index of each account (its country's)."""
        return np.array([c[1] for c in vocab.COUNTRIES], dtype=np.int64)[self.country]

    @property
    def currency(self) -> Arr:
        """Index (in money.CODES) of the currency each account is billed in."""
        from salesmetrics.demo.money import CODES

        codes = np.array([CODES.index(c[2]) for c in vocab.COUNTRIES], dtype=np.int64)
        return codes[self.country]


def account_attributes(
    rng: np.random.Generator, org: Org, slots: Arr, segment: Arr | None = None
) -> tuple[Arr, Arr, Arr]:
    """Segment, industry and country of accounts in the given slots' territories."""
    n = len(slots)
    team = org.slot_team[slots]
    if segment is None:
        focus = org.team_focus[team]
        seg_w = np.full((3, 3), 0.15) + np.eye(3) * 0.55
        segment = choice_rows(rng, seg_w, focus)
    industry = choice(rng, list(vocab.INDUSTRY_WEIGHTS), n)
    n_countries = len(vocab.COUNTRIES)
    country_w = np.zeros((len(vocab.REGIONS), n_countries))
    for i, (_name, r, _cur) in enumerate(vocab.COUNTRIES):
        country_w[r, i] = {c: w for c, w, _ in vocab.REGIONS[r].countries}[_name]
    country = choice_rows(rng, country_w, org.team_region[team])
    return segment, industry, country


def company_names(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` company names such as "Summit Logistics Pte Ltd" (not unique, as in real life)."""
    w = vocab.COMPANY_WORDS
    return concat(
        pick(w, rng.integers(0, len(w), n)),
        " ",
        pick(vocab.COMPANY_KINDS, rng.integers(0, len(vocab.COMPANY_KINDS), n)),
        " ",
        pick(vocab.COMPANY_SUFFIXES, rng.integers(0, len(vocab.COMPANY_SUFFIXES), n)),
    )


def accounts_batch(org: Org, acc: Accounts, account_id: pa.Array, churned: Arr) -> pa.RecordBatch:
    """The ``accounts`` rows of a block; ``churned`` is a day number, -1 for none."""
    return record_batch(
        "accounts",
        {
            "account_id": account_id,
            "name": acc.name,
            "segment": pick(vocab.SEGMENTS, acc.segment),
            "industry": pick(vocab.INDUSTRIES, acc.industry),
            "region": pick([r.name for r in vocab.REGIONS], acc.region),
            "country": pick([c[0] for c in vocab.COUNTRIES], acc.country),
            "owner_id": rep_ids(org.current_rep(acc.slot)),
            "created_at": acc.created,
            "churned_at": np.ma.masked_array(churned, mask=churned < 0),
        },
    )


def account_ids(numbers: Arr) -> pa.Array:
    """Account ids (``ACC-00000042``)."""
    return ids("ACC-", np.asarray(numbers) + 1)
