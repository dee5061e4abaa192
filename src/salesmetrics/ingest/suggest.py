"""The mapping assistant: propose ``--map`` options for a file's headers, loading nothing.

Each (canonical column, source header) pair gets a score from the header's name (the column's
own name, its synonyms in English and other languages such as Indonesian, or a close spelling)
and from a sample of the values (their type and range must suit the column: a date column takes
dates, ``amount`` non-negative numbers, ``probability`` 0-1 or 0-100, an id distinct values).
Pairs are then taken best first, each column and each header once. A required column that no
name matches is proposed from the values alone when exactly one unused header fits.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesmetrics import schema
from salesmetrics.ingest.mapping import normalise
from salesmetrics.ingest.options import ImportOptions
from salesmetrics.ingest.readers import check_path, open_source
from salesmetrics.schema import Column, ColumnType, Table

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

SAMPLE_ROWS = 200
#: A pair scoring below this is not proposed.
THRESHOLD = 0.5

#: Canonical column -> other names it goes by (normalised when compared): English CRM and
#: spreadsheet words, Indonesian, and a few Spanish, French, German and Portuguese ones.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "opportunity_id": (
        "deal id",
        "record id",
        "opportunity id",
        "id",
        "deal number",
        "id transaksi",
        "id peluang",
        "nomor transaksi",
        "kode transaksi",
        "id oportunidad",
        "id affaire",
    ),
    "lead_id": ("lead id", "contact id", "prospect id", "id prospek", "id kontak", "id"),
    "account_id": (
        "account",
        "account id",
        "company",
        "company id",
        "organization",
        "organisation",
        "customer",
        "client",
        "customer id",
        "perusahaan",
        "pelanggan",
        "id pelanggan",
        "akun",
        "klien",
        "empresa",
        "cliente",
        "société",
        "kunde",
        "firma",
    ),
    "rep_id": ("rep id", "user id", "owner id", "employee id", "id sales", "id karyawan", "id"),
    "owner_id": (
        "owner",
        "deal owner",
        "rep",
        "sales rep",
        "salesperson",
        "assigned to",
        "account manager",
        "user",
        "pemilik",
        "sales",
        "tenaga penjual",
        "penanggung jawab",
        "vendedor",
        "propriétaire",
        "verantwortlich",
        "inhaber",
    ),
    "name": (
        "deal name",
        "opportunity name",
        "title",
        "deal title",
        "name",
        "full name",
        "company name",
        "nama",
        "nama transaksi",
        "nama peluang",
        "nama lengkap",
        "judul",
        "nombre",
        "nom",
        "titel",
    ),
    "stage": (
        "stage",
        "deal stage",
        "milestone",
        "phase",
        "pipeline stage",
        "tahap",
        "tahapan",
        "fase",
        "etapa",
        "étape",
        "phase",
        "stufe",
    ),
    "status": ("status", "state", "outcome", "result", "keadaan", "hasil", "estado", "statut"),
    "amount": (
        "amount",
        "value",
        "deal value",
        "deal amount",
        "revenue",
        "total",
        "price",
        "nilai",
        "jumlah",
        "nominal",
        "nilai transaksi",
        "harga",
        "importe",
        "valor",
        "montant",
        "betrag",
        "wert",
    ),
    "currency": ("currency", "ccy", "currency code", "mata uang", "moneda", "devise", "währung"),
    "close_date": (
        "close date",
        "closed on",
        "closing date",
        "expected close date",
        "close",
        "won date",
        "tanggal tutup",
        "tanggal penutupan",
        "tgl tutup",
        "fecha de cierre",
        "date de clôture",
        "abschlussdatum",
    ),
    "created_at": (
        "created",
        "create date",
        "created date",
        "created at",
        "add time",
        "date created",
        "opened",
        "tanggal dibuat",
        "dibuat",
        "tanggal buat",
        "tgl dibuat",
        "fecha de creación",
        "date de création",
        "erstellt",
        "erstellt am",
    ),
    "probability": (
        "probability",
        "win probability",
        "likelihood",
        "deal probability",
        "chance",
        "probabilitas",
        "kemungkinan",
        "peluang menang",
        "probabilidad",
        "probabilité",
        "wahrscheinlichkeit",
    ),
    "lost_reason": (
        "lost reason",
        "reason lost",
        "loss reason",
        "closed lost reason",
        "alasan kalah",
        "alasan gagal",
        "motivo de pérdida",
    ),
    "source": (
        "source",
        "lead source",
        "origin",
        "channel",
        "original source",
        "sumber",
        "asal",
        "fuente",
        "origine",
        "quelle",
    ),
    "type": ("type", "deal type", "opportunity type", "jenis", "tipe", "tipo"),
    "product": ("product", "produk", "item", "producto", "produit", "produkt"),
    "pipeline": ("pipeline", "sales pipeline", "saluran penjualan"),
    "forecast_category": ("forecast category", "forecast", "kategori perkiraan"),
    "email": ("email", "e mail", "email address", "surel", "correo"),
    "team": ("team", "sales team", "tim", "equipo", "équipe"),
    "region": ("region", "territory", "area", "wilayah", "daerah", "región", "région"),
    "segment": ("segment", "tier", "segmen", "segmento"),
    "industry": ("industry", "sector", "vertical", "industri", "sektor", "industria"),
    "country": ("country", "country region", "negara", "país", "pays", "land"),
    "manager_id": ("manager", "reports to", "manajer", "atasan"),
    "score": ("score", "lead score", "skor", "nilai prospek"),
    "hired_on": ("hired", "hire date", "start date", "tanggal masuk"),
    "left_on": ("left", "end date", "termination date", "tanggal keluar"),
    "changed_at": ("changed at", "changed", "modified", "last modified", "tanggal perubahan"),
}


@dataclass(frozen=True)
class Proposal:
    """One proposed ``--map``: canonical column, source header, score and why."""

    column: str
    header: str
    score: float
    why: str


@dataclass(frozen=True)
class Suggestion:
    """The proposal for one file and table."""

    table: str
    file: str
    proposals: tuple[Proposal, ...]
    missing: tuple[str, ...]
    """Required columns nothing was found for."""
    unmapped: tuple[str, ...]
    options: tuple[str, ...] = ()
    """Other options the values call for (``--decimal ,``, ``--date-format %d/%m/%Y``)."""
    headers: tuple[str, ...] = ()
    """The file's column headers, in order."""
    sample: tuple[tuple[str | None, ...], ...] = ()
    """The first rows of the file as text, one value per header (for a preview)."""

    @property
    def mapping(self) -> dict[str, str]:
        """Canonical column -> source header."""
        return {p.column: p.header for p in self.proposals}

    def import_options(self) -> ImportOptions:
        """The proposal as the options of an import: the mapping, and the decimal separator and
        date format the values call for."""
        date_format = next(
            (o.split(" ", 1)[1] for o in self.options if o.startswith("--date-format")), None
        )
        decimal = "," if "--decimal ," in self.options else "."
        return ImportOptions(mapping=self.mapping, date_format=date_format, decimal=decimal)

    def map_options(self) -> list[str]:
        """The proposal as ``--map`` options, shell-quoted."""
        return [f"--map {p.column}={_quote(p.header)}" for p in self.proposals] + list(self.options)

    def lines(self) -> list[str]:
        """The assistant's output: a command to run, then why each column was chosen."""
        command = [f"salesmetrics import {self.table} {_quote(self.file)}", *self.map_options()]
        out = [" \\\n  ".join(command), ""]
        width = max((len(p.column) for p in self.proposals), default=0)
        out += [
            f"{p.column:<{width}}  <- {p.header!r}: {p.why} (score {p.score:.2f})"
            for p in self.proposals
        ]
        if self.missing:
            out.append(
                "not found (required): " + ", ".join(self.missing) + "; add --map COLUMN=HEADER"
            )
        if self.unmapped:
            out.append("left unmapped (kept in the raw copy): " + ", ".join(self.unmapped))
        out.append("nothing was loaded; check the mapping, then run the command above")
        return out


def _quote(text: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./:=@%+-]+", text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


# -- values ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[(+-]?[$€£¥₹]?\s*(Rp\.?\s*)?[\d.,\s]+%?\)?(\s*[A-Z]{3})?$")
_DATE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2})?"
    r"(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2}|[AP]M)?)?$",
    re.IGNORECASE,
)
_BOOL = {"true", "false", "yes", "no", "y", "n", "t", "f", "0", "1"}


@dataclass(frozen=True)
class Profile:
    """What a sample of one column's values looks like."""

    values: tuple[str, ...]
    numbers: tuple[float, ...]
    dates: int
    bools: int
    distinct: int

    @property
    def n(self) -> int:
        """Non-empty values in the sample."""
        return len(self.values)

    def share(self, count: int) -> float:
        """``count`` as a share of the non-empty values (0 when there are none)."""
        return count / self.n if self.n else 0.0


def _number(text: str) -> float | None:
    if not _NUMBER.match(text) or not re.search(r"\d", text):
        return None
    cleaned = re.sub(r"[^\d.,()-]", "", text)
    negative = cleaned.startswith("(") or cleaned.startswith("-")
    cleaned = cleaned.strip("()-")
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(",", "")
            if cleaned.rfind(".") > cleaned.rfind(",")
            else (cleaned.replace(".", "").replace(",", "."))
        )
    elif "," in cleaned:
        head, _, tail = cleaned.rpartition(",")
        cleaned = cleaned.replace(",", "") if len(tail) == 3 else f"{head.replace(',', '')}.{tail}"
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return -value if negative else value


def profile(values: Sequence[Any]) -> Profile:
    """The :class:`Profile` of a sample of values (empty ones ignored)."""
    texts = tuple(str(v).strip() for v in values if v is not None and str(v).strip())
    numbers = tuple(x for x in (_number(t) for t in texts) if x is not None)
    dates = sum(1 for t in texts if _DATE.match(t))
    bools = sum(1 for t in texts if t.lower() in _BOOL)
    return Profile(texts, numbers, dates, bools, len(set(texts)))


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def fits(col: Column, p: Profile, table: Table) -> tuple[float, str]:
    """How well values like ``p`` suit ``col`` (0-1), and why, in words."""
    if p.n == 0:
        return 0.5, "no values in the sample"
    numeric, dated = p.share(len(p.numbers)), p.share(p.dates)
    if col.type in (ColumnType.DATE, ColumnType.TIMESTAMP):
        return (1.0, "dates") if dated >= 0.8 else (0.0, "not dates")
    if col.type in (ColumnType.DECIMAL, ColumnType.INT, ColumnType.FLOAT):
        if numeric < 0.8 or dated >= 0.5:
            return 0.0, "not numbers"
        low, high = min(p.numbers), max(p.numbers)
        if col.minimum is not None and low < col.minimum:
            return 0.1, f"numbers below {col.minimum:g}"
        if col.name == "probability":
            ok = high <= 100
            return (
                (1.0, f"numbers {_num(low)} to {_num(high)}") if ok else (0.1, "numbers above 100")
            )
        if col.type == ColumnType.DECIMAL and high <= 1 and len(p.numbers) > 1:
            return 0.4, f"numbers {_num(low)} to {_num(high)} (small for money)"
        return 1.0, f"numbers {_num(low)} to {_num(high)}"
    if col.type == ColumnType.BOOL:
        return (1.0, "yes/no values") if p.share(p.bools) >= 0.9 else (0.0, "not yes/no")
    # text columns
    if col.name == "currency":
        codes = sum(1 for v in p.values if re.fullmatch(r"[A-Za-z]{3}", v))
        return (1.0, "currency codes") if p.share(codes) >= 0.9 else (0.0, "not currency codes")
    if col.choices:
        known = sum(1 for v in p.values if normalise(v) in {normalise(c) for c in col.choices})
        if col.name == "status":
            known += sum(1 for v in p.values if re.search(r"won|lost|open", v, re.I))
        return (1.0, "known values") if p.share(known) >= 0.5 else (0.6, "free text")
    if col.name in table.key and len(table.key) == 1:
        if p.distinct < p.n:
            return 0.3, "repeated values (a key must be unique)"
        return 1.0, f"{p.distinct} distinct values"
    if dated >= 0.8:
        return 0.3, "dates"
    if numeric >= 0.8 and col.name in ("name", "stage", "email", "lost_reason"):
        return 0.3, "numbers"
    if col.name == "email":
        mails = sum(1 for v in p.values if "@" in v)
        return (1.0, "e-mail addresses") if p.share(mails) >= 0.8 else (0.2, "no e-mails")
    return 0.8, "text"


def name_score(column: str, header: str) -> tuple[float, str]:
    """How much ``header`` sounds like ``column`` (0-1), and why."""
    h = normalise(header)
    if h == normalise(column):
        return 1.0, "same name"
    words = (column.replace("_", " "), *SYNONYMS.get(column, ()))
    for word in words:
        if h == normalise(word):
            return 0.95, f"a usual header for {column}"
    for word in words:
        w = normalise(word)
        if len(w) >= 4 and (w in h or (len(h) >= 4 and h in w)):
            return 0.7, f"contains {word!r}"
    close = difflib.get_close_matches(h, [normalise(w) for w in words], n=1, cutoff=0.8)
    if close:
        return 0.6, "spelled like " + close[0]
    return 0.0, ""


_GROUPED_DOTS = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?\s*([A-Z]{3})?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")


def reading_options(samples: Mapping[str, Sequence[Any]], mapped: set[str]) -> list[str]:
    """``--decimal ,`` when the mapped numbers group thousands with dots (1.234.567,89), and a
    ``--date-format`` when slashed dates show their day-month order (a first part above 12 is a
    day, a second part above 12 is a day)."""
    options: list[str] = []
    texts = [str(v).strip() for h in mapped for v in samples.get(h, ()) if v is not None]
    if any(_GROUPED_DOTS.search(t) for t in texts):
        options.append("--decimal ,")
    firsts = seconds = 0
    for t in texts:
        m = _SLASHED.match(t)
        if m:
            firsts += int(m.group(1)) > 12
            seconds += int(m.group(2)) > 12
    sep = next((m.group(0)[len(m.group(1))] for t in texts if (m := _SLASHED.match(t))), "/")
    if firsts and not seconds:
        options.append(f"--date-format %d{sep}%m{sep}%Y")
    elif seconds and not firsts:
        options.append(f"--date-format %m{sep}%d{sep}%Y")
    return options


def propose(table: Table, samples: Mapping[str, Sequence[Any]]) -> tuple[list[Proposal], list[str]]:
    """Proposals for ``table`` from ``samples`` (header -> sample values), best first; and the
    required columns left without one."""
    profiles = {h: profile(v) for h, v in samples.items()}
    pairs: list[Proposal] = []
    for col in table.columns:
        if col.name.endswith("_raw"):
            continue
        for header, prof in profiles.items():
            by_name, why_name = name_score(col.name, header)
            if by_name == 0.0:
                continue
            fit, why_values = fits(col, prof, table)
            score = by_name * (0.4 + 0.6 * fit)
            pairs.append(Proposal(col.name, header, round(score, 3), f"{why_name}; {why_values}"))
    pairs.sort(key=lambda p: (-p.score, table.column_names.index(p.column)))
    chosen: list[Proposal] = []
    columns: set[str] = set()
    headers: set[str] = set()
    for pair in pairs:
        if pair.score < THRESHOLD or pair.column in columns or pair.header in headers:
            continue
        chosen.append(pair)
        columns.add(pair.column)
        headers.add(pair.header)
    missing: list[str] = []
    for name in table.required:
        if name in columns:
            continue
        col = table.column(name)
        fitting = [
            h for h, prof in profiles.items() if h not in headers and fits(col, prof, table)[0] >= 1
        ]
        if len(fitting) == 1:
            why = fits(col, profiles[fitting[0]], table)[1]
            chosen.append(Proposal(name, fitting[0], 0.5, f"the only unused column of {why}"))
            columns.add(name)
            headers.add(fitting[0])
        else:
            missing.append(name)
    chosen.sort(key=lambda p: table.column_names.index(p.column))
    return chosen, missing


def suggest_file(
    ws: Connection,
    table: str,
    path: str | Path,
    options: ImportOptions | None = None,
    **keywords: Any,
) -> Suggestion:
    """Read the headers and the first :data:`SAMPLE_ROWS` rows of ``path`` (any format the
    importer reads, with the reading options of ``options`` or ``keywords``, as for
    :func:`~salesmetrics.ingest.import_file`) and propose a mapping onto ``table``. Nothing is
    written."""
    from salesmetrics.ingest.sql import ident
    from salesmetrics.ingest.store import store_for

    t = schema.table(table)
    opts = ImportOptions.given(options, keywords)
    file = Path(path)
    check_path(file, str(path))
    store = store_for(ws, dry_run=True)
    with contextlib.closing(store), store.session(ws.config.timezone, False):
        source = open_source(store, file, opts, str(path))
        try:
            headers = list(source.headers)
            items = ", ".join(
                f"CAST({source.exprs[h][0]} AS VARCHAR) AS {ident('c' + str(i))}"
                for i, h in enumerate(headers)
            )
            skip = 1 if source.has_header_row else 0
            sample = (
                store.engine.execute(
                    f"SELECT {items} FROM {source.relation} LIMIT {SAMPLE_ROWS} OFFSET {skip}",
                    source.params,
                ).fetchall()
                if headers
                else []
            )
        finally:
            source.close(store)
    samples = {h: [row[i] for row in sample] for i, h in enumerate(headers)}
    chosen, missing = propose(t, samples)
    used = {p.header for p in chosen}
    return Suggestion(
        t.name,
        str(path),
        tuple(chosen),
        tuple(missing),
        tuple(h for h in headers if h not in used),
        tuple(reading_options(samples, used)),
        tuple(headers),
        tuple(tuple(row) for row in sample),
    )
