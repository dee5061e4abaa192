"""The words of the data-entry pages (imports, forms, surveys), in English and Indonesian;
merged into :data:`salesmetrics.web.words.WORDS`."""

from __future__ import annotations

from salesmetrics.metrics.registry import Text

ENTRY_WORDS: dict[str, Text] = {
    "imports": Text("Imports", "Impor"),
    "import_upload": Text("Upload a file", "Unggah berkas"),
    "table": Text("Table", "Tabel"),
    "file": Text("File", "Berkas"),
    "preset": Text("Preset", "Preset"),
    "none": Text("(none)", "(tidak ada)"),
    "saved_mapping": Text("Saved mapping", "Pemetaan tersimpan"),
    "upload_limit": Text(
        "Files up to {mb} MB; import larger ones with the command line.",
        "Berkas hingga {mb} MB; impor berkas lebih besar lewat baris perintah.",
    ),
    "preview": Text("Preview", "Pratinjau"),
    "reading": Text("Reading the file", "Membaca berkas"),
    "sheet": Text("Sheet (XLSX)", "Lembar (XLSX)"),
    "delimiter": Text("Delimiter", "Pemisah"),
    "encoding": Text("Encoding", "Pengodean"),
    "detected": Text("(detected)", "(terdeteksi)"),
    "import_log": Text("Import log", "Log impor"),
    "when": Text("When (UTC)", "Waktu (UTC)"),
    "batch": Text("Batch", "Batch"),
    "read": Text("read", "dibaca"),
    "loaded": Text("loaded", "dimuat"),
    "rejected": Text("rejected", "ditolak"),
    "no_imports": Text("No imports yet.", "Belum ada impor."),
    "first_rows": Text("First rows", "Baris pertama"),
    "mapping": Text("Mapping", "Pemetaan"),
    "preset_maps": Text(
        "Preset {preset} maps the columns; a column chosen here overrides it.",
        "Preset {preset} memetakan kolom; kolom yang dipilih di sini menggantikannya.",
    ),
    "missing_required": Text(
        "Required, not found: {columns}. Choose their columns.",
        "Wajib, tidak ditemukan: {columns}. Pilih kolomnya.",
    ),
    "column": Text("Column", "Kolom"),
    "from_header": Text("From the file's column", "Dari kolom berkas"),
    "chosen_because": Text("Why proposed", "Alasan usulan"),
    "by_name": Text("(by name)", "(menurut nama)"),
    "by_preset": Text("(the preset's)", "(dari preset)"),
    "value_maps": Text(
        "Value maps (FIELD:FROM=TO per line)", "Peta nilai (FIELD:DARI=KE per baris)"
    ),
    "date_format": Text("Date format", "Format tanggal"),
    "decimal": Text("Decimal separator", "Pemisah desimal"),
    "save_as": Text("Save the mapping as", "Simpan pemetaan sebagai"),
    "run_import": Text("Import", "Impor"),
    "import_done": Text("Import", "Impor"),
    "mapping_saved": Text("Mapping saved as {name}.", "Pemetaan disimpan sebagai {name}."),
    "rejects": Text("Rejected rows", "Baris ditolak"),
    "row": Text("Row", "Baris"),
    "value": Text("Value", "Nilai"),
    "reason": Text("Reason", "Alasan"),
    "batch_counts": Text(
        "{read} rows read, {loaded} loaded, {rejected} rejected",
        "{read} baris dibaca, {loaded} dimuat, {rejected} ditolak",
    ),
    "no_rejects": Text("No rejected rows.", "Tidak ada baris ditolak."),
    "forms": Text("Data entry", "Entri data"),
    "quotas": Text("Quotas", "Kuota"),
    "timelogs": Text("Time logs", "Catatan waktu"),
    "forecasts": Text("Forecasts", "Prakiraan"),
    "rollup": Text("Forecast roll-up", "Rekap prakiraan"),
    "targets": Text("Targets", "Target"),
    "surveys": Text("Surveys", "Survei"),
    "saved": Text("Saved (batch {batch}).", "Tersimpan (batch {batch})."),
    "rep": Text("Rep", "Tenaga penjual"),
    "amount": Text("Amount", "Jumlah"),
    "currency": Text("Currency", "Mata uang"),
    "save": Text("Save", "Simpan"),
    "started_at": Text("Started", "Mulai"),
    "minutes": Text("Minutes", "Menit"),
    "activity_type": Text("Activity", "Aktivitas"),
    "account": Text("Account id (optional)", "Id akun (opsional)"),
    "deal": Text("Deal id (optional)", "Id transaksi (opsional)"),
    "forecast_for": Text("Your forecast for: {scope} {id}", "Prakiraan Anda untuk: {scope} {id}"),
    "level": Text("Level", "Tingkat"),
    "team_or_rep": Text("Team or rep id", "Tim atau id tenaga penjual"),
    "cat_commit": Text("Commit", "Komitmen"),
    "cat_most_likely": Text("Most likely", "Paling mungkin"),
    "cat_best_case": Text("Best case", "Kasus terbaik"),
    "submit": Text("Submit", "Kirim"),
    "submitted_at": Text("Submitted (UTC)", "Dikirim (UTC)"),
    "submitted": Text("submitted", "dikirim"),
    "sum_below": Text("sum of the level below", "jumlah tingkat di bawah"),
    "scope_company": Text("Company", "Perusahaan"),
    "scope_team": Text("Team", "Tim"),
    "scope_rep": Text("Rep", "Tenaga penjual"),
    "rollup_help": Text(
        "Each level's latest submission per category, and beside it the sum of the latest"
        " submissions of the level below.",
        "Kiriman terakhir tiap tingkat per kategori, dan di sampingnya jumlah kiriman terakhir"
        " tingkat di bawahnya.",
    ),
    "target_saved": Text("Target of {metric} saved.", "Target {metric} disimpan."),
    "default_target": Text("(default)", "(bawaan)"),
    "group": Text("Group", "Grup"),
    "target_help": Text(
        "Ratios as fractions (0.3 = 30 %); leave the value empty to remove a target.",
        "Rasio sebagai pecahan (0,3 = 30 %); kosongkan nilai untuk menghapus target.",
    ),
    "survey": Text("Survey", "Survei"),
    "created": Text("Created", "Dibuat"),
    "links": Text("Links", "Tautan"),
    "answered": Text("Answered", "Dijawab"),
    "new_survey": Text("New survey", "Survei baru"),
    "title": Text("Title", "Judul"),
    "ask_enps": Text(
        "Ask the eNPS question (recommend us as a place to work?)",
        "Ajukan pertanyaan eNPS (rekomendasikan kami sebagai tempat kerja?)",
    ),
    "questions": Text(
        "Pulse questions (ID: text per line)", "Pertanyaan pulse (ID: teks per baris)"
    ),
    "people": Text(
        "Employees (name or email, team per line)", "Karyawan (nama atau email, tim per baris)"
    ),
    "survey_help": Text(
        "Each employee gets a link of their own; names are not stored, and results of groups"
        " smaller than the minimum group size are never shown.",
        "Setiap karyawan mendapat tautan sendiri; nama tidak disimpan, dan hasil grup yang lebih"
        " kecil dari ukuran grup minimum tidak pernah ditampilkan.",
    ),
    "create_links": Text("Create the links", "Buat tautan"),
    "links_once": Text(
        "These links are shown only now: send each person theirs.",
        "Tautan ini hanya ditampilkan sekarang: kirim ke masing-masing orang.",
    ),
    "person": Text("Person", "Orang"),
    "team": Text("Team", "Tim"),
    "link": Text("Link", "Tautan"),
    "results": Text("Results", "Hasil"),
    "question": Text("Question", "Pertanyaan"),
    "note": Text("Note", "Catatan"),
    "survey_counts": Text(
        "{answered} of {links} links answered.", "{answered} dari {links} tautan dijawab."
    ),
    "survey_results_help": Text(
        "eNPS and pulse scores of every answer submitted in the period; a group with fewer"
        " respondents than the minimum, or one that could be worked out from the others, has no"
        " value.",
        "eNPS dan skor pulse dari semua jawaban pada periode ini; grup dengan responden kurang"
        " dari minimum, atau yang dapat dihitung dari grup lain, tidak bernilai.",
    ),
    "thanks": Text("Thank you", "Terima kasih"),
    "thanks_text": Text("Your answers are saved.", "Jawaban Anda tersimpan."),
    "already_answered": Text(
        "This link has been answered already. Thank you.",
        "Tautan ini sudah dijawab. Terima kasih.",
    ),
    "anonymous_help": Text(
        "Your answers are stored without your name and counted only in groups large enough"
        " that no one's answers can be told apart.",
        "Jawaban Anda disimpan tanpa nama dan hanya dihitung dalam grup yang cukup besar"
        " sehingga jawaban siapa pun tidak dapat dikenali.",
    ),
    "comment": Text("Comment (optional)", "Komentar (opsional)"),
}
