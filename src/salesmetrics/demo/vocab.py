"""The demo company's vocabularies: regions, countries, segments, stages, plans, channels, names.

Orders matter where noted (stages are in pipeline order; indices into these tuples are what the
generators store until a batch is built).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """A sales region: its countries (with weights and billing currency) and quota currency."""

    name: str
    short: str
    share: float
    quota_currency: str
    countries: tuple[tuple[str, float, str], ...]


REGIONS: tuple[Region, ...] = (
    Region(
        "North America",
        "NA",
        0.40,
        "USD",
        (("United States", 0.85, "USD"), ("Canada", 0.15, "USD")),
    ),
    Region(
        "EMEA",
        "EMEA",
        0.30,
        "EUR",
        (
            ("United Kingdom", 0.32, "GBP"),
            ("Germany", 0.26, "EUR"),
            ("France", 0.16, "EUR"),
            ("Netherlands", 0.14, "EUR"),
            ("United Arab Emirates", 0.12, "USD"),
        ),
    ),
    Region(
        "APAC",
        "APAC",
        0.20,
        "SGD",
        (
            ("Singapore", 0.30, "SGD"),
            ("Indonesia", 0.35, "IDR"),
            ("Australia", 0.25, "AUD"),
            ("Malaysia", 0.10, "USD"),
        ),
    ),
    Region(
        "LATAM",
        "LATAM",
        0.10,
        "USD",
        (("Brazil", 0.55, "USD"), ("Mexico", 0.45, "USD")),
    ),
)

#: Every country (flattened over regions, in order) with its region index and currency.
COUNTRIES: tuple[tuple[str, int, str], ...] = tuple(
    (name, r, cur) for r, region in enumerate(REGIONS) for name, _w, cur in region.countries
)

SEGMENTS = ("SMB", "Mid-market", "Enterprise")
#: Deal size (first-year contract value, USD) by segment: lognormal median and log-spread.
DEAL_MEDIAN_USD = (6_500.0, 25_000.0, 95_000.0)
DEAL_SIGMA = (0.55, 0.6, 0.7)

INDUSTRIES = (
    "Software",
    "Financial services",
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Logistics",
    "Education",
    "Media",
    "Telecommunications",
    "Energy",
    "Hospitality",
    "Professional services",
)
INDUSTRY_WEIGHTS = (16, 12, 10, 11, 9, 8, 6, 5, 5, 4, 5, 9)

#: Lead sources: name, share of leads, mean lead score, chance of qualifying.
LEAD_SOURCES: tuple[tuple[str, float, float, float], ...] = (
    ("web", 0.28, 48.0, 0.30),
    ("paid", 0.18, 40.0, 0.22),
    ("outbound", 0.20, 0.0, 0.26),
    ("event", 0.12, 52.0, 0.32),
    ("referral", 0.10, 66.0, 0.55),
    ("partner", 0.12, 58.0, 0.45),
)
#: Lead statuses (data-model values) and the CRM's own labels for them (Salesforce style).
LEAD_STATUS_RAW = {
    "new": "Open - Not Contacted",
    "working": "Working - Contacted",
    "qualified": "Qualified",
    "disqualified": "Closed - Not Converted",
    "converted": "Closed - Converted",
}

#: Open stages in pipeline order, with probability and forecast category; then the two closed.
OPEN_STAGES: tuple[tuple[str, float, str], ...] = (
    ("Prospecting", 0.10, "pipeline"),
    ("Qualification", 0.20, "pipeline"),
    ("Needs Analysis", 0.40, "pipeline"),
    ("Proposal", 0.60, "best_case"),
    ("Negotiation", 0.80, "commit"),
)
WON_STAGE, LOST_STAGE = len(OPEN_STAGES), len(OPEN_STAGES) + 1
STAGES = (*(s for s, _p, _f in OPEN_STAGES), "Closed Won", "Closed Lost")
STAGE_PROBABILITY = (*(p for _s, p, _f in OPEN_STAGES), 1.0, 0.0)
STAGE_FORECAST = (*(f for _s, _p, f in OPEN_STAGES), "closed", "omitted")
STAGE_STATUS = (*("open" for _ in OPEN_STAGES), "won", "lost")
LOST_REASONS = ("Price", "Competitor", "No decision", "Timing", "Missing feature", "Budget")
LOST_REASON_WEIGHTS = (24, 22, 26, 12, 9, 7)

OPPORTUNITY_TYPES = ("new_business", "expansion", "renewal")
NEW_BUSINESS, EXPANSION, RENEWAL = 0, 1, 2

#: Plan tiers (one per segment) with list price per seat and month, USD.
TIERS = ("Starter", "Growth", "Enterprise")
SEAT_PRICE_USD = (30.0, 65.0, 120.0)
BILLING = ("Monthly", "Annual")
MONTHLY, ANNUAL = 0, 1
EXPANSION_PRODUCTS = ("Additional seats", "Analytics add-on", "Premium support")

#: Activity types: name, share of logged activities, median minutes.
ACTIVITY_TYPES: tuple[tuple[str, float, float], ...] = (
    ("call", 0.20, 12.0),
    ("email", 0.22, 6.0),
    ("meeting", 0.09, 40.0),
    ("demo", 0.05, 50.0),
    ("prospecting", 0.07, 30.0),
    ("proposal", 0.03, 75.0),
    ("admin", 0.15, 40.0),
    ("internal_meeting", 0.10, 40.0),
    ("training", 0.04, 80.0),
    ("travel", 0.05, 130.0),
)

#: Product usage events: name, chance per active customer-month, median monthly count for a
#: 10-seat customer (counts grow with seats**0.2: big customers use more, not 100 times more).
ENGAGEMENT_EVENTS: tuple[tuple[str, float, float], ...] = (
    ("login", 0.99, 120.0),
    ("report_created", 0.93, 25.0),
    ("integration_used", 0.85, 40.0),
    ("dashboard_shared", 0.75, 6.0),
)
SEAT_ADDED = "seat_added"

#: Pulse survey questions (scores 0-10); ``enps`` is the eNPS question.
SURVEY_QUESTIONS = ("enps", "manager_support", "workload_balance", "tools", "growth")
SURVEY_COMMENTS = (
    "Too much time on admin and CRM updates.",
    "Great team, supportive manager.",
    "Quota feels out of reach this quarter.",
    "Would like more training on the new product.",
    "Lead quality from marketing has improved.",
    "Travel is wearing me out.",
    "Pricing approvals take too long.",
    "Happy with the new commission plan.",
)

#: Marketing and sales cost lines: category, item, cadence ("month", "quarter", "year").
COST_LINES: tuple[tuple[str, str, str], ...] = (
    ("marketing", "paid_search", "month"),
    ("marketing", "paid_social", "month"),
    ("marketing", "content", "month"),
    ("marketing", "events", "quarter"),
    ("marketing", "partner", "quarter"),
    ("marketing", "web", "year"),
    ("sales", "salaries", "month"),
    ("sales", "commissions", "month"),
    ("sales", "travel", "month"),
    ("sales", "tools", "year"),
    ("customer_success", "salaries", "month"),
)
#: The marketing channel of each lead source: the demo's ``[channels]`` mapping (set in the
#: workspace's salesmetrics.toml by the demo), so that spend and leads line up by channel.
#: Opportunities of existing customers keep their own source (an unmapped source).
CHANNEL_OF_SOURCE: dict[str, str] = {
    "web": "website",
    "paid": "paid_media",
    "outbound": "sdr_team",
    "event": "events",
    "referral": "referral_program",
    "partner": "partners",
}
_CH = CHANNEL_OF_SOURCE
#: The channel (``costs.channel``) each cost item is booked to, and its share; None leaves a
#: cost without a channel (the "(unallocated)" group: sales overhead).
COST_CHANNELS: dict[tuple[str, str], tuple[tuple[str | None, float], ...]] = {
    ("marketing", "paid_search"): ((_CH["paid"], 1.0),),
    ("marketing", "paid_social"): ((_CH["paid"], 1.0),),
    ("marketing", "content"): ((_CH["web"], 1.0),),
    ("marketing", "events"): ((_CH["event"], 1.0),),
    ("marketing", "partner"): ((_CH["partner"], 0.7), (_CH["referral"], 0.3)),
    ("marketing", "web"): ((_CH["web"], 1.0),),
    # the SDRs who work the outbound leads are part of the sellers' salaries
    ("sales", "salaries"): ((None, 0.84), (_CH["outbound"], 0.16)),
    ("sales", "commissions"): ((None, 1.0),),
    ("sales", "travel"): ((None, 1.0),),
    ("sales", "tools"): ((None, 1.0),),
    ("customer_success", "salaries"): ((None, 1.0),),
}

FIRST_NAMES = (
    "Ana", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hendra", "Indah", "Joko",
    "Kartika", "Lukas", "Maya", "Nadia", "Oscar", "Putri", "Rina", "Sari", "Tono", "Wulan",
    "Emma", "Liam", "Olivia", "Noah", "Sophia", "Lucas", "Mia", "Ethan", "Chloe", "Mateo",
    "Hannah", "Jonas", "Lea", "Finn", "Camille", "Hugo", "Sofia", "Diego", "Valentina", "Wei",
    "Mei", "Arjun", "Priya", "Kenji", "Yuki", "Omar", "Layla", "Daniel", "Grace", "Samuel",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Wijaya", "Halim", "Kusuma", "Pratama", "Siregar", "Nugroho", "Hartono",
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martin", "Clark", "Lewis",
    "Walker", "Müller", "Schmidt", "Weber", "Dubois", "Moreau", "Rossi", "Silva", "Santos",
    "Oliveira", "Hernández", "López", "Tan", "Lim", "Ng", "Wong", "Chen", "Kumar", "Sharma",
    "Tanaka", "Sato", "Haddad", "Khan",
)  # fmt: skip
COMPANY_WORDS = (
    "Blue", "River", "Summit", "Nusantara", "Cedar", "Harbor", "Pioneer", "Golden", "Atlas",
    "Borneo", "Nova", "Silver", "Maple", "Java", "Orbit", "Crest", "Lumen", "Vertex", "Sunrise",
    "Granite", "Coral", "Emerald", "Falcon", "Horizon", "Ironwood", "Jade", "Kestrel", "Lotus",
    "Meridian", "Northwind", "Oakridge", "Pacific", "Quantum", "Redwood", "Sapphire", "Tidal",
)  # fmt: skip
COMPANY_KINDS = (
    "Logistics", "Foods", "Systems", "Health", "Capital", "Retail", "Labs", "Energy",
    "Media", "Works", "Partners", "Group", "Technologies", "Industries", "Solutions", "Trading",
)  # fmt: skip
COMPANY_SUFFIXES = ("Inc", "Ltd", "GmbH", "PT", "Pte Ltd", "SA", "BV", "LLC", "Co")
