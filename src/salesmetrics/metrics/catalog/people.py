"""Engagement and people: customer engagement score, eNPS and pulse surveys."""

from __future__ import annotations

from salesmetrics import formulas
from salesmetrics.metrics.compute import Computed, Inputs, ObjectArray, count
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

#: Separates the event types of the engagement family's ``engagement_left_out`` (a character no
#: event name holds).
LEFT_OUT_SEPARATOR = "\x1f"


def _left_out_note(c: Inputs) -> ObjectArray:
    """Per row, the note naming the event types left out of the score for a target of 0."""
    import pandas as pd

    left_out = c.column("engagement_left_out")
    # one text per period: sorted once per distinct value, not per row
    texts = {
        v: "event types left out of the score, their target being 0 (most customers never do"
        " them): " + ", ".join(sorted(v.split(LEFT_OUT_SEPARATOR)))
        for v in pd.unique(left_out.dropna())
        if v
    }
    return left_out.map(texts).astype(object).where(lambda s: s.notna(), None).to_numpy()


def _customer_engagement_score(c: Inputs) -> Computed:
    import numpy as np

    customers = c["engaged_customers"]
    at_risk = c["engagement_at_risk"]
    return Computed(
        value=np.asarray(formulas.divide(c["engagement_sum"], customers)),
        components={
            "customers": count(customers),
            "at_risk": count(at_risk),
            "at_risk_share": np.asarray(formulas.divide(at_risk, customers)),
            "event_types": count(c["engagement_events"]),
            "window_days": c.config.engagement_window_days,
        },
        notes=_left_out_note(c),
    )


#: What a suppressed survey row still shows (the engine hides the rest and the value:
#: :mod:`salesmetrics.metrics.anonymity`).
_SHOWN_WHEN_HIDDEN = frozenset({"min_survey_group"})


def _enps(c: Inputs) -> Computed:
    import numpy as np

    respondents = c["enps_respondents"]
    value = formulas.enps(c["enps_promoters"], c["enps_detractors"], respondents)
    return Computed(
        value=np.asarray(value, dtype=float),
        components={
            "respondents": count(respondents),
            "promoters": count(c["enps_promoters"]),
            "passives": count(c["enps_passives"]),
            "detractors": count(c["enps_detractors"]),
            "min_survey_group": c.config.min_survey_group,
        },
        hidden_components=_SHOWN_WHEN_HIDDEN,
    )


def _pulse_score(c: Inputs) -> Computed:
    import numpy as np

    responses = c["pulse_responses"]
    return Computed(
        value=np.asarray(formulas.pulse_score(c["pulse_total"], responses), dtype=float),
        components={
            "responses": count(responses),
            "total_score": c["pulse_total"],
            "min_survey_group": c.config.min_survey_group,
        },
        hidden_components=_SHOWN_WHEN_HIDDEN,
    )


METRICS = (
    Metric(
        id="customer_engagement_score",
        section=Section.ENGAGEMENT,
        name=Text("Customer engagement score", "Skor keterlibatan pelanggan"),
        definition=Text(
            "How actively customers use the product, 0-100, averaged over the customers at the"
            " end of the period. Per customer, over the last engagement_window_days (default 30)"
            " of the period: 100 × Σ weight × min(count / target, 1) / Σ weight over the event"
            " types; weights from engagement_weights (default 1), targets from"
            " engagement_targets, else the 90th percentile of the count among the customers at"
            " end. An event type whose target is 0 (most customers never do it, so its 90th"
            " percentile is 0; or a target of 0 configured) is left out of Σ weight, and"
            " the note names it. Customers scoring under 40 are at risk (components).",
            "Seberapa aktif pelanggan memakai produk, 0-100, dirata-ratakan atas pelanggan pada"
            " akhir periode. Per pelanggan, selama engagement_window_days terakhir (bawaan 30)"
            " dari periode: 100 × Σ bobot × min(jumlah / target, 1) / Σ bobot atas jenis"
            " peristiwa; bobot dari engagement_weights (bawaan 1), target dari"
            " engagement_targets, atau persentil ke-90 jumlah peristiwa di antara pelanggan pada"
            " akhir periode. Jenis peristiwa yang targetnya 0 (sebagian besar pelanggan tidak"
            " pernah melakukannya, sehingga persentil ke-90-nya 0; atau target 0 yang"
            " dikonfigurasi) tidak ikut dalam Σ bobot, dan catatan menyebutnya. Pelanggan"
            " dengan skor di bawah 40 berisiko (komponen).",
        ),
        why=Text(
            "High engagement usually goes with lower churn: the score shows early which"
            " customers need attention from customer success.",
            "Keterlibatan yang tinggi biasanya sejalan dengan churn yang lebih rendah: skor ini"
            " menunjukkan lebih awal pelanggan mana yang perlu perhatian tim kesuksesan"
            " pelanggan.",
        ),
        formula=Text(
            "mean over customers at end of 100 × Σ w·min(count/target, 1) / Σ w",
            "rata-rata atas pelanggan di akhir dari 100 × Σ w·min(jumlah/target, 1) / Σ w",
        ),
        unit=Unit.SCORE,
        direction=Direction.HIGHER,
        owners=(Role.CUSTOMER_SUCCESS,),
        cadence=OPERATING,
        example=Example(
            Text(
                "Targets 10 logins and 4 reports, equal weights; a customer with 5 logins and 4"
                " reports scores 100 × (0.5 + 1) / 2 = 75.",
                "Target 10 login dan 4 laporan, bobot sama; pelanggan dengan 5 login dan 4"
                " laporan mendapat skor 100 × (0,5 + 1) / 2 = 75.",
            ),
            75,
            {"counts": [5, 4], "targets": [10, 4], "weights": [1, 1]},
        ),
        tables=("engagement_events", "opportunities"),
        families=("engagement",),
        compute=_customer_engagement_score,
        drill="engagement.scores",
        null_note="no customers with engagement data at the end of {period}",
        formula_id="engagement_score",
    ),
    Metric(
        id="enps",
        section=Section.ENGAGEMENT,
        name=Text("Employee Net Promoter Score (eNPS)", "Employee Net Promoter Score (eNPS)"),
        definition=Text(
            'Answers to the question enps ("How likely are you to recommend us as a place to'
            ' work?") submitted in the period, the latest per respondent and survey: 100 ×'
            " (promoters (9-10) − detractors (0-6)) / respondents; passives answer 7-8. Not"
            " shown, nor its components, for a group with fewer than min_survey_group"
            " respondents (default 5); and, so that such a group cannot be worked out by"
            " subtracting the groups shown from the total, the next-smallest groups of the same"
            " period are not shown either, until the groups not shown hold at least"
            " min_survey_group respondents together (complementary suppression).",
            'Jawaban atas pertanyaan enps ("Seberapa besar kemungkinan Anda merekomendasikan'
            ' perusahaan kami sebagai tempat bekerja?") yang dikirim dalam periode, yang'
            " terbaru per responden dan survei: 100 × (promotor (9-10) − pengkritik (0-6)) /"
            " responden; pasif menjawab 7-8. Nilai dan komponennya tidak ditampilkan untuk"
            " kelompok dengan responden kurang dari min_survey_group (bawaan 5); dan agar"
            " kelompok seperti itu tidak dapat dihitung dengan mengurangkan kelompok yang"
            " ditampilkan dari total, kelompok terkecil berikutnya pada periode yang sama juga"
            " tidak ditampilkan, sampai kelompok yang disembunyikan bersama-sama memiliki"
            " sedikitnya min_survey_group responden (penyembunyian komplementer).",
        ),
        why=Text(
            "One simple question that tracks loyalty of the team; a sales team that would not"
            " recommend its employer will not stay to close next year's deals.",
            "Satu pertanyaan sederhana untuk memantau loyalitas tim; tim penjualan yang tidak"
            " mau merekomendasikan tempat kerjanya tidak akan bertahan untuk menutup transaksi"
            " tahun depan.",
        ),
        formula=Text(
            "100 × (promoters − detractors) / respondents",
            "100 × (promotor − pengkritik) / responden",
        ),
        unit=Unit.SCORE,
        direction=Direction.HIGHER,
        owners=(Role.PEOPLE,),
        cadence=EVERY_REVIEW,
        example=Example(
            Text(
                "10 respondents: 5 promoters, 3 passives, 2 detractors → 100 × (5 − 2) / 10 = 30.",
                "10 responden: 5 promotor, 3 pasif, 2 pengkritik → 100 × (5 − 2) / 10 = 30.",
            ),
            30,
            {"promoters": 5, "detractors": 2, "respondents": 10},
        ),
        tables=("survey_responses",),
        families=("enps",),
        compute=_enps,
        drill="",
        respondents="enps_respondents",
        null_note="no eNPS answers in {period}",
    ),
    Metric(
        id="pulse_score",
        section=Section.ENGAGEMENT,
        name=Text("Pulse score", "Skor survei denyut (pulse)"),
        definition=Text(
            "Mean answer per pulse-survey question (every question but enps) in the period, the"
            " latest answer per respondent, survey and question; results carry the question."
            " Not shown for a group with fewer than min_survey_group respondents, with the same"
            " complementary suppression as enps, per question.",
            "Rata-rata jawaban per pertanyaan survei denyut (semua pertanyaan kecuali enps)"
            " dalam periode, jawaban terbaru per responden, survei, dan pertanyaan; hasil"
            " mencantumkan pertanyaannya. Tidak ditampilkan untuk kelompok dengan responden"
            " kurang dari min_survey_group, dengan penyembunyian komplementer yang sama seperti"
            " enps, per pertanyaan.",
        ),
        why=Text(
            "Short, frequent surveys show quickly how the team feels about a topic, long before"
            " it appears in attrition.",
            "Survei singkat yang sering menunjukkan dengan cepat perasaan tim tentang suatu"
            " hal, jauh sebelum terlihat pada angka karyawan keluar.",
        ),
        formula=Text(
            "Σ scores / responses, per question",
            "Σ skor / jumlah jawaban, per pertanyaan",
        ),
        unit=Unit.SCORE,
        direction=Direction.HIGHER,
        owners=(Role.PEOPLE,),
        cadence=OPERATING,
        example=Example(
            Text(
                "Five answers 8, 7, 9, 6 and 10 → 8.0.",
                "Lima jawaban 8, 7, 9, 6, dan 10 → 8,0.",
            ),
            8.0,
            {"total_score": 40, "responses": 5},
        ),
        tables=("survey_responses",),
        families=("pulse",),
        dims=("question",),
        compute=_pulse_score,
        drill="",
        respondents="pulse_responses",
        null_note="no answers in {period}",
    ),
)
