"""The pack's words and number, money, date and period formats in English and Indonesian.

Numbers, money, percentages, dates and month names come from Babel's CLDR data for the locale
(``en_US``: ``$1,234.56``; ``id_ID``: ``Rp1.234,56``, ``1.234,56``, ``Nov 2025``); the pack's
own words are in :data:`WORDS`. Metric names and texts come from the registry (both languages).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from salesmetrics.errors import UserError
from salesmetrics.metrics.registry import Text

#: The languages a pack is written in, and the Babel locale of each.
LOCALES: dict[str, str] = {"en": "en_US", "id": "id_ID"}

#: Every word the pack prints itself, in both languages.
WORDS: dict[str, Text] = {
    "review": Text("review", "tinjauan"),
    "pack_title": Text("{cadence} review {period}", "Tinjauan {cadence} {period}"),
    "prepared": Text("Prepared", "Disusun"),
    "freshness": Text("Data freshness", "Kemutakhiran data"),
    "last_event": Text("Latest event in the data", "Peristiwa terakhir dalam data"),
    "last_import": Text("Latest import", "Impor terakhir"),
    "imports": Text("Import batches", "Batch impor"),
    "base_currency": Text("Amounts in", "Nilai dalam"),
    "roles": Text("Sections", "Bagian"),
    "contents": Text("Contents", "Daftar isi"),
    "summary": Text("Summary", "Ringkasan"),
    "metric": Text("Metric", "Metrik"),
    "value": Text("Value", "Nilai"),
    "previous": Text("Previous period", "Periode sebelumnya"),
    "change": Text("Change", "Perubahan"),
    "last_year": Text("Last year", "Tahun lalu"),
    "change_year": Text("Change vs last year", "Perubahan vs tahun lalu"),
    "target": Text("Target", "Target"),
    "status": Text("Status", "Status"),
    "note": Text("Note", "Catatan"),
    "period": Text("Period", "Periode"),
    "group": Text("Group", "Grup"),
    "unit": Text("Unit", "Satuan"),
    "trends": Text("Trends", "Tren"),
    "trend_table": Text("Values by period", "Nilai per periode"),
    "breakdown": Text("By {dim}", "Per {dim}"),
    "waterfall": Text("MRR waterfall", "Waterfall MRR"),
    "cohorts": Text("Cohorts: customers still active", "Kohort: pelanggan yang masih aktif"),
    "cohort": Text("Cohort", "Kohort"),
    "customers": Text("Customers", "Pelanggan"),
    "age": Text("Month {n}", "Bulan {n}"),
    "funnel": Text("Funnel", "Corong penjualan"),
    "stage": Text("Stage", "Tahap"),
    "reached": Text("Reached", "Dicapai"),
    "next_stage": Text("Next stage", "Tahap berikutnya"),
    "forecast_accuracy": Text("Forecast accuracy", "Akurasi prakiraan"),
    "forecast": Text("Forecast", "Prakiraan"),
    "actual": Text("Actual", "Aktual"),
    "leaderboard": Text("Rep leaderboard", "Peringkat tenaga penjual"),
    "rep": Text("Rep", "Tenaga penjual"),
    "rank": Text("#", "#"),
    "movers": Text("Biggest movers", "Perubahan terbesar"),
    "metric_movers": Text("Metrics that changed most", "Metrik yang paling berubah"),
    "group_movers": Text("Groups that changed most", "Grup yang paling berubah"),
    "behind": Text(
        "Behind the change: {metric}, {group}, {period}",
        "Di balik perubahan: {metric}, {group}, {period}",
    ),
    "rows_shown": Text("{shown} of {total} rows", "{shown} dari {total} baris"),
    "printed_extremes": Text(
        "Printed: the {each} highest and {each} lowest values of each metric by {dim}"
        " ({shown} of {total} rows); the HTML and XLSX packs hold every row.",
        "Dicetak: {each} nilai tertinggi dan {each} terendah setiap metrik menurut {dim}"
        " ({shown} dari {total} baris); paket HTML dan XLSX memuat semua baris.",
    ),
    "printed_leaders": Text(
        "Printed: the first {shown} of {total} reps; the HTML and XLSX packs hold every rep.",
        "Dicetak: {shown} teratas dari {total} tenaga penjual; paket HTML dan XLSX memuat"
        " semuanya.",
    ),
    "quality": Text("Data quality", "Kualitas data"),
    "rejected": Text("Rows rejected at import", "Baris yang ditolak saat impor"),
    "checks": Text("CRM hygiene (salesmetrics check)", "Kebersihan data CRM (salesmetrics check)"),
    "problem": Text("Problem", "Masalah"),
    "found": Text("Found", "Ditemukan"),
    "share": Text("Share", "Porsi"),
    "examples": Text("Examples", "Contoh"),
    "fix": Text("How to fix it in the CRM", "Cara memperbaikinya di CRM"),
    "no_problems": Text(
        "No data-quality check found a problem.",
        "Tidak ada pemeriksaan kualitas data yang menemukan masalah.",
    ),
    "table": Text("Table", "Tabel"),
    "rows": Text("Rows", "Baris"),
    "no_rejects": Text(
        "No row was rejected at import.", "Tidak ada baris yang ditolak saat impor."
    ),
    "metric_notes": Text("Notes on the numbers", "Catatan tentang angka"),
    "no_notes": Text("No metric of this pack carries a note.", "Tidak ada catatan metrik."),
    "glossary": Text("Glossary", "Glosarium"),
    "definition": Text("Definition", "Definisi"),
    "why": Text("Why it matters", "Mengapa penting"),
    "formula": Text("Formula", "Rumus"),
    "no_data": Text("No data for this section.", "Tidak ada data untuk bagian ini."),
    "page": Text("Page", "Halaman"),
    "of": Text("of", "dari"),
    "company": Text("company", "perusahaan"),
    "on_track": Text("✓ on track", "✓ sesuai target"),
    "at_risk": Text("! at risk", "! berisiko"),
    "off_track": Text("✗ off track", "✗ di luar target"),
    "up": Text("▲", "▲"),
    "down": Text("▼", "▼"),
    "components": Text("Components", "Komponen"),
    "start": Text("MRR at start", "MRR awal"),
    "end": Text("MRR at end", "MRR akhir"),
    "new": Text("New", "Baru"),
    "reactivation": Text("Reactivation", "Reaktivasi"),
    "expansion": Text("Expansion", "Ekspansi"),
    "contraction": Text("Contraction", "Kontraksi"),
    "churn": Text("Churn", "Churn"),
    "dim_team": Text("team", "tim"),
    "dim_segment": Text("segment", "segmen"),
    "dim_rep": Text("rep", "tenaga penjual"),
    "dim_region": Text("region", "wilayah"),
    "dim_industry": Text("industry", "industri"),
    "dim_manager": Text("manager", "manajer"),
    "dim_source": Text("lead source", "sumber prospek"),
    "dim_product": Text("product", "produk"),
    "dim_pipeline": Text("pipeline", "pipeline"),
    "dim_plan": Text("plan", "paket"),
    "dim_type": Text("opportunity type", "jenis peluang"),
    "dim_channel": Text("channel", "kanal"),
}

#: The number formats of a unit in a spreadsheet (XLSX), and the unit's suffix in text.
SUFFIX: dict[str, Text] = {
    "money_per_day": Text("/day", "/hari"),
    "days": Text(" d", " hr"),
    "months": Text(" mo", " bln"),
    "years": Text(" y", " thn"),
}


def check_lang(lang: str) -> str:
    """``lang`` if the pack can be written in it, else a one-line UserError."""
    if lang not in LOCALES:
        raise UserError(f"unknown language {lang!r}; use {' or '.join(LOCALES)}")
    return lang


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


@dataclass(frozen=True)
class Formats:
    """Words and formats of one language, for one base currency."""

    lang: str
    currency: str

    @property
    def locale(self) -> str:
        """The Babel locale (``en_US``, ``id_ID``)."""
        return LOCALES[self.lang]

    def word(self, key: str, **values: Any) -> str:
        """The pack's word ``key`` in this language, with ``values`` filled in."""
        text = WORDS[key].get(self.lang)
        return text.format(**values) if values else text

    def dim(self, name: str) -> str:
        """A group dimension's name (``team`` → ``tim``)."""
        key = f"dim_{name}"
        return self.word(key) if key in WORDS else name

    def number(self, value: Any, digits: int = 2) -> str:
        """``1,234.56`` / ``1.234,56`` (at most ``digits`` decimals, at least 0)."""
        if _missing(value):
            return "—"
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(float(value), format=pattern, locale=self.locale)

    def fixed(self, value: Any, digits: int = 2) -> str:
        """``1,234.50`` / ``1.234,50``: exactly ``digits`` decimals."""
        if _missing(value):
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(float(value), format=pattern, locale=self.locale)

    def money(self, value: Any) -> str:
        """``$1,234.56`` / ``Rp1.234,56`` in the base currency."""
        if _missing(value):
            return "—"
        # two decimals in every currency, as the engine gives money (CLDR gives IDR none)
        return format_currency(
            float(value), self.currency, locale=self.locale, currency_digits=False
        )

    def percent(self, value: Any, digits: int = 1) -> str:
        """A fraction as a percentage: ``25.0%`` / ``25,0%``."""
        if _missing(value):
            return "—"
        pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
        return format_percent(float(value), format=pattern, locale=self.locale)

    def value(self, value: Any, unit: str | None) -> str:
        """A metric value in its unit."""
        if _missing(value):
            return "—"
        match unit:
            case "ratio":
                return self.percent(value)
            case "money":
                return self.money(value)
            case "money_per_day":
                return self.money(value) + SUFFIX["money_per_day"].get(self.lang)
            case "count":
                return self.fixed(value, 0)
            case "days" | "months" | "years":
                return self.fixed(value, 1) + SUFFIX[unit].get(self.lang)
            case "score":
                return self.fixed(value, 1)
        return self.fixed(value, 2)

    def change(self, change: Any, change_rate: Any, unit: str | None) -> str:
        """A change with its direction as a symbol (so it reads without colour): points for
        ratios, a percentage for the rest (the value's unit when there is no rate)."""
        if _missing(change):
            return ""
        c = float(change)
        arrow = self.word("up") if c > 0 else self.word("down") if c < 0 else "="
        if unit == "ratio":
            return f"{arrow} {self.fixed(abs(c) * 100, 1)} pp"
        if _missing(change_rate):
            return f"{arrow} {self.value(abs(c), unit)}"
        return f"{arrow} {self.percent(abs(float(change_rate)))}"

    def status(self, status: Any) -> str:
        """A target status with its symbol (✓, !, ✗)."""
        return self.word(str(status)) if status in ("on_track", "at_risk", "off_track") else ""

    def date(self, day: dt.date | None) -> str:
        """A date in the locale's medium format (``Dec 31, 2025`` / ``31 Des 2025``)."""
        if day is None:
            return "—"
        return format_date(day, format="medium", locale=self.locale)

    def datetime(self, moment: dt.datetime | None) -> str:
        """A timestamp (UTC) in the locale's medium format."""
        if moment is None:
            return "—"
        return format_datetime(moment, format="medium", locale=self.locale) + " UTC"

    def period(self, label: str, start: dt.date | None = None) -> str:
        """A period label for people: ``2025-11`` → ``Nov 2025``, ``2025-Q4`` → ``Q4 2025`` /
        ``K4 2025`` (kuartal); years and other labels as they are."""
        if start is not None and len(label) == 7 and label[4] == "-" and label[5:].isdigit():
            return format_date(start, format="MMM yyyy", locale=self.locale)
        if len(label) == 7 and label[4:6] == "-Q":
            quarter = "K" if self.lang == "id" else "Q"
            return f"{quarter}{label[6]} {label[:4]}"
        return label
