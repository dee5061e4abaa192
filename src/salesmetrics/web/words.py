"""Every word the web app prints itself, in English and Indonesian.

Metric names and texts come from the registry, numbers, money, dates and the words shared with
the review packs (value, target, status, change, ...) from the reports' locale layer
(:class:`salesmetrics.reports.locale.Formats`); what is particular to the web pages is here.
"""

from __future__ import annotations

from salesmetrics.metrics.registry import Text
from salesmetrics.web.entry_words import ENTRY_WORDS
from salesmetrics.web.words_pages import PAGE_WORDS

LANGS = ("en", "id")

WORDS: dict[str, Text] = {
    "app": Text("Sales metrics", "Metrik penjualan"),
    "home": Text("Dashboard", "Dasbor"),
    "glossary": Text("Glossary", "Glosarium"),
    "login": Text("Log in", "Masuk"),
    "logout": Text("Log out", "Keluar"),
    "email": Text("Email", "Email"),
    "password": Text("Password", "Kata sandi"),
    "login_failed": Text("Wrong email or password.", "Email atau kata sandi salah."),
    "login_wait": Text(
        "Too many failed logins: try again in {minutes} min.",
        "Terlalu banyak percobaan masuk yang gagal: coba lagi dalam {minutes} menit.",
    ),
    "signed_in_as": Text("Signed in as {email} ({role})", "Masuk sebagai {email} ({role})"),
    "scope": Text("You see: {scope}", "Yang Anda lihat: {scope}"),
    "period": Text("Period", "Periode"),
    "grain": Text("Split by", "Dibagi per"),
    "filters": Text("Filters", "Filter"),
    "where_help": Text(
        "DIM=VALUE, e.g. region=EMEA; several separated by ;",
        "DIM=NILAI, mis. region=EMEA; beberapa dipisah dengan ;",
    ),
    "apply": Text("Apply", "Terapkan"),
    "language": Text("Language", "Bahasa"),
    "trend": Text("Trend", "Tren"),
    "trend_12": Text("Last 12 months", "12 bulan terakhir"),
    "breakdown": Text("Breakdown", "Rincian"),
    "by": Text("By", "Per"),
    "comparison": Text("Comparison", "Perbandingan"),
    "compared_with": Text("Compared with", "Dibandingkan dengan"),
    "definition": Text("Definition", "Definisi"),
    "table_view": Text("Table view of the chart's numbers", "Tabel angka grafik"),
    "no_value": Text("no value", "tidak ada nilai"),
    "all_groups": Text("company", "perusahaan"),
    "error": Text("Error", "Galat"),
    "forbidden": Text("You may not see this.", "Anda tidak boleh melihat ini."),
    "not_found": Text("Not found.", "Tidak ditemukan."),
    "previous_period": Text("Previous period", "Periode sebelumnya"),
    "same_period_last_year": Text("Same period last year", "Periode yang sama tahun lalu"),
    "why": Text("Why it matters", "Mengapa penting"),
    "formula": Text("Formula", "Rumus"),
    "example": Text("Example", "Contoh"),
    "owner": Text("Owner", "Penanggung jawab"),
    "cadence": Text("Cadence", "Frekuensi"),
    "skip": Text("Skip to content", "Langsung ke konten"),
    "default_grain": Text("(default)", "(bawaan)"),
}

WORDS |= ENTRY_WORDS  # data entry's words
WORDS |= PAGE_WORDS  # the role dashboards', drill-down's and tools' words


def word(key: str, lang: str, **values: str) -> str:
    """The word ``key`` in ``lang`` with ``values`` filled in."""
    text = WORDS[key].get(lang)
    return text.format(**values) if values else text
