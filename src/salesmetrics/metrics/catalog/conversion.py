"""Conversion metrics: leads to opportunities and customers, opportunities to wins, cycle length.

(time_in_stage and stage_conversion need opportunity history and come with the pipeline
metrics.)
"""

from __future__ import annotations

from salesmetrics import formulas
from salesmetrics.metrics.compute import Computed, Inputs, count, money, notes
from salesmetrics.metrics.registry import (
    EVERY_REVIEW,
    OPERATING,
    Direction,
    Example,
    Metric,
    Role,
    Section,
    Text,
    Unit,
)


def _lead_conversion_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.lead_conversion_rate(c["leads_converted"], c["leads_created"])),
        components={
            "converted": count(c["leads_converted"]),
            "created": count(c["leads_created"]),
        },
    )


def _lead_to_customer_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.lead_to_customer_rate(c["leads_won"], c["leads_created"])),
        components={"won_leads": count(c["leads_won"]), "created": count(c["leads_created"])},
    )


def _opportunity_conversion_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.opportunity_conversion_rate(c["opps_won"], c["opps_created"])),
        components={"won": count(c["opps_won"]), "created": count(c["opps_created"])},
    )


def _win_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.win_rate(c["won"], c["lost"])),
        components={"won": count(c["won"]), "lost": count(c["lost"])},
    )


def _win_rate_by_value(c: Inputs) -> Computed:
    import numpy as np

    won_amount, lost_amount = c["won_amount"], c["lost_amount"]
    no_amount = count(c["lost_no_amount"])
    left_out = notes(c, (no_amount > 0, "lost deals without an amount are left out"))
    return Computed(
        value=np.asarray(formulas.win_rate_by_value(won_amount, lost_amount)),
        components={
            "won_amount": money(won_amount),
            "lost_amount": money(lost_amount),
            "lost_without_amount": no_amount,
        },
        notes=left_out,
    )


def _sales_cycle_length(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.sales_cycle_length(c["cycle_days"], c["cycle_deals"])),
        components={
            "total_days": count(c["cycle_days"]),
            "deals": count(c["cycle_deals"]),
            "median_days": c["cycle_median"],
            "excluded": count(c["cycle_excluded"]),
        },
    )


METRICS = (
    Metric(
        id="lead_conversion_rate",
        section=Section.CONVERSION,
        name=Text("Lead conversion rate", "Tingkat konversi prospek"),
        definition=Text(
            "Share of the leads created in the period that converted into an opportunity or a"
            " customer, counted up to today (a cohort by creation date). A lead converted when it"
            " has a conversion date, an opportunity, or the status converted.",
            "Persentase prospek yang dibuat dalam periode dan telah dikonversi menjadi peluang"
            " atau pelanggan, dihitung sampai hari ini (kohort menurut tanggal dibuat). Prospek"
            " dianggap terkonversi bila memiliki tanggal konversi, peluang, atau status"
            " converted.",
        ),
        why=Text(
            "Measures how well lead generation and qualification work and where leads get"
            " stuck, so that sales and marketing can fix the bottleneck.",
            "Mengukur efektivitas perolehan dan kualifikasi prospek serta di mana prospek"
            " tertahan, sehingga tim penjualan dan pemasaran dapat mengatasi hambatannya.",
        ),
        formula=Text(
            "converted / created, over the leads created in P",
            "terkonversi / dibuat, atas prospek yang dibuat dalam P",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.OPERATIONS, Role.MARKETING),
        cadence=OPERATING,
        example=Example(
            Text(
                "1,000 leads in a month, 200 of them converted into opportunities → 20%.",
                "1.000 prospek dalam sebulan, 200 di antaranya menjadi peluang → 20%.",
            ),
            0.2,
            {"converted": 200, "created": 1_000},
        ),
        tables=("leads",),
        families=("leads",),
        compute=_lead_conversion_rate,
        drill="leads.created",
        null_note="no leads created in {period}",
    ),
    Metric(
        id="lead_to_customer_rate",
        section=Section.CONVERSION,
        name=Text("Lead-to-customer rate", "Tingkat konversi prospek menjadi pelanggan"),
        definition=Text(
            "Share of the leads created in the period whose opportunity was won (so far).",
            "Persentase prospek yang dibuat dalam periode yang peluangnya telah dimenangkan.",
        ),
        why=Text(
            "Follows a lead all the way to revenue: it shows which lead sources bring customers,"
            " not only meetings.",
            "Mengikuti prospek sampai menjadi pendapatan: menunjukkan sumber prospek mana yang"
            " menghasilkan pelanggan, bukan sekadar pertemuan.",
        ),
        formula=Text(
            "leads with a won opportunity / leads created in P",
            "prospek dengan peluang yang dimenangkan / prospek yang dibuat dalam P",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.MARKETING,),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "1,000 leads created, 50 of them have a won opportunity → 5%.",
                "1.000 prospek dibuat, 50 di antaranya memiliki peluang yang dimenangkan → 5%.",
            ),
            0.05,
            {"won_leads": 50, "created": 1_000},
        ),
        tables=("leads", "opportunities"),
        families=("leads",),
        compute=_lead_to_customer_rate,
        drill="leads.created",
        null_note="no leads created in {period}",
    ),
    Metric(
        id="opportunity_conversion_rate",
        section=Section.CONVERSION,
        name=Text("Opportunity conversion rate", "Tingkat konversi peluang"),
        definition=Text(
            "Share of the opportunities created in the period that were won (a cohort by"
            " creation date, wins counted up to today).",
            "Persentase peluang yang dibuat dalam periode yang dimenangkan (kohort menurut"
            " tanggal dibuat, kemenangan dihitung sampai hari ini).",
        ),
        why=Text(
            "Shows how effective the sales process is from first opportunity to signature, and"
            " where to coach to close more deals.",
            "Menunjukkan efektivitas proses penjualan dari peluang pertama hingga penandatanganan,"
            " dan di mana perlu pembinaan agar lebih banyak transaksi ditutup.",
        ),
        formula=Text(
            "won / created, over the opportunities created in P",
            "dimenangkan / dibuat, atas peluang yang dibuat dalam P",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "100 opportunities in a quarter, 25 of them won → 25%.",
                "100 peluang dalam satu kuartal, 25 di antaranya dimenangkan → 25%.",
            ),
            0.25,
            {"won": 25, "created": 100},
        ),
        tables=("opportunities",),
        families=("deals",),
        compute=_opportunity_conversion_rate,
        drill="deals.created",
        null_note="no opportunities created in {period}",
    ),
    Metric(
        id="win_rate",
        section=Section.CONVERSION,
        name=Text("Win rate", "Tingkat kemenangan"),
        definition=Text(
            "Share of the deals closed in the period that were won, by count.",
            "Persentase transaksi yang ditutup dalam periode yang dimenangkan, menurut jumlah.",
        ),
        why=Text(
            "The plainest measure of how well the team sells against the competition; a falling"
            " win rate is an early warning for revenue.",
            "Ukuran paling sederhana seberapa baik tim menjual dibandingkan pesaing; tingkat"
            " kemenangan yang turun adalah peringatan dini bagi pendapatan.",
        ),
        formula=Text(
            "won / (won + lost), deals closed in P",
            "menang / (menang + kalah), transaksi yang ditutup dalam P",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "25 deals won and 75 lost in a quarter → 25%.",
                "25 transaksi dimenangkan dan 75 kalah dalam satu kuartal → 25%.",
            ),
            0.25,
            {"won": 25, "lost": 75},
        ),
        tables=("opportunities",),
        families=("deals",),
        compute=_win_rate,
        drill="deals.closed",
        null_note="no closed deals in {period}",
    ),
    Metric(
        id="win_rate_by_value",
        section=Section.CONVERSION,
        name=Text("Win rate by value", "Tingkat kemenangan berdasarkan nilai"),
        definition=Text(
            "Share of the value of the deals closed in the period that was won. Lost deals"
            " without an amount are left out (and counted in the components).",
            "Persentase nilai transaksi yang ditutup dalam periode yang dimenangkan. Transaksi"
            " kalah tanpa nilai tidak dihitung (jumlahnya tercantum di komponen).",
        ),
        why=Text(
            "Tells whether the big deals are won or lost: a team can win most deals by count and"
            " still lose most of the money.",
            "Menunjukkan apakah transaksi besar dimenangkan atau kalah: tim bisa memenangkan"
            " sebagian besar transaksi menurut jumlah tetapi kehilangan sebagian besar nilainya.",
        ),
        formula=Text(
            "won amount / (won amount + lost amount), deals closed in P",
            "nilai menang / (nilai menang + nilai kalah), transaksi yang ditutup dalam P",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "$300,000 won and $700,000 lost → 30%.",
                "$300.000 dimenangkan dan $700.000 kalah → 30%.",
            ),
            0.3,
            {"won_amount": 300_000, "lost_amount": 700_000},
        ),
        tables=("opportunities",),
        families=("deals",),
        compute=_win_rate_by_value,
        drill="deals.closed",
        null_note="no closed deal value in {period}",
    ),
    Metric(
        id="sales_cycle_length",
        section=Section.CONVERSION,
        name=Text("Sales cycle length", "Panjang siklus penjualan"),
        definition=Text(
            "Mean number of days from opening a deal to winning it, over the deals won in the"
            " period that have both dates. The components give the median and the number of won"
            " deals left out for a missing opening date.",
            "Rata-rata jumlah hari dari dibukanya transaksi hingga dimenangkan, atas transaksi"
            " yang dimenangkan dalam periode dan memiliki kedua tanggal. Komponen memuat median"
            " dan jumlah transaksi yang tidak dihitung karena tanggal pembukaan kosong.",
        ),
        why=Text(
            "Reveals inefficiencies in the sales process, helps forecast when revenue lands, and"
            " shows where buying decisions take long.",
            "Mengungkap inefisiensi dalam proses penjualan, membantu memperkirakan kapan"
            " pendapatan masuk, dan menunjukkan di mana keputusan pembelian memakan waktu lama.",
        ),
        formula=Text(
            "Σ (close_date − created_at) / number won with both dates, deals won in P",
            "Σ (close_date − created_at) / jumlah transaksi menang yang memiliki kedua"
            " tanggal, dalam P",
        ),
        unit=Unit.DAYS,
        direction=Direction.LOWER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "10 deals won in a month, 200 days from opening to winning in total → 20 days.",
                "10 transaksi dimenangkan dalam sebulan, total 200 hari dari pembukaan hingga"
                " menang → 20 hari.",
            ),
            20,
            {"total_days": 200, "deals": 10},
        ),
        tables=("opportunities",),
        families=("deals", "deal_cycles"),
        compute=_sales_cycle_length,
        drill="deals.won",
        null_note="no won deals with both dates in {period}",
    ),
)
