"""Team metrics: quota attainment, productivity, time spent selling, activities per rep."""

from __future__ import annotations

from salesmetrics import formulas
from salesmetrics.metrics.compute import Computed, Inputs, count, money, notes
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

MINUTES_PER_HOUR = 60.0
DAYS_PER_WEEK = 7.0
SELLERS = Text(
    " Sellers in P: reps with a quota overlapping P; without quotas, reps whose employment"
    " [hired_on, left_on] overlaps P; without either, the owners of deals closed in P"
    " (components.basis says which).",
    " Tenaga penjualan dalam P: perwakilan dengan kuota yang beririsan dengan P; tanpa kuota,"
    " perwakilan yang masa kerjanya [hired_on, left_on] beririsan dengan P; tanpa keduanya,"
    " pemilik transaksi yang ditutup dalam P (components.basis menyebut aturan yang dipakai).",
)


def _seller_basis(c: Inputs) -> str:
    return str(c.extra.get("seller_basis", ""))


def _quota_attainment(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.quota_attainment(c["quota_won"], c["quota"])),
        components={
            "won_amount": money(c["quota_won"]),
            "quota": money(c["quota"]),
            "sellers_with_quota": count(c["reps_with_quota"]),
        },
    )


def _quota_attainment_rate(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.quota_attainment_rate(c["reps_reached"], c["reps_with_quota"])),
        components={
            "reps_reached": count(c["reps_reached"]),
            "reps_with_quota": count(c["reps_with_quota"]),
        },
    )


def _sales_rep_productivity(c: Inputs) -> Computed:
    return Computed(
        value=money(formulas.sales_rep_productivity(c["won_amount"], c["sellers"])),
        components={
            "revenue": money(c["won_amount"]),
            "sellers": count(c["sellers"]),
            "basis": _seller_basis(c),
        },
    )


def _time_spent_selling(c: Inputs) -> Computed:
    import numpy as np

    selling = c["selling_minutes"]
    if c.basis == "standard":
        hours = c.config.working_hours_per_week
        working = hours * MINUTES_PER_HOUR * c.days / DAYS_PER_WEEK * c["sellers"]
        parts = {
            "sellers": count(c["sellers"]),
            "working_hours_per_week": hours,
            "seller_basis": _seller_basis(c),
        }
        why = notes(c, (c["sellers"] == 0, "no sellers in {period}"))
    else:
        working = c["logged_minutes"]
        parts = {}
        why = notes(c, (working == 0, "no activity logged in {period}"))
    return Computed(
        value=np.asarray(formulas.time_spent_selling(selling, working)),
        components={
            "selling_minutes": np.round(selling, 2),
            "working_minutes": np.round(working, 2),
            "basis": c.basis,
            **parts,
        },
        notes=why,
    )


def _activities_per_rep(c: Inputs) -> Computed:
    import numpy as np

    return Computed(
        value=np.asarray(formulas.activities_per_rep(c["selling_activities"], c["sellers"])),
        components={
            "activities": count(c["selling_activities"]),
            "sellers": count(c["sellers"]),
            "basis": _seller_basis(c),
        },
    )


METRICS = (
    Metric(
        id="quota_attainment",
        section=Section.TEAM,
        name=Text("Quota attainment (won / quota)", "Pencapaian kuota (menang / kuota)"),
        definition=Text(
            "Won revenue against quota: per rep, the value of the deals the rep won in the"
            " period / the rep's quota for it; for a group, the sums over its reps with a quota."
            " A quota for another window is pro-rated by the days it shares with the period.",
            "Pendapatan yang dimenangkan dibandingkan kuota: per perwakilan, nilai transaksi"
            " yang dimenangkannya dalam periode / kuotanya untuk periode itu; untuk sebuah"
            " kelompok, jumlahnya atas perwakilan yang memiliki kuota. Kuota untuk rentang lain"
            " dihitung proporsional menurut jumlah hari yang beririsan dengan periode.",
        ),
        why=Text(
            "Shows who is on course for the target and who needs coaching, and whether the"
            " quotas themselves are realistic.",
            "Menunjukkan siapa yang berada di jalur target dan siapa yang perlu dibina, serta"
            " apakah kuota itu sendiri realistis.",
        ),
        formula=Text(
            "won amount in P / quota for P",
            "nilai menang dalam P / kuota untuk P",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$120,000 won against a $100,000 quota → 120%.",
                "$120.000 dimenangkan terhadap kuota $100.000 → 120%.",
            ),
            1.2,
            {"won_amount": 120_000, "quota": 100_000},
        ),
        tables=("quotas",),
        families=("team",),
        compute=_quota_attainment,
        drill="team.sellers",
        null_note="no quota for {period}",
    ),
    Metric(
        id="quota_attainment_rate",
        section=Section.TEAM,
        name=Text("Share of reps at quota", "Persentase tenaga penjualan yang mencapai kuota"),
        definition=Text(
            "Share of the sellers with a quota above zero for the period whose won revenue"
            " reached it.",
            "Persentase tenaga penjualan dengan kuota di atas nol untuk periode yang pendapatan"
            " menangnya mencapai kuota tersebut.",
        ),
        why=Text(
            "Evaluates individual and team performance at a glance, points to coaching"
            " opportunities and tests whether targets are set realistically.",
            "Menilai kinerja individu dan tim sekilas pandang, menunjukkan peluang pembinaan,"
            " dan menguji apakah target ditetapkan secara realistis.",
        ),
        formula=Text(
            "reps with won ≥ quota / reps with quota > 0",
            "tenaga penjualan dengan nilai menang ≥ kuota / tenaga penjualan dengan kuota > 0",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "Of 20 sellers, 15 reached or exceeded their quota → 75%.",
                "Dari 20 tenaga penjualan, 15 mencapai atau melampaui kuotanya → 75%.",
            ),
            0.75,
            {"reps_reached": 15, "reps_with_quota": 20},
        ),
        tables=("quotas",),
        families=("team",),
        compute=_quota_attainment_rate,
        drill="team.sellers",
        null_note="no sellers with a quota for {period}",
    ),
    Metric(
        id="sales_rep_productivity",
        section=Section.TEAM,
        name=Text("Sales rep productivity", "Produktivitas tenaga penjualan"),
        definition=Text(
            "Revenue won in the period per seller." + SELLERS.en,
            "Pendapatan yang dimenangkan dalam periode per tenaga penjualan." + SELLERS.id,
        ),
        why=Text(
            "Identifies high and low performers and shows whether adding sellers adds revenue.",
            "Mengidentifikasi tenaga penjualan berkinerja tinggi dan rendah, dan menunjukkan"
            " apakah penambahan tenaga penjualan menambah pendapatan.",
        ),
        formula=Text(
            "total_revenue / sellers in P",
            "total_revenue / tenaga penjualan dalam P",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$1,000,000 won in a quarter by 20 sellers → $50,000.",
                "$1.000.000 dimenangkan dalam satu kuartal oleh 20 tenaga penjualan → $50.000.",
            ),
            50_000,
            {"revenue": 1_000_000, "sellers": 20},
        ),
        tables=("opportunities",),
        families=("deals", "team"),
        compute=_sales_rep_productivity,
        drill="team.sellers",
        null_note="no sellers in {period}",
    ),
    Metric(
        id="time_spent_selling",
        section=Section.TEAM,
        name=Text("Time spent selling", "Waktu yang dihabiskan untuk menjual"),
        definition=Text(
            "Share of working time spent on selling activities (calls, emails, meetings, demos,"
            " prospecting, proposals by default). Working time is all logged activity (basis"
            " logged, the default) or working_hours_per_week × weeks in the period × sellers"
            " (basis standard, for incomplete logs).",
            "Persentase waktu kerja yang dipakai untuk aktivitas penjualan (panggilan, email,"
            " pertemuan, demo, prospecting, proposal secara bawaan). Waktu kerja adalah seluruh"
            " aktivitas yang dicatat (basis logged, bawaan) atau working_hours_per_week × jumlah"
            " minggu dalam periode × tenaga penjualan (basis standard, untuk catatan yang tidak"
            " lengkap).",
        ),
        why=Text(
            "Reveals inefficiency: time lost to admin and internal meetings is time not spent"
            " with buyers.",
            "Mengungkap inefisiensi: waktu yang habis untuk administrasi dan rapat internal"
            " adalah waktu yang tidak dipakai bersama pembeli.",
        ),
        formula=Text(
            "selling minutes / working minutes",
            "menit menjual / menit kerja",
        ),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "A seller spends 30 of 40 working hours a week on selling → 75%.",
                "Seorang tenaga penjualan memakai 30 dari 40 jam kerja seminggu untuk menjual"
                " → 75%.",
            ),
            0.75,
            {"selling_minutes": 1_800, "working_minutes": 2_400},
        ),
        tables=("activities",),
        families=("activities",),
        bases=("logged", "standard"),
        basis_families={"standard": ("activities", "team")},
        broadcast=frozenset({"team"}),
        compute=_time_spent_selling,
        drill="activities.by_rep",
        null_note="no working time in {period}",
    ),
    Metric(
        id="activities_per_rep",
        section=Section.TEAM,
        name=Text("Activities per rep", "Aktivitas per tenaga penjualan"),
        definition=Text(
            "Selling activities logged in the period per seller; group by type to see them by"
            " activity type." + SELLERS.en,
            "Aktivitas penjualan yang dicatat dalam periode per tenaga penjualan; kelompokkan"
            " menurut type untuk melihatnya per jenis aktivitas." + SELLERS.id,
        ),
        why=Text(
            "Activity is the leading indicator of pipeline: a drop in calls and meetings shows"
            " up in revenue a cycle later.",
            "Aktivitas adalah indikator awal pipeline: penurunan panggilan dan pertemuan akan"
            " terlihat pada pendapatan satu siklus kemudian.",
        ),
        formula=Text(
            "selling activities / sellers in P",
            "aktivitas penjualan / tenaga penjualan dalam P",
        ),
        unit=Unit.NUMBER,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "600 selling activities by 20 sellers → 30 per seller.",
                "600 aktivitas penjualan oleh 20 tenaga penjualan → 30 per orang.",
            ),
            30,
            {"activities": 600, "sellers": 20},
        ),
        tables=("activities",),
        families=("activities", "team"),
        broadcast=frozenset({"team"}),
        compute=_activities_per_rep,
        drill="activities.by_rep",
        null_note="no sellers in {period}",
    ),
)
