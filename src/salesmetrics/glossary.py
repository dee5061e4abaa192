"""The glossary: every metric explained from the registry, in English or Indonesian.

``salesmetrics glossary [METRIC] [--lang en|id]`` prints :func:`overview` or
:func:`entry_text`; ``docs/metrics.md`` is generated from the same entries by
:mod:`salesmetrics.docs`. Nothing here restates a definition: it only lays the registry out.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesmetrics.formulas import Unit
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.format import format_value
from salesmetrics.metrics.registry import Direction, Metric, Text

LANGS = ("en", "id")

LABELS: dict[str, Text] = {
    "definition": Text("Definition", "Definisi"),
    "why": Text("Why it matters", "Mengapa penting"),
    "formula": Text("Formula", "Rumus"),
    "example": Text("Example", "Contoh"),
    "unit": Text("Unit", "Satuan"),
    "direction": Text("Direction", "Arah"),
    "owner": Text("Owner", "Penanggung jawab"),
    "cadence": Text("Review cadence", "Frekuensi tinjauan"),
    "target": Text("Default target", "Target bawaan"),
    "no_target": Text(
        "none (set one in salesmetrics.toml)", "tidak ada (atur di salesmetrics.toml)"
    ),
    "bases": Text("Bases", "Basis"),
    "tables": Text("Reads", "Membaca tabel"),
    "title": Text("Metric glossary", "Glosarium metrik"),
}
UNIT_NAMES: dict[str, Text] = {
    Unit.RATIO: Text("ratio (0.25 = 25%)", "rasio (0,25 = 25%)"),
    Unit.MONEY: Text("money, base currency", "uang, mata uang dasar"),
    Unit.MONEY_PER_DAY: Text("money per day, base currency", "uang per hari, mata uang dasar"),
    Unit.COUNT: Text("count", "jumlah"),
    Unit.DAYS: Text("days", "hari"),
    Unit.MONTHS: Text("months", "bulan"),
    Unit.YEARS: Text("years", "tahun"),
    Unit.MINUTES: Text("minutes", "menit"),
    Unit.SCORE: Text("score", "skor"),
    Unit.NUMBER: Text("number (a multiple)", "angka (kelipatan)"),
}


@dataclass(frozen=True)
class Entry:
    """One metric's glossary entry in one language."""

    id: str
    name: str
    section: str
    definition: str
    why: str
    formula: str
    example: str
    unit: str
    direction: str
    owner: str
    cadence: str
    target: str
    bases: str


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        from salesmetrics.errors import UserError

        raise UserError(f"unknown language {lang!r}; use en or id")
    return lang


def target_text(metric: Metric, lang: str) -> str:
    """The default target in words, e.g. "≥ 3.00 (seed 004: ...)"."""
    target = metric.default_target
    if target is None:
        return LABELS["no_target"].get(lang)
    op = "≥" if metric.direction is Direction.HIGHER else "≤"
    value = format_value(target.value, metric.unit, "USD")
    return f"{op} {value} ({target.source.get(lang)})"


def entry(metric: Metric, lang: str = "en") -> Entry:
    """The glossary entry of ``metric`` in ``lang``."""
    _check_lang(lang)
    return Entry(
        id=metric.id,
        name=metric.name.get(lang),
        section=reg.SECTION_TITLES[metric.section].get(lang),
        definition=metric.definition.get(lang),
        why=metric.why.get(lang),
        formula=metric.formula.get(lang),
        example=metric.example.text.get(lang),
        unit=UNIT_NAMES[metric.unit].get(lang),
        direction=reg.DIRECTION_NAMES[metric.direction].get(lang),
        owner=", ".join(reg.ROLE_NAMES[r].get(lang) for r in metric.owners),
        cadence=", ".join(reg.CADENCE_NAMES[c].get(lang) for c in metric.cadence),
        target=target_text(metric, lang),
        bases=", ".join(metric.bases),
    )


FIELDS = (
    "definition",
    "why",
    "formula",
    "example",
    "unit",
    "direction",
    "owner",
    "cadence",
    "target",
)


def entry_text(metric_id: str, lang: str = "en") -> str:
    """The full entry of ``metric_id`` as plain text (the CLI's ``glossary METRIC``)."""
    e = entry(reg.get(metric_id), lang)
    lines = [f"{e.name} ({e.id}) — {e.section}", ""]
    for field in FIELDS:
        lines.append(f"{LABELS[field].get(lang)}: {getattr(e, field)}")
    if e.bases:
        lines.append(f"{LABELS['bases'].get(lang)}: {e.bases}")
    return "\n".join(lines)


def overview(lang: str = "en") -> str:
    """Every metric by section: id, name and definition (the CLI's ``glossary``)."""
    _check_lang(lang)
    lines = [LABELS["title"].get(lang)]
    for section in reg.Section:
        metrics = [m for m in reg.REGISTRY.values() if m.section is section]
        if not metrics:
            continue
        lines += ["", reg.SECTION_TITLES[section].get(lang).upper()]
        for m in metrics:
            lines.append(f"  {m.id} — {m.name.get(lang)}: {m.definition.get(lang)}")
    hint = {
        "en": "salesmetrics glossary METRIC for the formula, an example, owner, cadence, target.",
        "id": "salesmetrics glossary METRIK untuk rumus, contoh, penanggung jawab, frekuensi,"
        " target.",
    }[lang]
    return "\n".join([*lines, "", hint])


def markdown(metric: Metric) -> str:
    """The Markdown section of ``metric`` in both languages (for docs/metrics.md)."""
    en, id_ = entry(metric, "en"), entry(metric, "id")
    parts = [f"### `{metric.id}` — {en.name}", "", f"*{id_.name}*", ""]
    parts += ["| | English | Bahasa Indonesia |", "| --- | --- | --- |"]
    for field in FIELDS:
        label = LABELS[field].en
        parts.append(f"| {label} | {_cell(getattr(en, field))} | {_cell(getattr(id_, field))} |")
    if en.bases:
        parts.append(f"| {LABELS['bases'].en} | {en.bases} | {id_.bases} |")
    parts.append(f"| {LABELS['tables'].en} | {', '.join(metric.tables)} | |")
    return "\n".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
