"""Revenue metrics: total revenue (bookings), revenue growth, average deal size."""

from __future__ import annotations

from salesmetrics import formulas
from salesmetrics.metrics.compute import Computed, Inputs, count, money, notes, only_where
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


def _total_revenue(c: Inputs) -> Computed:
    import numpy as np

    won = c["won"]
    return Computed(
        value=money(np.nan_to_num(c["won_amount"])),
        components={"won": count(won), "won_amount": money(np.nan_to_num(c["won_amount"]))},
        notes=notes(c, (won == 0, "no deals won in {period}")),
    )


def _revenue_growth(c: Inputs) -> Computed:
    import numpy as np

    revenue, previous = c["won_amount"], c["prev_won_amount"]
    value = formulas.revenue_growth(revenue, previous)
    prev_label = c.column("prev_period").astype(str)
    note = only_where(
        np.isnan(np.asarray(value, dtype=float)),
        ("no revenue won in the previous period, " + prev_label).to_numpy(dtype=object),
    )
    return Computed(
        value=np.asarray(value, dtype=float),
        components={
            "revenue": money(revenue),
            "previous_revenue": money(previous),
            "previous_period": prev_label.to_numpy(dtype=object),
        },
        notes=note,
    )


def _average_deal_size(c: Inputs) -> Computed:
    return Computed(
        value=money(formulas.average_deal_size(c["won_amount"], c["won"])),
        components={"won_amount": money(c["won_amount"]), "won": count(c["won"])},
    )


METRICS = (
    Metric(
        id="total_revenue",
        section=Section.REVENUE,
        name=Text("Total revenue", "Total pendapatan"),
        definition=Text(
            "Value of the deals won in the period (bookings), in the base currency. A deal counts"
            " in the period of its close date.",
            "Nilai transaksi yang dimenangkan dalam periode (bookings), dalam mata uang dasar."
            " Sebuah transaksi dihitung pada periode tanggal penutupannya.",
        ),
        why=Text(
            "The first measure of sales performance: it shows whether the organisation is on"
            " course for its goals, and is the base of growth, deal size and productivity.",
            "Ukuran pertama kinerja penjualan: menunjukkan apakah organisasi berada di jalur"
            " menuju targetnya, dan menjadi dasar pertumbuhan, ukuran transaksi, dan"
            " produktivitas.",
        ),
        formula=Text(
            "Σ amount of the deals won in P (calculator: average price × units sold)",
            "Σ nilai transaksi yang dimenangkan dalam P (kalkulator: harga rata-rata × unit"
            " terjual)",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "100 service packages sold at $10,000 each → $1,000,000.",
                "100 paket layanan terjual masing-masing $10.000 → $1.000.000.",
            ),
            1_000_000,
            {"average_price": 10_000, "units": 100},
        ),
        tables=("opportunities",),
        families=("deals",),
        compute=_total_revenue,
        drill="deals.won",
        null_note="no deals won in {period}",
    ),
    Metric(
        id="revenue_growth",
        section=Section.REVENUE,
        name=Text("Revenue growth", "Pertumbuhan pendapatan"),
        definition=Text(
            "Change of total revenue against the previous period of the same length.",
            "Perubahan total pendapatan dibandingkan periode sebelumnya yang sama panjangnya.",
        ),
        why=Text(
            "Shows whether the sales strategy works and which way the trend goes; it is the"
            " number a leadership review opens with.",
            "Menunjukkan apakah strategi penjualan berhasil dan ke mana arah trennya; angka ini"
            " yang membuka setiap tinjauan pimpinan.",
        ),
        formula=Text(
            "(R(P) − R(P₋₁)) / R(P₋₁); null when R(P₋₁) = 0",
            "(R(P) − R(P₋₁)) / R(P₋₁); kosong (null) bila R(P₋₁) = 0",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$800,000 in Q1 and $1,000,000 in Q2 → 25% growth in Q2.",
                "$800.000 pada Q1 dan $1.000.000 pada Q2 → pertumbuhan 25% pada Q2.",
            ),
            0.25,
            {"revenue": 1_000_000, "previous_revenue": 800_000},
        ),
        tables=("opportunities",),
        families=("deals",),
        previous=("won_amount",),
        compute=_revenue_growth,
        drill="deals.won",
        null_note="no revenue won in the previous period",
    ),
    Metric(
        id="average_deal_size",
        section=Section.REVENUE,
        name=Text("Average deal size", "Ukuran transaksi rata-rata"),
        definition=Text(
            "Mean value of a deal won in the period.",
            "Nilai rata-rata transaksi yang dimenangkan dalam periode.",
        ),
        why=Text(
            "Shows the value of what is sold, where upselling or cross-selling is possible, and"
            " which deals deserve the team's effort.",
            "Menunjukkan nilai dari apa yang dijual, peluang upselling atau cross-selling, dan"
            " transaksi mana yang layak mendapat upaya tim.",
        ),
        formula=Text(
            "total_revenue / number of deals won in P",
            "total_revenue / jumlah transaksi yang dimenangkan dalam P",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "50 deals won in a quarter, worth $500,000 together → $10,000.",
                "50 transaksi dimenangkan dalam satu kuartal senilai total $500.000 → $10.000.",
            ),
            10_000,
            {"revenue": 500_000, "deals_won": 50},
        ),
        tables=("opportunities",),
        families=("deals",),
        compute=_average_deal_size,
        drill="deals.won",
        null_note="no deals won in {period}",
    ),
)
