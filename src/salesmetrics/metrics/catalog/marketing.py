"""Marketing metrics: what marketing and sales spent, the cost of a lead, and MRR growth.

A *channel* (metrics.md "Marketing") is a cost's ``channel`` on the spend side and a lead's
``source`` on the acquisition side, mapped by ``[channels]`` in ``salesmetrics.toml``; a
customer's channel is its first touch. Grouped ``--by channel``, costs without a channel form the
group ``(unallocated)`` and a source without a mapping is its own channel: both are said in the
note of the rows concerned (:func:`channel_notes`).
"""

from __future__ import annotations

from typing import Any

from salesmetrics import formulas
from salesmetrics.conventions import UNALLOCATED_CHANNEL
from salesmetrics.dims import CHANNEL
from salesmetrics.metrics.catalog.recurring import NO_START_MRR, RECURRING_TABLES
from salesmetrics.metrics.compute import (
    Computed,
    Inputs,
    ObjectArray,
    combine_notes,
    count,
    money,
    notes,
)
from salesmetrics.metrics.registry import (
    OPERATING,
    Direction,
    Example,
    Metric,
    Role,
    Section,
    Text,
    Unit,
)

COST_TABLES = ("costs",)
UNALLOCATED_NOTE = (
    f"{UNALLOCATED_CHANNEL}: costs without a channel, shown apart, never spread over the channels"
)


def channel_notes(c: Inputs, sourced: Any) -> ObjectArray | None:
    """The channel notes of rows grouped by channel (None otherwise): the ``(unallocated)``
    group says what it is, and a row whose channel is a source without a ``[channels]``
    mapping says so where ``sourced`` (a mask: the row counts leads or customers, so its channel
    came from a source) holds."""
    if not c.has(CHANNEL):
        return None
    import numpy as np

    channel = c.column(CHANNEL)
    named = set(c.config.channels) | set(c.config.channels.values()) | {UNALLOCATED_CHANNEL}
    unmapped = channel.notna() & ~channel.isin(named) & np.asarray(sourced, dtype=bool)
    text = (
        "source '" + channel.where(unmapped, "") + "' is not mapped in [channels]: its own channel"
    )
    out = np.full(len(c), None, dtype=object)
    out[unmapped.to_numpy()] = text[unmapped].to_numpy(dtype=object)
    out[(channel == UNALLOCATED_CHANNEL).to_numpy()] = UNALLOCATED_NOTE
    return out


def _spend(component: str) -> Any:
    def compute(c: Inputs) -> Computed:
        import numpy as np

        no_sources = np.zeros(len(c), dtype=bool)  # spend rows count no leads or customers
        return Computed(
            value=money(c[component]),
            components={component: money(c[component])},
            notes=channel_notes(c, no_sources),
        )

    compute.__name__ = f"_{component}"
    return compute


def _cost_per(leads: str, why: str) -> Any:
    def compute(c: Inputs) -> Computed:
        import numpy as np

        fn = (
            formulas.cost_per_lead if leads == "leads_created" else formulas.cost_per_qualified_lead
        )
        value = np.asarray(fn(c["marketing_cost"], c[leads]))
        none = notes(c, (c[leads] == 0, why))
        return Computed(
            value=money(value),
            components={"marketing_spend": money(c["marketing_cost"]), leads: count(c[leads])},
            notes=combine_notes(none, channel_notes(c, c[leads] > 0)),
        )

    compute.__name__ = f"_cost_per_{leads}"
    return compute


def _mrr_growth_rate(c: Inputs) -> Computed:
    import numpy as np

    value = np.asarray(formulas.mrr_growth_rate(c["mrr_end"], c["mrr_start"]))
    none = notes(c, (c["mrr_start"] == 0, NO_START_MRR))
    sourced = (c["mrr_customers_start"] + c["mrr_customers_end"]) > 0
    return Computed(
        value=value,
        components={
            "mrr_start": money(c["mrr_start"]),
            "mrr_end": money(c["mrr_end"]),
            "customers_at_start": count(c["mrr_customers_start"]),
            "customers_at_end": count(c["mrr_customers_end"]),
        },
        notes=combine_notes(none, channel_notes(c, sourced)),
    )


SPREAD = Text(
    " A cost with a period (period_start, period_end) is spread evenly by day over it and"
    " counts for the days it shares with P; amounts are converted at the rate of the cost's"
    " date. By channel: the cost's channel; costs without one form the group (unallocated).",
    " Biaya dengan rentang waktu (period_start, period_end) dibagi rata per hari dan dihitung"
    " untuk hari-hari yang beririsan dengan P; jumlahnya dikonversi dengan kurs pada tanggal"
    " biaya. Per kanal: kanal biaya itu; biaya tanpa kanal membentuk grup (unallocated).",
)
LEAD_CHANNEL = Text(
    " By channel, a lead's channel is its source mapped by [channels] in salesmetrics.toml (an"
    " unmapped source is its own channel, named in the note), and the spend is the spend of"
    " that channel.",
    " Per kanal, kanal sebuah prospek adalah sumbernya yang dipetakan oleh [channels] di"
    " salesmetrics.toml (sumber yang tidak dipetakan menjadi kanalnya sendiri, disebut dalam"
    " catatan), dan biayanya adalah biaya kanal tersebut.",
)

METRICS = (
    Metric(
        id="marketing_spend",
        section=Section.MARKETING,
        name=Text("Marketing spend", "Biaya pemasaran"),
        definition=Text(
            "What marketing spent in the period: the costs of category marketing." + SPREAD.en,
            "Pengeluaran pemasaran dalam periode: biaya dengan kategori marketing." + SPREAD.id,
        ),
        why=Text(
            "The budget behind the leads and new customers; where it goes by channel shows which"
            " channels pay off.",
            "Anggaran di balik prospek dan pelanggan baru; sebarannya per kanal menunjukkan"
            " kanal mana yang memberi hasil.",
        ),
        formula=Text(
            "Σ costs of category marketing in P",
            "Σ biaya kategori marketing dalam P",
        ),
        unit=Unit.MONEY,
        direction=Direction.LOWER,
        owners=(Role.MARKETING, Role.FINANCE),
        cadence=OPERATING,
        example=Example(
            Text(
                "$60,000 of search ads and $40,000 for an event in the quarter → $100,000.",
                "$60.000 iklan pencarian dan $40.000 untuk sebuah acara dalam kuartal itu"
                " → $100.000.",
            ),
            100_000,
        ),
        tables=COST_TABLES,
        families=("costs",),
        compute=_spend("marketing_cost"),
        drill="costs.marketing",
        null_note="no costs in {period}",
    ),
    Metric(
        id="sales_spend",
        section=Section.MARKETING,
        name=Text("Sales spend", "Biaya penjualan"),
        definition=Text(
            "What sales spent in the period: the costs of category sales." + SPREAD.en,
            "Pengeluaran penjualan dalam periode: biaya dengan kategori sales." + SPREAD.id,
        ),
        why=Text(
            "With marketing spend, the cost side of customer acquisition cost.",
            "Bersama biaya pemasaran, sisi biaya dari biaya akuisisi pelanggan.",
        ),
        formula=Text("Σ costs of category sales in P", "Σ biaya kategori sales dalam P"),
        unit=Unit.MONEY,
        direction=Direction.LOWER,
        owners=(Role.FINANCE, Role.SALES),
        cadence=OPERATING,
        example=Example(
            Text(
                "$90,000 of salaries and $10,000 of travel in the month → $100,000.",
                "$90.000 gaji dan $10.000 perjalanan dalam bulan itu → $100.000.",
            ),
            100_000,
        ),
        tables=COST_TABLES,
        families=("costs",),
        compute=_spend("sales_cost"),
        drill="costs.sales",
        null_note="no costs in {period}",
    ),
    Metric(
        id="cost_per_lead",
        section=Section.MARKETING,
        name=Text("Cost per lead", "Biaya per prospek"),
        definition=Text(
            "Marketing spend of the period per lead created in it." + LEAD_CHANNEL.en,
            "Biaya pemasaran dalam periode per prospek yang dibuat dalam periode itu."
            + LEAD_CHANNEL.id,
        ),
        why=Text(
            "How efficiently marketing generates demand; compared across channels it shows"
            " where the next dollar buys the most leads.",
            "Seberapa efisien pemasaran menghasilkan permintaan; dibandingkan antarkanal,"
            " menunjukkan di mana dana berikutnya menghasilkan prospek terbanyak.",
        ),
        formula=Text(
            "marketing_spend / leads created in P",
            "marketing_spend / prospek yang dibuat dalam P",
        ),
        unit=Unit.MONEY,
        direction=Direction.LOWER,
        owners=(Role.MARKETING,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$100,000 of marketing spend, 1,000 leads created → $100.",
                "Biaya pemasaran $100.000, 1.000 prospek dibuat → $100.",
            ),
            100,
            {"marketing_spend": 100_000, "leads_created": 1_000},
        ),
        tables=("costs", "leads"),
        families=("costs", "leads"),
        compute=_cost_per("leads_created", "no leads created in {period}"),
        drill="leads.created",
        null_note="no leads created in {period}",
    ),
    Metric(
        id="cost_per_qualified_lead",
        section=Section.MARKETING,
        name=Text("Cost per qualified lead", "Biaya per prospek terkualifikasi"),
        definition=Text(
            "Marketing spend of the period per lead qualified in it (the qualification rule of"
            " qualified_leads)." + LEAD_CHANNEL.en,
            "Biaya pemasaran dalam periode per prospek yang terkualifikasi dalam periode itu"
            " (aturan kualifikasi qualified_leads)." + LEAD_CHANNEL.id,
        ),
        why=Text(
            "Cheap leads that never qualify are not cheap: this is the cost of the leads sales"
            " can work with.",
            "Prospek murah yang tidak pernah terkualifikasi tidaklah murah: ini biaya prospek"
            " yang benar-benar dapat ditindaklanjuti tim penjualan.",
        ),
        formula=Text(
            "marketing_spend / qualified_leads",
            "marketing_spend / qualified_leads",
        ),
        unit=Unit.MONEY,
        direction=Direction.LOWER,
        owners=(Role.MARKETING,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$100,000 of marketing spend, 250 leads qualified → $400.",
                "Biaya pemasaran $100.000, 250 prospek terkualifikasi → $400.",
            ),
            400,
            {"marketing_spend": 100_000, "qualified_leads": 250},
        ),
        tables=("costs", "leads"),
        families=("costs", "leads"),
        compute=_cost_per("qualified_leads", "no leads qualified in {period}"),
        drill="leads.qualified",
        null_note="no leads qualified in {period}",
    ),
    Metric(
        id="mrr_growth_rate",
        section=Section.MARKETING,
        name=Text("MRR growth rate", "Tingkat pertumbuhan MRR"),
        definition=Text(
            "Growth of MRR over the period: MRR of its last month against MRR of the month"
            " before it. By channel, the MRR of the customers whose first touch (the source of"
            " their first lead, else of their first opportunity) is that channel.",
            "Pertumbuhan MRR selama periode: MRR bulan terakhirnya dibandingkan MRR bulan"
            " sebelum periode. Per kanal, MRR pelanggan yang sentuhan pertamanya (sumber prospek"
            " pertamanya, atau peluang pertamanya) adalah kanal itu.",
        ),
        why=Text(
            "The pace at which the recurring business grows, net of churn and contraction.",
            "Laju pertumbuhan bisnis berulang, setelah dikurangi churn dan kontraksi.",
        ),
        formula=Text(
            "(MRR at e − MRR at s) / MRR at s",
            "(MRR di e − MRR di s) / MRR di s",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE, Role.MARKETING),
        cadence=OPERATING,
        example=Example(
            Text(
                "MRR $50,000 at the start of the quarter, $55,000 at its end → 10%.",
                "MRR $50.000 di awal kuartal, $55.000 di akhirnya → 10%.",
            ),
            0.1,
            {"mrr_end": 55_000, "mrr_start": 50_000},
        ),
        tables=RECURRING_TABLES,
        families=("recurring",),
        compute=_mrr_growth_rate,
        drill="recurring.customers",
        null_note=NO_START_MRR,
    ),
)
