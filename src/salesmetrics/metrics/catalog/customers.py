"""Customer metrics: acquisition, cost and value of a customer, churn and retention."""

from __future__ import annotations

from dataclasses import dataclass

from salesmetrics import formulas
from salesmetrics.metrics.catalog.marketing import channel_notes
from salesmetrics.metrics.compute import (
    Computed,
    FloatArray,
    Inputs,
    ObjectArray,
    combine_notes,
    count,
    money,
    notes,
    only_where,
)
from salesmetrics.metrics.registry import (
    DEFAULT_TARGETS,
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

#: Customers come from won deals or, with recurring data, from MRR (either table will do).
CUSTOMER_TABLES = ("opportunities|subscriptions|invoice_lines",)
#: ``components.basis`` of the customer metrics with recurring data (customers.RecurringBasis).
RECURRING_BASIS = "recurring_mrr"


def _basis(c: Inputs) -> str:
    return str(c.extra.get("customer_basis", ""))


def _new_customers(c: Inputs) -> Computed:
    return Computed(
        value=c["cust_acquired"],
        components={"new_customers": count(c["cust_acquired"]), "basis": _basis(c)},
    )


@dataclass(frozen=True)
class _Cac:
    value: FloatArray
    cost: FloatArray
    notes: ObjectArray
    #: By channel: the (unallocated) group and unmapped sources (shown whatever the value).
    channel: ObjectArray | None


def _cac(c: Inputs) -> _Cac:
    import numpy as np

    cost = c["marketing_cost"] + c["sales_cost"]
    value = np.asarray(formulas.customer_acquisition_cost(cost, c["cust_acquired"]))
    why = notes(c, (c["cust_acquired"] == 0, "no new customers in {period}"))
    return _Cac(value, cost, why, channel_notes(c, c["cust_acquired"] > 0))


@dataclass(frozen=True)
class _Clv:
    value: FloatArray
    per_customer: FloatArray
    churn: FloatArray
    lifetime: FloatArray
    notes: ObjectArray | None


def _recurring(c: Inputs) -> bool:
    return _basis(c) == RECURRING_BASIS


def _clv(c: Inputs) -> _Clv:
    import numpy as np

    if _recurring(c):
        # metrics.md: with recurring data, revenue per customer per year = ARPA × 12
        arpa = np.asarray(formulas.arpa(c["cust_mrr_end"], c["cust_end"]))
        per_customer = 12.0 * arpa
    else:
        per_customer = np.asarray(formulas.divide(c["win_revenue"], c["win_customers"]))
    churn = np.asarray(formulas.customer_churn_rate(c["win_lost"], c["win_start"]))
    configured = c.config.customer_lifetime_years
    cap = c.config.max_customer_lifetime_years
    if configured is not None:
        lifetime = np.full(len(c), float(configured))
        remark = notes(c, (np.ones(len(c), bool), "lifetime from customer_lifetime_years"))
    else:
        lifetime = np.asarray(formulas.expected_lifetime_years(churn, cap))
        with np.errstate(divide="ignore"):
            capped = (churn == 0) | (1.0 / churn > cap)
        remark = notes(c, (capped, f"lifetime capped at {cap:g} years"))
    value = np.asarray(
        formulas.customer_lifetime_value(per_customer, lifetime, c.config.gross_margin)
    )
    no_revenue = (
        (c["cust_end"] == 0, "no customers at the end of {period}")
        if _recurring(c)
        else (c["win_customers"] == 0, "no customers in the 12 months ending with {period}")
    )
    why = notes(
        c,
        no_revenue,
        (
            np.isnan(lifetime),
            "no customers at the start of the 12 months ending with {period} (churn undefined)",
        ),
    )
    return _Clv(value, per_customer, churn, lifetime, combine_notes(why, remark))


def _customer_acquisition_cost(c: Inputs) -> Computed:
    cac = _cac(c)
    return Computed(
        value=money(cac.value),
        components={
            "marketing_cost": money(c["marketing_cost"]),
            "sales_cost": money(c["sales_cost"]),
            "sales_and_marketing_cost": money(cac.cost),
            "new_customers": count(c["cust_acquired"]),
        },
        notes=combine_notes(cac.notes, cac.channel),
    )


def _customer_lifetime_value(c: Inputs) -> Computed:
    clv = _clv(c)
    revenue = (
        {"mrr_at_end": money(c["cust_mrr_end"]), "customers_at_end": count(c["cust_end"])}
        if _recurring(c)
        else {
            "revenue_12m": money(c["win_revenue"]),
            "customers_12m": count(c["win_customers"]),
        }
    )
    return Computed(
        value=money(clv.value),
        components={
            "annual_revenue_per_customer": money(clv.per_customer),
            **revenue,
            "annual_churn_rate": clv.churn,
            "lifetime_years": clv.lifetime,
            "gross_margin": c.config.gross_margin,
            "basis": _basis(c),
        },
        notes=clv.notes,
    )


def _ltv_to_cac(c: Inputs) -> Computed:
    import numpy as np

    clv, cac = _clv(c), _cac(c)
    value = np.asarray(formulas.ltv_to_cac(clv.value, cac.value))
    free = notes(c, (cac.value == 0, "no sales and marketing cost in {period} (CAC 0)"))
    return Computed(
        value=value,
        components={
            "customer_lifetime_value": money(clv.value),
            "customer_acquisition_cost": money(cac.value),
        },
        notes=combine_notes(
            only_where(np.isnan(value), combine_notes(cac.notes, free, clv.notes)), cac.channel
        ),
    )


def _cac_payback_months(c: Inputs) -> Computed:
    import numpy as np

    clv, cac = _clv(c), _cac(c)
    arpa = clv.per_customer / 12.0
    value = np.asarray(formulas.cac_payback_months(cac.value, arpa, c.config.gross_margin))
    no_customers = (
        (c["cust_end"] == 0, "no customers at the end of {period}")
        if _recurring(c)
        else (c["win_customers"] == 0, "no customers in the last 12 months")
    )
    why = combine_notes(cac.notes, notes(c, no_customers))
    return Computed(
        value=value,
        components={
            "customer_acquisition_cost": money(cac.value),
            "arpa": money(arpa),
            "gross_margin": c.config.gross_margin,
            "basis": _basis(c),
        },
        notes=combine_notes(only_where(np.isnan(value), why), cac.channel),
    )


def _customer_churn_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.customer_churn_rate(c["cust_lost"], c["cust_start"])),
        components={
            "customers_at_start": count(c["cust_start"]),
            "lost": count(c["cust_lost"]),
            "basis": _basis(c),
        },
    )


def _net_customer_churn_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(
            formulas.net_customer_churn_rate(c["cust_lost"], c["cust_new"], c["cust_start"])
        ),
        components={
            "customers_at_start": count(c["cust_start"]),
            "lost": count(c["cust_lost"]),
            "new": count(c["cust_new"]),
            "basis": _basis(c),
        },
    )


def _customer_retention_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(
            formulas.customer_retention_rate(c["cust_end"], c["cust_new"], c["cust_start"])
        ),
        components={
            "customers_at_start": count(c["cust_start"]),
            "customers_at_end": count(c["cust_end"]),
            "new": count(c["cust_new"]),
            "basis": _basis(c),
        },
    )


NO_START = "no customers at the start of {period}"
WHO = Text(
    " With subscription or billing data a customer is an account with MRR > 0 in a month"
    " (components.basis recurring_mrr): customers at start are those with MRR in the month"
    " before the period, at end those with MRR in its last month. Without it a customer is an"
    " account from the close date of its first won deal until its churned_at date"
    " (first_won_deal).",
    " Dengan data langganan atau tagihan, pelanggan adalah akun dengan MRR > 0 dalam satu bulan"
    " (components.basis recurring_mrr): pelanggan di awal adalah yang memiliki MRR pada bulan"
    " sebelum periode, di akhir yang memiliki MRR pada bulan terakhirnya. Tanpa data itu,"
    " pelanggan adalah akun sejak tanggal penutupan transaksi pertamanya yang dimenangkan hingga"
    " tanggal churned_at (first_won_deal).",
)

METRICS = (
    Metric(
        id="new_customers",
        section=Section.CUSTOMERS,
        name=Text("New customers", "Pelanggan baru"),
        definition=Text(
            "Number of customers acquired in the period: accounts whose acquisition date (the"
            " close date of their first won deal or, with recurring data, the first day of"
            " their first month with MRR, whichever is earlier) falls in it.",
            "Jumlah pelanggan yang diperoleh dalam periode: akun yang tanggal akuisisinya"
            " (tanggal penutupan transaksi pertama yang dimenangkan atau, dengan data berulang,"
            " hari pertama bulan pertama dengan MRR, mana yang lebih awal) jatuh dalam periode.",
        ),
        why=Text(
            "Growth starts with new logos; it is also the denominator of the cost of acquiring"
            " a customer.",
            "Pertumbuhan dimulai dari pelanggan baru; angka ini juga menjadi penyebut biaya"
            " akuisisi pelanggan.",
        ),
        formula=Text(
            "count of customers with acquisition date in P",
            "jumlah pelanggan dengan tanggal akuisisi dalam P",
        ),
        unit=Unit.COUNT,
        direction=Direction.HIGHER,
        owners=(Role.MARKETING, Role.SALES),
        cadence=OPERATING,
        example=Example(
            Text(
                "50 accounts won their first deal in the quarter → 50.",
                "50 akun memenangkan transaksi pertamanya dalam kuartal itu → 50.",
            ),
            50,
        ),
        tables=CUSTOMER_TABLES,
        families=("customers",),
        compute=_new_customers,
        drill="customers.acquired",
        null_note="no new customers in {period}",
    ),
    Metric(
        id="customer_acquisition_cost",
        section=Section.CUSTOMERS,
        name=Text("Customer acquisition cost (CAC)", "Biaya akuisisi pelanggan (CAC)"),
        definition=Text(
            "Cost of winning one new customer: the marketing and sales costs of the period"
            " (spread by day where a cost covers a window) divided by the new customers.",
            "Biaya untuk memperoleh satu pelanggan baru: biaya pemasaran dan penjualan dalam"
            " periode (dibagi rata per hari bila biaya mencakup rentang waktu) dibagi jumlah"
            " pelanggan baru.",
        ),
        why=Text(
            "Shows how cost-effective acquisition is, where to shift the budget, and together"
            " with lifetime value whether growth pays for itself.",
            "Menunjukkan efisiensi biaya akuisisi, ke mana anggaran perlu dialihkan, dan bersama"
            " nilai seumur hidup pelanggan apakah pertumbuhan membiayai dirinya sendiri.",
        ),
        formula=Text(
            "(marketing + sales costs in P) / new_customers",
            "(biaya pemasaran + penjualan dalam P) / new_customers",
        ),
        unit=Unit.MONEY,
        direction=Direction.LOWER,
        owners=(Role.FINANCE, Role.MARKETING),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "$100,000 spent on marketing and sales, 50 new customers → $2,000.",
                "$100.000 untuk pemasaran dan penjualan, 50 pelanggan baru → $2.000.",
            ),
            2_000,
            {"sales_and_marketing_cost": 100_000, "new_customers": 50},
        ),
        tables=("costs", *CUSTOMER_TABLES),
        families=("costs", "customers"),
        compute=_customer_acquisition_cost,
        drill="customers.acquired",
        null_note="no new customers in {period}",
    ),
    Metric(
        id="customer_lifetime_value",
        section=Section.CUSTOMERS,
        name=Text("Customer lifetime value (CLV)", "Nilai seumur hidup pelanggan (CLV)"),
        definition=Text(
            "Revenue a customer is expected to bring over its life: average revenue per customer"
            " per year × expected lifetime in years × gross margin. With recurring data the"
            " yearly revenue is ARPA (MRR of the customers at end / customers at end) × 12."
            " Without recurring data the"
            " yearly revenue is the value won over the 12 months ending at the period's end"
            " divided by the customers of those 12 months; the lifetime is 1 / the customer"
            " churn rate over those 12 months, capped at max_customer_lifetime_years (default"
            " 10, noted), unless customer_lifetime_years is configured.",
            "Pendapatan yang diharapkan dari seorang pelanggan selama masa hubungannya:"
            " pendapatan rata-rata per pelanggan per tahun × perkiraan masa hidup dalam tahun ×"
            " margin kotor. Dengan data berulang, pendapatan tahunan adalah ARPA (MRR pelanggan"
            " di akhir / jumlah pelanggan di akhir) × 12. Tanpa data berulang, pendapatan"
            " tahunan adalah nilai yang"
            " dimenangkan dalam 12 bulan yang berakhir pada akhir periode dibagi jumlah"
            " pelanggan dalam 12 bulan itu; masa hidup adalah 1 / tingkat churn pelanggan dalam"
            " 12 bulan itu, dibatasi max_customer_lifetime_years (bawaan 10, dicatat), kecuali"
            " customer_lifetime_years dikonfigurasi.",
        ),
        why=Text(
            "Tells what keeping a customer is worth, which segments deserve priority, and how"
            " much may be spent to win one.",
            "Menunjukkan berapa nilai mempertahankan pelanggan, segmen mana yang perlu"
            " diprioritaskan, dan berapa yang pantas dikeluarkan untuk memperolehnya.",
        ),
        formula=Text(
            "annual revenue per customer × expected lifetime (years) × gross margin",
            "pendapatan tahunan per pelanggan × perkiraan masa hidup (tahun) × margin kotor",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE, Role.CUSTOMER_SUCCESS),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "$5,000 revenue per customer a year, customers stay 3 years on average → $15,000.",
                "Pendapatan $5.000 per pelanggan per tahun, pelanggan bertahan rata-rata 3 tahun"
                " → $15.000.",
            ),
            15_000,
            {"annual_revenue_per_customer": 5_000, "lifetime_years": 3},
        ),
        tables=CUSTOMER_TABLES,
        families=("customers",),
        compute=_customer_lifetime_value,
        drill="customers.window",
        null_note="undefined in {period}",
    ),
    Metric(
        id="ltv_to_cac",
        section=Section.CUSTOMERS,
        name=Text("LTV to CAC ratio", "Rasio LTV terhadap CAC"),
        definition=Text(
            "Customer lifetime value against the cost of acquiring a customer, both for the"
            " period.",
            "Nilai seumur hidup pelanggan dibandingkan biaya akuisisi pelanggan, keduanya untuk"
            " periode yang sama.",
        ),
        why=Text(
            "The test of a sustainable business model: a customer should bring at least three"
            " times what it cost to win.",
            "Uji model bisnis yang berkelanjutan: seorang pelanggan sebaiknya menghasilkan"
            " setidaknya tiga kali biaya untuk memperolehnya.",
        ),
        formula=Text(
            "customer_lifetime_value / customer_acquisition_cost",
            "customer_lifetime_value / customer_acquisition_cost",
        ),
        unit=Unit.NUMBER,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "CLV $15,000 and CAC $5,000 → 3.0, exactly the target of 3:1.",
                "CLV $15.000 dan CAC $5.000 → 3,0, tepat pada target 3:1.",
            ),
            3.0,
            {"customer_lifetime_value": 15_000, "customer_acquisition_cost": 5_000},
        ),
        tables=("costs", *CUSTOMER_TABLES),
        families=("customers", "costs"),
        compute=_ltv_to_cac,
        drill="customers.acquired",
        null_note="undefined in {period}",
        default_target=DEFAULT_TARGETS["ltv_to_cac"],
    ),
    Metric(
        id="cac_payback_months",
        section=Section.CUSTOMERS,
        name=Text("CAC payback (months)", "Periode pengembalian CAC (bulan)"),
        definition=Text(
            "Months of gross margin a customer needs to earn back its acquisition cost. With"
            " recurring data ARPA = MRR / customers at end. Without recurring data the monthly"
            " revenue per customer (ARPA) is the yearly revenue per"
            " customer of customer lifetime value divided by 12.",
            "Jumlah bulan margin kotor yang dibutuhkan seorang pelanggan untuk mengembalikan"
            " biaya akuisisinya. Dengan data berulang, ARPA = MRR / pelanggan di akhir. Tanpa"
            " data berulang, pendapatan bulanan per pelanggan (ARPA)"
            " adalah pendapatan tahunan per pelanggan (dari nilai seumur hidup pelanggan) dibagi"
            " 12.",
        ),
        why=Text(
            "Shows how long growth ties up cash: the shorter the payback, the faster"
            " acquisition spend comes back to fund more growth.",
            "Menunjukkan berapa lama pertumbuhan mengikat kas: makin singkat masa pengembalian,"
            " makin cepat biaya akuisisi kembali untuk mendanai pertumbuhan berikutnya.",
        ),
        formula=Text(
            "CAC / (ARPA per month × gross margin)",
            "CAC / (ARPA per bulan × margin kotor)",
        ),
        unit=Unit.MONTHS,
        direction=Direction.LOWER,
        owners=(Role.FINANCE,),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "CAC $2,000, ARPA $250 a month, gross margin 100% → 8 months.",
                "CAC $2.000, ARPA $250 per bulan, margin kotor 100% → 8 bulan.",
            ),
            8,
            {"customer_acquisition_cost": 2_000, "arpa": 250},
        ),
        tables=("costs", *CUSTOMER_TABLES),
        families=("customers", "costs"),
        compute=_cac_payback_months,
        drill="customers.acquired",
        null_note="undefined in {period}",
        default_target=DEFAULT_TARGETS["cac_payback_months"],
    ),
    Metric(
        id="customer_churn_rate",
        section=Section.CUSTOMERS,
        name=Text("Customer churn rate", "Tingkat churn pelanggan"),
        definition=Text(
            "Share of the customers at the start of the period that were lost during it (gross"
            " logo churn)." + WHO.en,
            "Persentase pelanggan pada awal periode yang hilang selama periode (churn logo"
            " kotor)." + WHO.id,
        ),
        why=Text(
            "Losing customers erodes the revenue base; a low churn rate is essential for"
            " long-term growth and shows problems with retention early.",
            "Kehilangan pelanggan menggerus basis pendapatan; tingkat churn yang rendah penting"
            " untuk pertumbuhan jangka panjang dan menunjukkan masalah retensi lebih awal.",
        ),
        formula=Text(
            "lost / customers at start",
            "hilang / pelanggan di awal",
        ),
        unit=Unit.RATIO,
        direction=Direction.LOWER,
        owners=(Role.OPERATIONS,),
        cadence=OPERATING,
        example=Example(
            Text(
                "500 customers at the start of the month, 30 lost → 6%.",
                "500 pelanggan pada awal bulan, 30 hilang → 6%.",
            ),
            0.06,
            {"lost": 30, "customers_at_start": 500},
        ),
        tables=CUSTOMER_TABLES,
        families=("customers",),
        compute=_customer_churn_rate,
        drill="customers.states",
        null_note=NO_START,
    ),
    Metric(
        id="net_customer_churn_rate",
        section=Section.CUSTOMERS,
        name=Text("Net customer churn rate", "Tingkat churn pelanggan bersih"),
        definition=Text(
            "Customers lost net of new customers, against the customers at the start of the"
            " period; negative when the customer base grew." + WHO.en,
            "Pelanggan yang hilang dikurangi pelanggan baru, dibandingkan pelanggan pada awal"
            " periode; negatif bila basis pelanggan bertambah." + WHO.id,
        ),
        why=Text(
            'Shows whether acquisition keeps up with losses; the seed\'s "churn rate" of 2% is'
            " this metric, while gross churn is 6%.",
            'Menunjukkan apakah akuisisi mengimbangi kehilangan pelanggan; "churn rate" 2%'
            " pada seed adalah metrik ini, sedangkan churn kotor 6%.",
        ),
        formula=Text(
            "(lost − new) / customers at start",
            "(hilang − baru) / pelanggan di awal",
        ),
        unit=Unit.RATIO,
        direction=Direction.LOWER,
        owners=(Role.OPERATIONS,),
        cadence=OPERATING,
        example=Example(
            Text(
                "500 customers at the start, 30 lost and 20 new → 2%.",
                "500 pelanggan di awal, 30 hilang dan 20 baru → 2%.",
            ),
            0.02,
            {"lost": 30, "new": 20, "customers_at_start": 500},
        ),
        tables=CUSTOMER_TABLES,
        families=("customers",),
        compute=_net_customer_churn_rate,
        drill="customers.states",
        null_note=NO_START,
    ),
    Metric(
        id="customer_retention_rate",
        section=Section.CUSTOMERS,
        name=Text("Customer retention rate", "Tingkat retensi pelanggan"),
        definition=Text(
            "Share of the customers at the start of the period that are still customers at its"
            " end." + WHO.en,
            "Persentase pelanggan pada awal periode yang masih menjadi pelanggan pada akhir"
            " periode." + WHO.id,
        ),
        why=Text(
            "Keeping customers is cheaper than winning new ones; retention drives lifetime"
            " value, recurring revenue and reputation.",
            "Mempertahankan pelanggan lebih murah daripada memperoleh yang baru; retensi"
            " mendorong nilai seumur hidup, pendapatan berulang, dan reputasi.",
        ),
        formula=Text(
            "(customers at end − new) / customers at start",
            "(pelanggan di akhir − baru) / pelanggan di awal",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.CUSTOMER_SUCCESS,),
        cadence=OPERATING,
        example=Example(
            Text(
                "500 customers at the start, 30 lost, 20 new → 490 at the end → (490 − 20) / 500"
                " = 94%.",
                "500 pelanggan di awal, 30 hilang, 20 baru → 490 di akhir → (490 − 20) / 500"
                " = 94%.",
            ),
            0.94,
            {"customers_at_end": 490, "new": 20, "customers_at_start": 500},
        ),
        tables=CUSTOMER_TABLES,
        families=("customers",),
        compute=_customer_retention_rate,
        drill="customers.states",
        null_note=NO_START,
    ),
)
