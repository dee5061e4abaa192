"""Recurring-revenue metrics: MRR, ARR, the MRR movements, retention, quick ratio, ARPA; and
recognized revenue (declared in the Revenue section of metrics.md).

All MRR metrics read the ``recurring`` family (the MRR waterfall of
:mod:`salesmetrics.recurring` per period and group); net and gross revenue retention have a
second basis, ``trailing_12m`` (the 12 months ending at the period's end, family
``recurring_12m``), chosen with ``--basis net_revenue_retention=trailing_12m``. Every MRR result
carries the waterfall of its row as components and ``identity_ok``: whether MRR(end) = MRR(start)
+ new + reactivation + expansion − contraction − churn holds exactly (in decimals, in the
backend).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salesmetrics import formulas
from salesmetrics.metrics.compute import Computed, Inputs, count, money, notes
from salesmetrics.metrics.registry import (
    DEFAULT_TARGETS,
    OPERATING,
    Direction,
    Example,
    Metric,
    Role,
    Section,
    Text,
    Unit,
)

#: Either recurring-revenue table (see :meth:`salesmetrics.metrics.context.Inventory.missing`).
RECURRING_TABLES = ("subscriptions|invoice_lines",)
#: Prefix of the trailing-12-month components (family ``recurring_12m``).
T12 = "t12_"
PERIOD = "period"
TRAILING = "trailing_12m"
RETENTION_BASES = (PERIOD, TRAILING)
NO_START_MRR = "no MRR at the start of {period}"
NO_START_MRR_12M = "no MRR at the start of the 12 months ending with {period}"


def _prefix(c: Inputs) -> str:
    return T12 if c.basis == TRAILING else ""


def _waterfall(c: Inputs, prefix: str = "") -> dict[str, Any]:
    """The row's waterfall as components, and whether its identity holds."""
    return {
        "mrr_start": money(c[prefix + "mrr_start"]),
        "new": money(c[prefix + "mrr_new"]),
        "reactivation": money(c[prefix + "mrr_reactivation"]),
        "expansion": money(c[prefix + "mrr_expansion"]),
        "contraction": money(c[prefix + "mrr_contraction"]),
        "churn": money(c[prefix + "mrr_churn"]),
        "mrr_end": money(c[prefix + "mrr_end"]),
        "customers_at_start": count(c[prefix + "mrr_customers_start"]),
        "customers_at_end": count(c[prefix + "mrr_customers_end"]),
        "identity_ok": c[prefix + "mrr_identity_gap"] == 0,
    }


def _mrr(c: Inputs) -> Computed:
    return Computed(value=money(c["mrr_end"]), components=_waterfall(c))


def _arr(c: Inputs) -> Computed:
    return Computed(
        value=money(formulas.arr(c["mrr_end"])),
        components={"mrr": money(c["mrr_end"]), "customers_at_end": count(c["mrr_customers_end"])},
    )


def _movement(name: str) -> Callable[[Inputs], Computed]:
    def compute(c: Inputs) -> Computed:
        return Computed(value=money(c["mrr_" + name]), components=_waterfall(c))

    compute.__name__ = f"_mrr_{name}"
    return compute


def _retention_notes(c: Inputs, prefix: str) -> Any:
    template = NO_START_MRR_12M if prefix else NO_START_MRR
    return notes(c, (c[prefix + "mrr_start"] == 0, template))


def _retention(c: Inputs, numerator: str, formula: Callable[[Any, Any], Any]) -> Computed:
    """NRR and GRR: ``formula(numerator, MRR at start)`` for P or the trailing 12 months."""
    import numpy as np

    p = _prefix(c)
    value = formula(c[p + numerator], c[p + "mrr_start"])
    return Computed(
        value=np.asarray(value, dtype=float),
        components={
            "mrr_start": money(c[p + "mrr_start"]),
            numerator: money(c[p + numerator]),
            "customers_at_start": count(c[p + "mrr_customers_start"]),
            "basis": TRAILING if p else PERIOD,
        },
        notes=_retention_notes(c, p),
    )


def _net_revenue_retention(c: Inputs) -> Computed:
    return _retention(c, "mrr_end_of_start_customers", formulas.net_revenue_retention)


def _gross_revenue_retention(c: Inputs) -> Computed:
    return _retention(c, "retained_mrr_capped", formulas.gross_revenue_retention)


def _revenue_churn_rate(c: Inputs) -> Computed:
    import numpy as np

    value = formulas.revenue_churn_rate(c["mrr_churn"], c["mrr_contraction"], c["mrr_start"])
    return Computed(
        value=np.asarray(value, dtype=float),
        components={
            "churn": money(c["mrr_churn"]),
            "contraction": money(c["mrr_contraction"]),
            "mrr_start": money(c["mrr_start"]),
        },
        notes=_retention_notes(c, ""),
    )


def _quick_ratio(c: Inputs) -> Computed:
    import numpy as np

    value = formulas.quick_ratio(
        c["mrr_new"],
        c["mrr_reactivation"],
        c["mrr_expansion"],
        c["mrr_churn"],
        c["mrr_contraction"],
    )
    return Computed(
        value=np.asarray(value, dtype=float),
        components={
            "new": money(c["mrr_new"]),
            "reactivation": money(c["mrr_reactivation"]),
            "expansion": money(c["mrr_expansion"]),
            "churn": money(c["mrr_churn"]),
            "contraction": money(c["mrr_contraction"]),
        },
        notes=notes(c, ((c["mrr_churn"] + c["mrr_contraction"]) == 0, "no MRR lost in {period}")),
    )


def _arpa(c: Inputs) -> Computed:
    value = formulas.arpa(c["mrr_end"], c["mrr_customers_end"])
    return Computed(
        value=money(value),
        components={
            "mrr": money(c["mrr_end"]),
            "customers_at_end": count(c["mrr_customers_end"]),
        },
    )


def _recognized_revenue(c: Inputs) -> Computed:
    return Computed(
        value=money(c["recognized"]),
        components={"recognized": money(c["recognized"])},
    )


FAMILIES = ("recurring",)
SOURCE = Text(
    " MRR comes from subscriptions (their mrr) or invoice lines (amount ÷ the service period in"
    " months), converted at the rate of the item's start date; a customer's MRR of a month is"
    " the sum over the items active on the month's last day.",
    " MRR berasal dari langganan (nilai mrr-nya) atau baris tagihan (nilai ÷ masa layanan dalam"
    " bulan), dikonversi dengan kurs pada tanggal mulai item; MRR pelanggan dalam satu bulan"
    " adalah jumlah item yang aktif pada hari terakhir bulan itu.",
)
MOVES = Text(
    " Movements compare each customer's MRR in a month with the month before; for a longer"
    " period they are summed over its months, so MRR at end = MRR at start + new + reactivation"
    " + expansion − contraction − churn, exactly to the cent.",
    " Pergerakan membandingkan MRR tiap pelanggan dalam satu bulan dengan bulan sebelumnya;"
    " untuk periode yang lebih panjang dijumlahkan atas bulan-bulannya, sehingga MRR akhir ="
    " MRR awal + baru + reaktivasi + ekspansi − kontraksi − churn, tepat sampai sen.",
)
RETENTION_BASIS = Text(
    " Basis period (default): P itself, customers at start = MRR > 0 in the month before P."
    " Basis trailing_12m (--basis net_revenue_retention=trailing_12m): the 12 months ending at"
    " the end of P.",
    " Basis period (bawaan): P itu sendiri, pelanggan di awal = MRR > 0 pada bulan sebelum P."
    " Basis trailing_12m (--basis net_revenue_retention=trailing_12m): 12 bulan yang berakhir"
    " pada akhir P.",
)


def _movement_metric(
    name: str,
    title: Text,
    definition: Text,
    why: Text,
    example: Example,
    direction: Direction,
    owners: tuple[Role, ...],
) -> Metric:
    return Metric(
        id=f"mrr_{name}",
        section=Section.RECURRING,
        name=title,
        definition=Text(definition.en + MOVES.en, definition.id + MOVES.id),
        why=why,
        formula=Text(
            f"Σ over the months m of P and customers c of the {name} MRR of c in m",
            f"Σ atas bulan m dalam P dan pelanggan c dari MRR {name} c pada m",
        ),
        unit=Unit.MONEY,
        direction=direction,
        owners=owners,
        cadence=OPERATING,
        example=example,
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_movement(name),
        drill="recurring.customers",
        null_note="no recurring revenue in {period}",
    )


MOVEMENT_METRICS = (
    _movement_metric(
        "new",
        Text("New MRR", "MRR baru"),
        Text(
            "MRR of customers starting to pay for the first time: their MRR in the first month"
            " they have any.",
            "MRR dari pelanggan yang mulai membayar untuk pertama kalinya: MRR mereka pada bulan"
            " pertama mereka memilikinya.",
        ),
        Text(
            "Shows how much recurring revenue acquisition adds.",
            "Menunjukkan berapa banyak pendapatan berulang yang ditambahkan oleh akuisisi.",
        ),
        Example(
            Text(
                "4 new customers start in May at $500 a month → $2,000.",
                "4 pelanggan baru mulai pada bulan Mei dengan $500 per bulan → $2.000.",
            ),
            2_000,
        ),
        Direction.HIGHER,
        (Role.FINANCE, Role.SALES),
    ),
    _movement_metric(
        "expansion",
        Text("Expansion MRR", "MRR ekspansi"),
        Text(
            "MRR added by customers already paying: the increase of a customer's MRR against"
            " the month before when both months are > 0 (upgrades, more seats).",
            "MRR tambahan dari pelanggan yang sudah membayar: kenaikan MRR pelanggan"
            " dibandingkan bulan sebelumnya bila kedua bulan > 0 (upgrade, tambahan seat).",
        ),
        Text(
            "Growth from existing customers is the cheapest growth; it drives net revenue"
            " retention above 100%.",
            "Pertumbuhan dari pelanggan yang ada adalah pertumbuhan termurah; ini mendorong"
            " retensi pendapatan bersih di atas 100%.",
        ),
        Example(
            Text(
                "A customer upgrades from $1,000 to $1,500 a month → $500.",
                "Seorang pelanggan upgrade dari $1.000 ke $1.500 per bulan → $500.",
            ),
            500,
        ),
        Direction.HIGHER,
        (Role.FINANCE, Role.CUSTOMER_SUCCESS),
    ),
    _movement_metric(
        "contraction",
        Text("Contraction MRR", "MRR kontraksi"),
        Text(
            "MRR lost from customers who stay: the decrease of a customer's MRR against the"
            " month before when both months are > 0 (downgrades, fewer seats).",
            "MRR yang hilang dari pelanggan yang tetap bertahan: penurunan MRR pelanggan"
            " dibandingkan bulan sebelumnya bila kedua bulan > 0 (downgrade, seat berkurang).",
        ),
        Text(
            "Early warning of churn and of pricing or value problems.",
            "Peringatan dini churn serta masalah harga atau nilai produk.",
        ),
        Example(
            Text(
                "A customer downgrades from $1,000 to $700 a month → $300.",
                "Seorang pelanggan downgrade dari $1.000 ke $700 per bulan → $300.",
            ),
            300,
        ),
        Direction.LOWER,
        (Role.FINANCE, Role.CUSTOMER_SUCCESS),
    ),
    _movement_metric(
        "churn",
        Text("Churned MRR", "MRR churn"),
        Text(
            "MRR of customers who stop paying: their MRR in the month before the first month"
            " without MRR.",
            "MRR dari pelanggan yang berhenti membayar: MRR mereka pada bulan sebelum bulan"
            " pertama tanpa MRR.",
        ),
        Text(
            "The recurring revenue walking out of the door; with contraction, the losses"
            " growth has to make up for.",
            "Pendapatan berulang yang hilang; bersama kontraksi, kerugian yang harus ditutup"
            " oleh pertumbuhan.",
        ),
        Example(
            Text(
                "A customer paying $800 a month cancels at the end of April → $800 in May.",
                "Pelanggan yang membayar $800 per bulan berhenti pada akhir April → $800 pada"
                " bulan Mei.",
            ),
            800,
        ),
        Direction.LOWER,
        (Role.FINANCE, Role.CUSTOMER_SUCCESS),
    ),
    _movement_metric(
        "reactivation",
        Text("Reactivation MRR", "MRR reaktivasi"),
        Text(
            "MRR of returning customers: a customer with no MRR in the month before but MRR in"
            " some earlier month brings its MRR back.",
            "MRR dari pelanggan yang kembali: pelanggan tanpa MRR pada bulan sebelumnya tetapi"
            " pernah memiliki MRR sebelumnya membawa kembali MRR-nya.",
        ),
        Text(
            "Win-backs are growth too, but they are not new logos; keeping them apart keeps new"
            " MRR honest.",
            "Pelanggan yang kembali juga pertumbuhan, tetapi bukan pelanggan baru; memisahkannya"
            " menjaga MRR baru tetap jujur.",
        ),
        Example(
            Text(
                "A customer who left in March returns in May at $600 a month → $600.",
                "Pelanggan yang berhenti pada bulan Maret kembali pada bulan Mei dengan $600 per"
                " bulan → $600.",
            ),
            600,
        ),
        Direction.HIGHER,
        (Role.FINANCE, Role.CUSTOMER_SUCCESS),
    ),
)

RETENTION_DRILL = "recurring.customers"

METRICS = (
    Metric(
        id="mrr",
        section=Section.RECURRING,
        name=Text("Monthly recurring revenue (MRR)", "Pendapatan berulang bulanan (MRR)"),
        definition=Text(
            "Recurring revenue per month at the end of the period: the MRR of its last month."
            + SOURCE.en
            + " Trials and non-recurring lines carry no MRR.",
            "Pendapatan berulang per bulan pada akhir periode: MRR bulan terakhirnya."
            + SOURCE.id
            + " Masa uji coba dan baris tidak berulang tidak memiliki MRR.",
        ),
        why=Text(
            "The run rate of a subscription business: predictable revenue that planning,"
            " hiring and valuation rest on.",
            "Laju pendapatan bisnis berlangganan: pendapatan yang dapat diprediksi yang menjadi"
            " dasar perencanaan, perekrutan, dan valuasi.",
        ),
        formula=Text(
            "Σ MRR of the items active on the last day of the last month of P",
            "Σ MRR item yang aktif pada hari terakhir bulan terakhir P",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "200 customers paying $250 a month at the end of May → $50,000.",
                "200 pelanggan membayar $250 per bulan pada akhir Mei → $50.000.",
            ),
            50_000,
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_mrr,
        drill="recurring.customers",
        null_note="no recurring revenue in {period}",
    ),
    Metric(
        id="arr",
        section=Section.RECURRING,
        name=Text("Annual recurring revenue (ARR)", "Pendapatan berulang tahunan (ARR)"),
        definition=Text(
            "MRR at the end of the period, annualised.",
            "MRR pada akhir periode, disetahunkan.",
        ),
        why=Text(
            "The yearly scale of the recurring business, the figure boards and investors compare.",
            "Skala tahunan bisnis berulang, angka yang dibandingkan oleh direksi dan investor.",
        ),
        formula=Text("12 × mrr", "12 × mrr"),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text("MRR $50,000 → ARR $600,000.", "MRR $50.000 → ARR $600.000."),
            600_000,
            {"mrr": 50_000},
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_arr,
        drill="recurring.customers",
        null_note="no recurring revenue in {period}",
    ),
    *MOVEMENT_METRICS,
    Metric(
        id="net_revenue_retention",
        section=Section.RECURRING,
        name=Text("Net revenue retention (NRR)", "Retensi pendapatan bersih (NRR)"),
        definition=Text(
            "MRR kept and grown from the customers at the start: their MRR at the end (with"
            " expansion, after contraction and churn; new customers left out) against their MRR"
            " at the start." + RETENTION_BASIS.en,
            "MRR yang dipertahankan dan ditumbuhkan dari pelanggan di awal: MRR mereka di akhir"
            " (dengan ekspansi, setelah kontraksi dan churn; pelanggan baru tidak dihitung)"
            " dibandingkan MRR mereka di awal." + RETENTION_BASIS.id,
        ),
        why=Text(
            "Above 100% the existing customers alone grow the business; the key health"
            " measure of customer success.",
            "Di atas 100% pelanggan yang ada saja sudah menumbuhkan bisnis; ukuran kesehatan"
            " utama tim kesuksesan pelanggan.",
        ),
        formula=Text(
            "Σ over customers at start of MRR at end / Σ of their MRR at start",
            "Σ MRR akhir pelanggan di awal / Σ MRR awal mereka",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.CUSTOMER_SUCCESS,),
        cadence=OPERATING,
        example=Example(
            Text(
                "Customers with $100,000 MRR at the start of the quarter have $110,000 at its end"
                " → 110%.",
                "Pelanggan dengan MRR $100.000 pada awal kuartal memiliki $110.000 pada akhirnya"
                " → 110%.",
            ),
            1.1,
            {"mrr_end_of_start_customers": 110_000, "mrr_start": 100_000},
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_net_revenue_retention,
        drill=RETENTION_DRILL,
        null_note=NO_START_MRR,
        default_target=DEFAULT_TARGETS["net_revenue_retention"],
        bases=RETENTION_BASES,
        basis_families={TRAILING: ("recurring_12m",)},
    ),
    Metric(
        id="gross_revenue_retention",
        section=Section.RECURRING,
        name=Text("Gross revenue retention (GRR)", "Retensi pendapatan kotor (GRR)"),
        definition=Text(
            "MRR kept from the customers at the start, without expansion: each customer's MRR"
            " at the end capped at its MRR at the start, against their MRR at the start."
            + RETENTION_BASIS.en.replace("net_revenue", "gross_revenue"),
            "MRR yang dipertahankan dari pelanggan di awal, tanpa ekspansi: MRR akhir tiap"
            " pelanggan dibatasi MRR awalnya, dibandingkan MRR awal mereka."
            + RETENTION_BASIS.id.replace("net_revenue", "gross_revenue"),
        ),
        why=Text(
            "Shows how well the revenue base holds, whatever upsell hides; at most 100%.",
            "Menunjukkan seberapa kuat basis pendapatan bertahan, terlepas dari upsell; paling"
            " tinggi 100%.",
        ),
        formula=Text(
            "Σ min(MRR at end, MRR at start) / Σ MRR at start, over customers at start",
            "Σ min(MRR akhir, MRR awal) / Σ MRR awal, atas pelanggan di awal",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.CUSTOMER_SUCCESS, Role.FINANCE),
        cadence=OPERATING,
        example=Example(
            Text(
                "$100,000 MRR at the start; $5,000 churned and $3,000 contracted → 92%.",
                "MRR $100.000 di awal; $5.000 churn dan $3.000 kontraksi → 92%.",
            ),
            0.92,
            {"retained_mrr_capped": 92_000, "mrr_start": 100_000},
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_gross_revenue_retention,
        drill=RETENTION_DRILL,
        null_note=NO_START_MRR,
        bases=RETENTION_BASES,
        basis_families={TRAILING: ("recurring_12m",)},
    ),
    Metric(
        id="revenue_churn_rate",
        section=Section.RECURRING,
        name=Text("Revenue churn rate", "Tingkat churn pendapatan"),
        definition=Text(
            "MRR lost to churn and contraction during the period, against MRR at its start.",
            "MRR yang hilang karena churn dan kontraksi selama periode, dibandingkan MRR pada"
            " awal periode.",
        ),
        why=Text(
            "Counts lost revenue rather than lost logos: losing one large customer weighs more"
            " than losing a small one.",
            "Menghitung pendapatan yang hilang, bukan jumlah pelanggan: kehilangan satu"
            " pelanggan besar lebih berat daripada kehilangan yang kecil.",
        ),
        formula=Text("(churn + contraction) / MRR at start", "(churn + kontraksi) / MRR di awal"),
        unit=Unit.RATIO,
        direction=Direction.LOWER,
        owners=(Role.CUSTOMER_SUCCESS, Role.FINANCE),
        cadence=OPERATING,
        example=Example(
            Text(
                "$5,000 churned and $3,000 contracted of $100,000 MRR at the start → 8%.",
                "$5.000 churn dan $3.000 kontraksi dari MRR awal $100.000 → 8%.",
            ),
            0.08,
            {"churn": 5_000, "contraction": 3_000, "mrr_start": 100_000},
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_revenue_churn_rate,
        drill=RETENTION_DRILL,
        null_note=NO_START_MRR,
    ),
    Metric(
        id="quick_ratio",
        section=Section.RECURRING,
        name=Text("SaaS quick ratio", "Quick ratio SaaS"),
        definition=Text(
            "MRR gained (new, reactivation, expansion) against MRR lost (churn, contraction) in"
            " the period.",
            "MRR yang diperoleh (baru, reaktivasi, ekspansi) dibandingkan MRR yang hilang"
            " (churn, kontraksi) dalam periode.",
        ),
        why=Text(
            "Shows the efficiency of growth: at 4 or more, every dollar lost is replaced four"
            " times over.",
            "Menunjukkan efisiensi pertumbuhan: pada 4 atau lebih, setiap dolar yang hilang"
            " tergantikan empat kali lipat.",
        ),
        formula=Text(
            "(new + reactivation + expansion) / (churn + contraction)",
            "(baru + reaktivasi + ekspansi) / (churn + kontraksi)",
        ),
        unit=Unit.NUMBER,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$20,000 new, $2,000 reactivated, $10,000 expansion against $5,000 churned and"
                " $3,000 contracted → 4.0.",
                "$20.000 baru, $2.000 reaktivasi, $10.000 ekspansi dibandingkan $5.000 churn dan"
                " $3.000 kontraksi → 4,0.",
            ),
            4.0,
            {
                "new": 20_000,
                "reactivation": 2_000,
                "expansion": 10_000,
                "churn": 5_000,
                "contraction": 3_000,
            },
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_quick_ratio,
        drill="recurring.customers",
        null_note="no MRR lost in {period}",
        default_target=DEFAULT_TARGETS["quick_ratio"],
    ),
    Metric(
        id="arpa",
        section=Section.RECURRING,
        name=Text("Average revenue per account (ARPA)", "Pendapatan rata-rata per akun (ARPA)"),
        definition=Text(
            "Average MRR per customer at the end of the period: MRR over the customers with MRR"
            " > 0 in its last month.",
            "Rata-rata MRR per pelanggan pada akhir periode: MRR dibagi jumlah pelanggan dengan"
            " MRR > 0 pada bulan terakhirnya.",
        ),
        why=Text(
            "Tracks pricing and upsell and moves customer lifetime value and CAC payback.",
            "Memantau harga dan upsell serta menggerakkan nilai seumur hidup pelanggan dan"
            " periode pengembalian CAC.",
        ),
        formula=Text("mrr / customers active at end", "mrr / pelanggan aktif di akhir"),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "MRR $50,000 from 200 customers → $250.",
                "MRR $50.000 dari 200 pelanggan → $250.",
            ),
            250,
            {"mrr": 50_000, "customers": 200},
        ),
        tables=RECURRING_TABLES,
        families=FAMILIES,
        compute=_arpa,
        drill="recurring.customers",
        null_note="no customers with MRR at the end of {period}",
    ),
)

#: recognized_revenue belongs to the Revenue section of metrics.md.
REVENUE_METRICS = (
    Metric(
        id="recognized_revenue",
        section=Section.REVENUE,
        name=Text("Recognized revenue", "Pendapatan yang diakui"),
        definition=Text(
            "Revenue earned in the period from invoice lines: each line is spread evenly by day"
            " over its service period (both ends included) and the period gets its days' share."
            " Rounding is cumulative, never per day: the cents recognized through a line's k-th"
            " of n days are C × k / n rounded half to even, and a period gets the difference at"
            " its two ends, so every period is within a cent of its exact share, months add up"
            " to their quarter and the line sums exactly to its amount. A line without service"
            " dates counts in full on its service start or invoice date. Foreign amounts are"
            " converted at each day's rate (each day's exact share), rounded once per line and"
            " period.",
            "Pendapatan yang diperoleh dalam periode dari baris tagihan: setiap baris dibagi"
            " rata per hari atas masa layanannya (kedua ujung termasuk) dan periode mendapat"
            " bagian hari-harinya. Pembulatan bersifat kumulatif, tidak per hari: sen yang diakui"
            " sampai hari ke-k dari n hari adalah C × k / n yang dibulatkan setengah ke genap,"
            " dan periode mendapat selisih di kedua ujungnya, sehingga setiap periode berselisih"
            " paling banyak satu sen dari bagian eksaknya, bulan-bulan berjumlah tepat sama"
            " dengan kuartalnya dan baris berjumlah tepat sama dengan nilainya. Baris tanpa"
            " tanggal layanan dihitung penuh pada tanggal mulai layanan atau tanggal tagihan."
            " Nilai mata uang asing dikonversi dengan kurs setiap hari (bagian eksak setiap"
            " hari), dibulatkan sekali per baris dan periode.",
        ),
        why=Text(
            "Billing is lumpy (a yearly invoice in January); recognized revenue shows what the"
            " period actually earned, as the accounts do.",
            "Penagihan tidak merata (tagihan tahunan di bulan Januari); pendapatan yang diakui"
            " menunjukkan apa yang benar-benar diperoleh periode itu, seperti dalam pembukuan.",
        ),
        formula=Text(
            "Σ over lines of the line's cumulative cents at P's end minus at P's start",
            "Σ atas baris dari sen kumulatif baris di akhir P dikurangi di awal P",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.FINANCE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "A line of $9,100 for the service period 1 April – 30 June (91 days, $100 a day)"
                " → $3,100 in May.",
                "Baris $9.100 untuk masa layanan 1 April – 30 Juni (91 hari, $100 per hari) →"
                " $3.100 pada bulan Mei.",
            ),
            3_100,
        ),
        tables=("invoice_lines",),
        families=("recognized",),
        compute=_recognized_revenue,
        drill="recognized.lines",
        null_note="no invoice lines in {period}",
    ),
)
