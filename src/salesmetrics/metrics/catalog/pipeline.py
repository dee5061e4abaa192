"""Pipeline metrics of this release: qualified leads and pipeline velocity.

Pipeline velocity has two bases: ``qualified_leads`` (default) and ``open_opportunities`` (the
opportunities open at the period's start, which needs opportunity history and comes with the
pipeline metrics, as do pipeline_coverage, weighted_pipeline, deal_slippage_rate, pipeline_flow
and the forecast metrics).
"""

from __future__ import annotations

import numpy as np

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


def _qualified_leads(c: Inputs) -> Computed:
    return Computed(
        value=c["qualified_leads"],
        components={
            "qualified_leads": count(c["qualified_leads"]),
            "rule": c.config.lead_qualification,
        },
    )


def _pipeline_velocity(c: Inputs) -> Computed:
    leads = c["qualified_leads"]
    win_rate = np.asarray(formulas.win_rate(c["won"], c["lost"]))
    deal_size = np.asarray(formulas.average_deal_size(c["won_amount"], c["won"]))
    cycle = np.asarray(formulas.sales_cycle_length(c["cycle_days"], c["cycle_deals"]))
    value = np.asarray(formulas.pipeline_velocity(leads, win_rate, deal_size, cycle))
    why = notes(
        c,
        (np.isnan(win_rate), "no closed deals in {period}"),
        (np.isnan(deal_size), "no deals won in {period}"),
        (np.isnan(cycle), "no won deals with both dates in {period}"),
        (cycle == 0, "sales cycle of 0 days in {period}"),
    )
    return Computed(
        value=money(value),
        components={
            "basis": c.basis,
            "qualified_leads": count(leads),
            "win_rate": win_rate,
            "average_deal_size": money(deal_size),
            "sales_cycle_length": cycle,
        },
        notes=only_where(np.isnan(value), why),
    )


METRICS = (
    Metric(
        id="qualified_leads",
        section=Section.PIPELINE,
        name=Text("Qualified leads", "Jumlah prospek berkualitas"),
        definition=Text(
            "Number of leads that met the qualification criteria in the period: by default the"
            " leads whose qualification date (MQL/SQL) falls in it; with a score rule in"
            " lead_qualification (e.g. score >= 50), the leads meeting it, on their"
            " qualification date or else their creation date.",
            "Jumlah prospek yang memenuhi kriteria kualifikasi dalam periode: secara bawaan"
            " prospek yang tanggal kualifikasinya (MQL/SQL) jatuh dalam periode; dengan aturan"
            " skor pada lead_qualification (mis. score >= 50), prospek yang memenuhinya, pada"
            " tanggal kualifikasi atau, bila kosong, tanggal dibuat.",
        ),
        why=Text(
            "Lets sellers focus on high-potential prospects and shows whether marketing feeds"
            " the pipeline enough to reach the targets.",
            "Membantu tenaga penjualan fokus pada prospek berpotensi tinggi dan menunjukkan"
            " apakah pemasaran cukup mengisi pipeline untuk mencapai target.",
        ),
        formula=Text(
            "count of leads with qualified_at in P (rule configurable)",
            "jumlah prospek dengan qualified_at dalam P (aturan dapat dikonfigurasi)",
        ),
        unit=Unit.COUNT,
        direction=Direction.HIGHER,
        owners=(Role.MARKETING,),
        cadence=OPERATING,
        example=Example(
            Text(
                "500 leads in a month, 150 of them met the qualification criteria → 150.",
                "500 prospek dalam sebulan, 150 di antaranya memenuhi kriteria kualifikasi → 150.",
            ),
            150,
        ),
        tables=("leads",),
        families=("leads",),
        compute=_qualified_leads,
        drill="leads.qualified",
        null_note="no leads qualified in {period}",
    ),
    Metric(
        id="pipeline_velocity",
        section=Section.PIPELINE,
        name=Text("Pipeline velocity", "Kecepatan pipeline"),
        definition=Text(
            "Value the pipeline turns into revenue per day: qualified leads × win rate × average"
            " deal size / sales cycle length, each for the period. Basis open_opportunities"
            " (the opportunities open at the period's start instead of qualified leads) comes"
            " with opportunity history.",
            "Nilai yang diubah pipeline menjadi pendapatan per hari: prospek berkualitas ×"
            " tingkat kemenangan × ukuran transaksi rata-rata / panjang siklus penjualan,"
            " masing-masing untuk periode. Basis open_opportunities (peluang yang terbuka pada"
            " awal periode sebagai ganti prospek berkualitas) tersedia bersama riwayat peluang.",
        ),
        why=Text(
            "Combines the four levers of the funnel in one number: it shows how fast prospects"
            " become paying customers, where the bottleneck is, and helps forecast revenue.",
            "Menggabungkan empat pengungkit corong penjualan dalam satu angka: menunjukkan"
            " seberapa cepat prospek menjadi pelanggan yang membayar, di mana hambatannya, dan"
            " membantu memperkirakan pendapatan.",
        ),
        formula=Text(
            "qualified_leads × win_rate × average_deal_size / sales_cycle_length",
            "qualified_leads × win_rate × average_deal_size / sales_cycle_length",
        ),
        unit=Unit.MONEY_PER_DAY,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "200 qualified leads, win rate 25%, average deal $10,000, 25-day cycle →"
                " $20,000 per day (the seed prints 200: a slip).",
                "200 prospek berkualitas, tingkat kemenangan 25%, rata-rata transaksi $10.000,"
                " siklus 25 hari → $20.000 per hari (seed menulis 200: salah ketik).",
            ),
            20_000,
            {
                "qualified_leads": 200,
                "win_rate": 0.25,
                "average_deal_size": 10_000,
                "sales_cycle_length": 25,
            },
        ),
        tables=("leads", "opportunities"),
        families=("leads", "deals"),
        bases=("qualified_leads",),
        pending_bases={
            "open_opportunities": "it needs opportunity history and comes with the pipeline metrics"
        },
        compute=_pipeline_velocity,
        drill="deals.closed",
        null_note="undefined in {period}",
    ),
)
