"""Pipeline metrics: qualified leads, pipeline velocity, and the metrics of the open pipeline
as of a date (coverage, weighted pipeline, slippage, flow; :mod:`salesmetrics.pipeline`).

Pipeline velocity has two bases: ``qualified_leads`` (default) and ``open_opportunities`` (the
opportunities open at the period's start, from opportunity history).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from salesmetrics import formulas
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
    OPERATING,
    Direction,
    Example,
    Metric,
    Role,
    Section,
    Text,
    Unit,
)
from salesmetrics.pipeline import forecast_columns as ff

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def _qualified_leads(c: Inputs) -> Computed:
    return Computed(
        value=c["qualified_leads"],
        components={
            "qualified_leads": count(c["qualified_leads"]),
            "rule": c.config.lead_qualification,
        },
    )


def _pipeline_velocity(c: Inputs) -> Computed:
    import numpy as np

    open_basis = c.basis == "open_opportunities"
    leads = c["open_at_start"] if open_basis else c["qualified_leads"]
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
            ("open_opportunities" if open_basis else "qualified_leads"): count(leads),
            "win_rate": win_rate,
            "average_deal_size": money(deal_size),
            "sales_cycle_length": cycle,
        },
        notes=only_where(np.isnan(value), why),
    )


METRICS: tuple[Metric, ...] = (
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
            " uses the opportunities open at the period's start (from opportunity history)"
            " instead of qualified leads.",
            "Nilai yang diubah pipeline menjadi pendapatan per hari: prospek berkualitas ×"
            " tingkat kemenangan × ukuran transaksi rata-rata / panjang siklus penjualan,"
            " masing-masing untuk periode. Basis open_opportunities memakai peluang yang terbuka"
            " pada awal periode (dari riwayat peluang) sebagai ganti prospek berkualitas.",
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
        # leads are not required: the open_opportunities basis reads none (without leads the
        # qualified_leads basis counts 0 qualified leads)
        tables=("opportunities",),
        families=("leads", "deals"),
        bases=("qualified_leads", "open_opportunities"),
        basis_families={"open_opportunities": ("pipeline", "deals")},
        compute=_pipeline_velocity,
        drill="deals.closed",
        null_note="undefined in {period}",
    ),
)


# -- the open pipeline as of a date (salesmetrics.pipeline) ---------------------------------------


def _pipeline_coverage(c: Inputs) -> Computed:
    import numpy as np

    pipeline, quota = c["pipeline_amount"], c["quota"]
    value = np.asarray(formulas.pipeline_coverage(pipeline, quota), dtype="float64")
    why = notes(c, (~(quota > 0), "no quota for {period}"))
    return Computed(
        value=value,
        components={
            "open_pipeline": money(pipeline),
            "quota": money(quota),
            "expected": count(c["expected"]),
            "without_amount": count(c["pipeline_no_amount"]),
            "seller_basis": c.extra.get("seller_basis"),
        },
        notes=only_where(np.isnan(value), why),
    )


def _weighted_pipeline(c: Inputs) -> Computed:
    expected = c["expected"]
    return Computed(
        value=money(c["weighted_amount"]),
        components={
            "expected": count(expected),
            "open_pipeline": money(c["pipeline_amount"]),
            "without_probability": count(c["weighted_no_probability"]),
        },
        notes=notes(c, (expected == 0, "no open deals expected to close in {period}")),
    )


def _deal_slippage_rate(c: Inputs) -> Computed:
    import numpy as np

    slipped, expected = c["slipped"], c["expected"]
    value = np.asarray(formulas.deal_slippage_rate(slipped, expected), dtype="float64")
    return Computed(
        value=value,
        components={
            "slipped": count(slipped),
            "expected": count(expected),
            "slipped_amount": money(c["slipped_amount"]),
        },
    )


_FLOW = ("start", "created", "pulled_in", "increased", "decreased", "pushed_out", "lost", "won")


def _pipeline_flow(c: Inputs) -> Computed:
    start, end = c["flow_start"], c["flow_end"]
    components: dict[str, object] = {}
    for name in (*_FLOW, "end"):
        components[name] = money(c[f"flow_{name}"])
        components[f"{name}_count"] = count(c[f"flow_{name}_count"])
    return Computed(value=money(end - start), components=components)


# -- forecasts against actuals (salesmetrics.metrics.families.forecast) ---------------------------

_FORECAST_BASES = ff.METHODS


def _who(c: Inputs, rows: np.ndarray) -> ObjectArray:
    """Whose forecast each of ``rows`` reads: "rep r1", "team East" or "the company"."""
    import numpy as np

    for dim in ("rep", "team"):
        if c.has(dim):
            names = c.column(dim).to_numpy(dtype=object)[rows]
            return np.array([f"{dim} {'(none)' if n is None else n}" for n in names], dtype=object)
    return np.full(len(rows), "the company", dtype=object)


def _minutes(values: pd.Series[Any]) -> ObjectArray:
    """Timestamps as ``YYYY-MM-DD HH:MM`` text, None for missing."""
    import numpy as np
    import pandas as pd

    at = pd.to_datetime(values)
    stamps = (
        at.to_numpy(dtype="datetime64[ns]")
        if at.dt.tz is None
        else at.dt.tz_localize(None).to_numpy()
    )
    text = np.char.replace(np.datetime_as_string(stamps, unit="m"), "T", " ").astype(object)
    text[np.isnat(stamps)] = None
    return np.asarray(text, dtype=object)


def _note_where(mask: Any, build: Callable[[np.ndarray], ObjectArray]) -> ObjectArray:
    """``build(rows)``'s notes for the rows where ``mask`` holds, None elsewhere."""
    import numpy as np

    out = np.full(len(mask), None, dtype=object)
    rows = np.flatnonzero(mask)
    if len(rows):
        out[rows] = build(rows)
    return out


def _forecast_parts(c: Inputs, what: str) -> tuple[FloatArray, FloatArray, Computed]:
    """Forecast and actual per row, with the components and notes shared by both metrics. The
    category is the configured ``forecast_category``, the method the basis (by default the
    configured ``forecast_method``); every row's note names both."""
    import numpy as np
    import pandas as pd

    method = c.basis or c.config.forecast_method
    category = c.config.forecast_category
    forecast = c[ff.column(method, category)]
    actual = money(np.nan_to_num(c["won_amount"]))  # total_revenue, to the cent
    late = c[ff.column(method, category, "_late")] == 1.0
    at_text = _minutes(c.column(ff.column(method, category, "_at")))
    ids = c.column(ff.column(method, category, "_id")).astype(object)
    ids = ids.where(ids.notna(), None)
    period = c.period.to_numpy(dtype=object)
    missing = np.isnan(forecast)
    chosen = np.full(len(c), f"{category} forecasts of method {method}", dtype=object)
    undefined = _note_where(missing, lambda at: "none for " + _who(c, at) + " in " + period[at])
    no_actual = _note_where(
        ~missing & (actual == 0),
        lambda at: "no revenue won in " + period[at] + f": {what} undefined",
    )
    late_note = _note_where(
        ~missing & late,
        lambda at: (
            "no forecast submitted before "
            + period[at]
            + " started: the latest before its end used (submitted "
            + np.where(pd.isna(at_text[at]), "", at_text[at]).astype(object)
            + " UTC)"
        ),
    )
    note = combine_notes(chosen, undefined, no_actual, late_note)
    late_shown = late.astype(object)
    late_shown[missing] = None
    components: dict[str, object] = {
        "forecast": money(forecast),
        "actual": money(actual),
        "method": method,
        "category": category,
        "forecast_id": ids.to_numpy(dtype=object),
        "submitted_at": at_text,
        "late": late_shown,
    }
    for other in ff.CATEGORIES:
        if other != category:
            components[f"forecast_{other}"] = money(c[ff.column(method, other)])
    return forecast, actual, Computed(value=np.array([]), components=components, notes=note)


def _sales_forecast_accuracy(c: Inputs) -> Computed:
    import numpy as np

    forecast, actual, parts = _forecast_parts(c, "accuracy")
    value = np.asarray(formulas.sales_forecast_accuracy(forecast, actual), dtype="float64")
    return Computed(value=value, components=parts.components, notes=parts.notes)


def _forecast_bias(c: Inputs) -> Computed:
    import numpy as np

    forecast, actual, parts = _forecast_parts(c, "bias")
    value = np.asarray(formulas.forecast_bias(forecast, actual), dtype="float64")
    return Computed(value=value, components=parts.components, notes=parts.notes)


_FORECAST_BASIS_TEXT = Text(
    " The forecast is the scope's latest one submitted before the period's start (else the"
    " latest submitted before its end, noted), of the category forecast_category (config,"
    " default most_likely; commit and best_case are the others) and the method"
    " forecast_method (config, default manager: the forecasts managers submitted;"
    " weighted_pipeline and statistical are the forecasts `salesmetrics forecast --save`"
    " stored), which a basis overrides for one request; the note names both, and the"
    " components show the other categories' forecasts of the same method. Company-wide"
    " results read the company forecasts, by team the team forecasts, by rep the reps' own;"
    " forecasts are not kept by other dimensions.",
    " Perkiraan yang dipakai adalah perkiraan terakhir cakupan tersebut yang diajukan sebelum"
    " awal periode (bila tidak ada, yang terakhir sebelum akhir periode, dengan catatan),"
    " dengan kategori forecast_category (konfigurasi, bawaan most_likely; lainnya commit dan"
    " best_case) dan metode forecast_method (konfigurasi, bawaan manager: perkiraan yang"
    " diajukan manajer; weighted_pipeline dan statistical adalah perkiraan yang disimpan"
    " `salesmetrics forecast --save`), yang dapat diganti basis untuk satu permintaan;"
    " catatan menyebut keduanya, dan komponen menampilkan perkiraan kategori lain dari metode"
    " yang sama. Hasil seluruh perusahaan membaca perkiraan perusahaan, per tim perkiraan tim,"
    " per tenaga penjualan perkiraannya sendiri; perkiraan tidak disimpan per dimensi lain.",
)

SALES_FORECAST_ACCURACY = Metric(
    id="sales_forecast_accuracy",
    section=Section.PIPELINE,
    name=Text("Sales forecast accuracy", "Akurasi perkiraan penjualan"),
    definition=Text(
        "How close the forecast was to the actual: 1 − |actual − forecast| / actual, floored at"
        " 0, where actual is the revenue won in the period (total revenue) of the forecast's"
        " scope." + _FORECAST_BASIS_TEXT.en,
        "Seberapa dekat perkiraan dengan kenyataan: 1 − |aktual − perkiraan| / aktual, paling"
        " rendah 0, dengan aktual = pendapatan yang dimenangkan dalam periode (total"
        " pendapatan) untuk cakupan perkiraan tersebut." + _FORECAST_BASIS_TEXT.id,
    ),
    why=Text(
        "Reliable forecasts let finance plan spending and hiring; a team that keeps missing its"
        " forecast needs its pipeline reviewed.",
        "Perkiraan yang andal memungkinkan keuangan merencanakan belanja dan perekrutan; tim"
        " yang terus meleset dari perkiraannya perlu ditinjau pipeline-nya.",
    ),
    formula=Text(
        "max(0, 1 − |actual − forecast| / actual)", "max(0, 1 − |actual − forecast| / actual)"
    ),
    unit=Unit.RATIO,
    direction=Direction.HIGHER,
    owners=(Role.SALES, Role.FINANCE),
    cadence=OPERATING,
    example=Example(
        Text(
            "Forecast $900,000, actual $1,000,000 → 90%.",
            "Perkiraan $900.000, aktual $1.000.000 → 90%.",
        ),
        0.9,
        {"forecast": 900_000, "actual": 1_000_000},
    ),
    tables=("forecasts", "opportunities"),
    families=("forecasts", "deals"),
    bases=_FORECAST_BASES,
    basis_setting="forecast_method",
    compute=_sales_forecast_accuracy,
    drill="forecasts.used",
    null_note="undefined in {period}",
)

FORECAST_BIAS = Metric(
    id="forecast_bias",
    section=Section.PIPELINE,
    name=Text("Forecast bias", "Bias perkiraan"),
    definition=Text(
        "Direction and size of the forecast error: (forecast − actual) / actual, negative when"
        " the forecast was too low, positive when too high (0 is best; unlike the accuracy it"
        " is not floored)." + _FORECAST_BASIS_TEXT.en,
        "Arah dan besar kesalahan perkiraan: (perkiraan − aktual) / aktual, negatif bila"
        " perkiraan terlalu rendah, positif bila terlalu tinggi (0 paling baik; berbeda dengan"
        " akurasi, tidak dibatasi)." + _FORECAST_BASIS_TEXT.id,
    ),
    why=Text(
        "Shows whether forecasts are consistently optimistic or sandbagged, which the accuracy"
        " alone hides.",
        "Menunjukkan apakah perkiraan selalu terlalu optimistis atau sengaja direndahkan, hal"
        " yang tidak terlihat dari akurasi saja.",
    ),
    formula=Text("(forecast − actual) / actual", "(forecast − actual) / actual"),
    unit=Unit.RATIO,
    direction=Direction.LOWER,
    owners=(Role.SALES, Role.FINANCE),
    cadence=OPERATING,
    example=Example(
        Text(
            "Forecast $900,000, actual $1,000,000 → −10%.",
            "Perkiraan $900.000, aktual $1.000.000 → −10%.",
        ),
        -0.1,
        {"forecast": 900_000, "actual": 1_000_000},
    ),
    tables=("forecasts", "opportunities"),
    families=("forecasts", "deals"),
    bases=_FORECAST_BASES,
    basis_setting="forecast_method",
    compute=_forecast_bias,
    drill="forecasts.used",
    null_note="undefined in {period}",
)


OPEN_PIPELINE_METRICS = (
    Metric(
        id="pipeline_coverage",
        section=Section.PIPELINE,
        name=Text("Pipeline coverage", "Cakupan pipeline"),
        definition=Text(
            "Open pipeline against quota: the value of the opportunities open at the period's"
            " start with a close date in the period (their state at the start, from history),"
            " divided by the quota for the period (pro-rated by days).",
            "Pipeline terbuka dibandingkan kuota: nilai peluang yang terbuka pada awal periode"
            " dengan tanggal penutupan dalam periode (keadaannya pada awal periode, dari"
            " riwayat), dibagi kuota periode (diprorata menurut hari).",
        ),
        why=Text(
            "Shows early whether there is enough pipeline to reach the target; three times the"
            " quota is the usual rule of thumb.",
            "Menunjukkan sejak awal apakah pipeline cukup untuk mencapai target; tiga kali"
            " kuota adalah patokan yang lazim.",
        ),
        formula=Text("open_pipeline / quota", "open_pipeline / quota"),
        unit=Unit.NUMBER,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$3,000,000 open for the quarter against a $1,000,000 quota → 3.0×.",
                "$3.000.000 terbuka untuk triwulan dibandingkan kuota $1.000.000 → 3,0×.",
            ),
            3,
            {"open_pipeline": 3_000_000, "quota": 1_000_000},
        ),
        tables=("opportunities", "quotas"),
        families=("pipeline", "team"),
        compute=_pipeline_coverage,
        drill="pipeline.expected",
        null_note="no quota for {period}",
        default_target=DEFAULT_TARGETS["pipeline_coverage"],
    ),
    Metric(
        id="weighted_pipeline",
        section=Section.PIPELINE,
        name=Text("Weighted pipeline", "Pipeline tertimbang"),
        definition=Text(
            "Probability-weighted open pipeline closing in the period, as of its start: Σ amount"
            " × probability over the opportunities open at the start with a close date in the"
            " period (deals without a probability count 0 and are counted).",
            "Pipeline terbuka yang ditimbang peluang menangnya dan ditutup dalam periode, per"
            " awal periode: Σ nilai × probabilitas atas peluang yang terbuka pada awal periode"
            " dengan tanggal penutupan dalam periode (tanpa probabilitas dihitung 0).",
        ),
        why=Text(
            "A simple forecast of what the open pipeline will bring in the period.",
            "Perkiraan sederhana dari apa yang akan dihasilkan pipeline terbuka dalam periode.",
        ),
        formula=Text("Σ amount × probability", "Σ amount × probability"),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.SALES, Role.FINANCE),
        cadence=OPERATING,
        example=Example(
            Text(
                "$100,000 at 60% and $50,000 at 20% → $70,000.",
                "$100.000 dengan 60% dan $50.000 dengan 20% → $70.000.",
            ),
            70_000,
        ),
        tables=("opportunities",),
        families=("pipeline",),
        compute=_weighted_pipeline,
        drill="pipeline.expected",
        null_note="no open deals expected to close in {period}",
    ),
    Metric(
        id="deal_slippage_rate",
        section=Section.PIPELINE,
        name=Text("Deal slippage rate", "Tingkat pergeseran transaksi"),
        definition=Text(
            "Share of the opportunities open at the period's start and expected to close in it"
            " that were still open at its end with a later close date (from history).",
            "Porsi peluang yang terbuka pada awal periode dan diharapkan ditutup di dalamnya"
            " yang pada akhir periode masih terbuka dengan tanggal penutupan lebih lambat (dari"
            " riwayat).",
        ),
        why=Text(
            "Deals that keep slipping make the forecast unreliable and hide stalled pipeline.",
            "Transaksi yang terus bergeser membuat perkiraan tidak andal dan menyembunyikan"
            " pipeline yang macet.",
        ),
        formula=Text("slipped / expected", "slipped / expected"),
        unit=Unit.RATIO,
        direction=Direction.LOWER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "60 deals expected to close in the quarter, 12 slipped → 20%.",
                "60 transaksi diharapkan ditutup dalam triwulan, 12 bergeser → 20%.",
            ),
            0.2,
            {"slipped": 12, "expected": 60},
        ),
        tables=("opportunities",),
        families=("pipeline",),
        compute=_deal_slippage_rate,
        drill="pipeline.expected",
        null_note="no open deals expected to close in {period}",
    ),
    SALES_FORECAST_ACCURACY,
    Metric(
        id="pipeline_flow",
        section=Section.PIPELINE,
        name=Text("Pipeline flow", "Arus pipeline"),
        definition=Text(
            "How the open pipeline expected to close in the period changed between its start"
            " and its end: start + created + pulled in + increased − decreased − pushed out −"
            " lost − won = end, each a component (value and count). The value is the net"
            " change, end − start.",
            "Bagaimana pipeline terbuka yang diharapkan ditutup dalam periode berubah antara"
            " awal dan akhirnya: awal + dibuat + ditarik masuk + naik − turun − terdorong keluar"
            " − kalah − menang = akhir, masing-masing sebuah komponen (nilai dan jumlah). Nilainya"
            " adalah perubahan bersih, akhir − awal.",
        ),
        why=Text(
            "The waterfall sales leaders inspect weekly: where new pipeline came from and where"
            " the pipeline went.",
            "Grafik air terjun yang diperiksa pimpinan penjualan setiap minggu: dari mana"
            " pipeline baru datang dan ke mana pipeline pergi.",
        ),
        formula=Text(
            "end − start, with start + created + pulled_in + increased − decreased − pushed_out"
            " − lost − won = end",
            "end − start, dengan start + created + pulled_in + increased − decreased −"
            " pushed_out − lost − won = end",
        ),
        unit=Unit.MONEY,
        direction=Direction.HIGHER,
        owners=(Role.SALES,),
        cadence=OPERATING,
        example=Example(
            Text(
                "$1,000,000 at the start, $200,000 created, $300,000 won → $900,000 at the end:"
                " −$100,000.",
                "$1.000.000 di awal, $200.000 dibuat, $300.000 dimenangkan → $900.000 di akhir:"
                " −$100.000.",
            ),
            -100_000,
        ),
        tables=("opportunities",),
        families=("pipeline",),
        compute=_pipeline_flow,
        drill="pipeline.flow",
        null_note="undefined in {period}",
    ),
    FORECAST_BIAS,
)

METRICS = (*METRICS, *OPEN_PIPELINE_METRICS)
