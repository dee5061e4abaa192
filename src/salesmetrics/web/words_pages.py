"""The words of the role dashboards, drill-down, pipeline, forecast, leaderboard, calculators,
cohorts and data-quality pages, in English and Indonesian (merged into
:data:`salesmetrics.web.words.WORDS`)."""

from __future__ import annotations

from salesmetrics.metrics.registry import Text

PAGE_WORDS: dict[str, Text] = {
    "roles": Text("Roles", "Peran"),
    "role_title": Text("Dashboard: {role}", "Dasbor: {role}"),
    "cadence_all": Text("all cadences", "semua frekuensi"),
    "no_metrics": Text(
        "No metric of this role is reviewed at this cadence.",
        "Tidak ada metrik peran ini yang ditinjau pada frekuensi ini.",
    ),
    "vs_previous": Text("Change vs previous period", "Perubahan vs periode sebelumnya"),
    "vs_last_year": Text("Change vs last year", "Perubahan vs tahun lalu"),
    "drill": Text("Drill-down", "Rincian data"),
    "drill_title": Text("Rows behind {metric}", "Baris di balik {metric}"),
    "drill_link": Text("rows", "baris"),
    "rows_of": Text("Rows {first}–{last} of {total}", "Baris {first}–{last} dari {total}"),
    "no_rows": Text("No rows.", "Tidak ada baris."),
    "previous_page": Text("Previous page", "Halaman sebelumnya"),
    "next_page": Text("Next page", "Halaman berikutnya"),
    "export_csv": Text("Export CSV", "Ekspor CSV"),
    "export_xlsx": Text("Export XLSX", "Ekspor XLSX"),
    "group": Text("Group", "Kelompok"),
    "pipeline": Text("Pipeline", "Pipeline"),
    "pipeline_title": Text(
        "Open pipeline at the start of {day}", "Pipeline terbuka pada awal {day}"
    ),
    "as_of": Text("As of", "Per tanggal"),
    "close_grain": Text("Close period by", "Periode penutupan per"),
    "pipeline_total": Text(
        "Total: {deals} deals, {amount} (weighted {weighted})",
        "Total: {deals} peluang, {amount} (tertimbang {weighted})",
    ),
    "no_open_deals": Text(
        "No open deals at that date.", "Tidak ada peluang terbuka pada tanggal itu."
    ),
    "forecast": Text("Forecast", "Prakiraan"),
    "forecast_title": Text(
        "Forecast of won revenue for {period}", "Prakiraan pendapatan menang untuk {period}"
    ),
    "forecast_by": Text("Forecast by", "Prakiraan per"),
    "company": Text("company", "perusahaan"),
    "leaderboard": Text("Leaderboard", "Papan peringkat"),
    "calculators": Text("Calculators", "Kalkulator"),
    "calculate": Text("Calculate", "Hitung"),
    "result": Text("Result", "Hasil"),
    "with_numbers": Text("With the numbers", "Dengan angka"),
    "cohorts": Text("Cohorts", "Kohort"),
    "cohort_measure": Text("Measure", "Ukuran"),
    "cohort_grain": Text("Cohorts of the", "Kohort per"),
    "logos": Text("customers (logos)", "pelanggan (logo)"),
    "mrr": Text("MRR", "MRR"),
    "cohort": Text("Cohort", "Kohort"),
    "size": Text("Size", "Ukuran"),
    "age": Text("Age", "Usia"),
    "no_cohorts": Text(
        "No cohorts: the workspace has no subscriptions or invoice lines.",
        "Tidak ada kohort: ruang kerja tidak punya langganan atau baris faktur.",
    ),
    "quality": Text("Data quality", "Kualitas data"),
    "quality_as_of": Text("As of {day}", "Per {day}"),
    "check": Text("Check", "Pemeriksaan"),
    "affected": Text("Affected", "Terdampak"),
    "out_of": Text("Out of", "Dari"),
    "share": Text("Share", "Porsi"),
    "examples": Text("Examples", "Contoh"),
    "fix": Text("Fix", "Perbaikan"),
    "affects": Text("Affects", "Memengaruhi"),
    "chart": Text("Chart", "Grafik"),
    "show_table": Text("Numbers as a table", "Angka sebagai tabel"),
    # the column headers of the pipeline and forecast tables (the engine's frame columns)
    "col_stage": Text("Stage", "Tahap"),
    "col_close_period": Text("Close period", "Periode penutupan"),
    "col_deals": Text("Deals", "Peluang"),
    "col_amount": Text("Amount", "Nilai"),
    "col_weighted": Text("Weighted", "Tertimbang"),
    "col_period": Text("Period", "Periode"),
    "col_method": Text("Method", "Metode"),
    "col_scope": Text("Scope", "Cakupan"),
    "col_group": Text("Group", "Kelompok"),
    "col_low": Text("Low", "Bawah"),
    "col_high": Text("High", "Atas"),
    # the role dashboards in the menu
    "role_finance": Text("Finance", "Keuangan"),
    "role_operations": Text("Operations", "Operasional"),
    "role_customer-success": Text("Customer success", "Kesuksesan pelanggan"),
    "role_marketing": Text("Marketing", "Pemasaran"),
    "role_sales": Text("Sales", "Penjualan"),
    "role_people": Text("People", "SDM"),
}
