"""Conversion metrics of the stage funnel (need opportunity history): time in stage and stage
conversion, by stage (:mod:`salesmetrics.pipeline.funnel`)."""

from __future__ import annotations

from salesmetrics import formulas
from salesmetrics.metrics.compute import Computed, Inputs, count, notes, only_where
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


def _time_in_stage(c: Inputs) -> Computed:
    import numpy as np

    visits, days = c["visits_ended"], c["visit_days"]
    value = np.where(visits > 0, days / np.where(visits > 0, visits, 1.0), np.nan)
    return Computed(
        value=np.round(value, 4).astype("float64"),
        components={"visits": count(visits), "days": np.round(days, 4)},
    )


def _stage_conversion(c: Inputs) -> Computed:
    import numpy as np

    reached, reached_next = c["reached"], c["reached_next"]
    value = np.asarray(formulas.stage_conversion(reached_next, reached), dtype="float64")
    nxt = c.column("next_stage")
    why = notes(c, (reached == 0, "no deals created in {period} reached this stage"))
    return Computed(
        value=value,
        components={
            "reached": count(reached),
            "reached_next": count(reached_next),
            "next_stage": nxt.to_numpy(dtype=object),
        },
        notes=only_where(np.isnan(value), why),
    )


METRICS = (
    Metric(
        id="time_in_stage",
        section=Section.CONVERSION,
        name=Text("Time in stage", "Waktu di setiap tahap"),
        definition=Text(
            "Mean days an opportunity spends in each stage, over the visits of the stage that"
            " ended in the period (from opportunity history; a stage entered again after"
            " moving back is a new visit).",
            "Rata-rata hari sebuah peluang berada di setiap tahap, atas kunjungan tahap yang"
            " berakhir dalam periode (dari riwayat peluang; tahap yang dimasuki lagi setelah"
            " mundur dihitung sebagai kunjungan baru).",
        ),
        why=Text(
            "Shows where deals stall: the stage where time piles up is the bottleneck.",
            "Menunjukkan di mana transaksi tertahan: tahap tempat waktu menumpuk adalah"
            " hambatannya.",
        ),
        formula=Text(
            "per stage: mean(left_at − entered_at) over visits that ended in P",
            "per tahap: rata-rata(left_at − entered_at) atas kunjungan yang berakhir dalam P",
        ),
        unit=Unit.DAYS,
        direction=Direction.LOWER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "Three deals left Discovery after 10, 20 and 30 days → 20 days.",
                "Tiga transaksi meninggalkan tahap Discovery setelah 10, 20 dan 30 hari → 20 hari.",
            ),
            20,
        ),
        tables=("opportunities",),
        families=("stages",),
        dims=("stage",),
        compute=_time_in_stage,
        drill="stages.visits",
        null_note="no visits of this stage ended in {period}",
    ),
    Metric(
        id="stage_conversion",
        section=Section.CONVERSION,
        name=Text("Stage conversion", "Konversi antartahap"),
        definition=Text(
            "Share of the opportunities created in the period that reached a stage and went on"
            " to reach the next one (the furthest stage a deal reached counts; moving back is"
            " counted once). The stage order comes from the stage_order setting, else the"
            " stages' probabilities, else the order in which deals move through them.",
            "Porsi peluang yang dibuat dalam periode yang mencapai suatu tahap dan kemudian"
            " mencapai tahap berikutnya (tahap terjauh yang dicapai yang dihitung; mundur"
            " dihitung sekali). Urutan tahap dari pengaturan stage_order, atau probabilitas"
            " tahap, atau urutan yang dilalui transaksi.",
        ),
        why=Text(
            "The funnel: where deals drop out between stages.",
            "Corong penjualan: di mana transaksi gugur di antara tahap.",
        ),
        formula=Text("reached_next / reached", "reached_next / reached"),
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "120 deals reached Proposal, 30 of them reached Negotiation → 25%.",
                "120 transaksi mencapai Proposal, 30 di antaranya mencapai Negotiation → 25%.",
            ),
            0.25,
            {"reached_next": 30, "reached": 120},
        ),
        tables=("opportunities",),
        families=("stages",),
        dims=("stage",),
        compute=_stage_conversion,
        drill="stages.visits",
        null_note="no deals created in {period} reached this stage",
    ),
)
