"""Which source column fills which canonical column.

Precedence: ``--map`` first, then the preset, then headers whose normalised name (case, spaces,
``_`` and ``-`` ignored) equals a canonical column's. A source column already used by ``--map`` or
the preset is not matched again by name. Source columns that fill nothing are "unmapped": they
are listed in the summary and kept in the batch's raw copy.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from salesmetrics.errors import UserError, suggest
from salesmetrics.ingest.presets import TablePreset
from salesmetrics.ingest.validate import FALSE_WORDS, TRUE_WORDS
from salesmetrics.schema import Column, ColumnType, Table

_IGNORED = re.compile(r"[\s_\-\ufeff\u200b]+")


def normalise(name: str) -> str:
    """``name`` lower-cased without spaces, underscores and hyphens (``Lead ID`` -> ``leadid``)."""
    return _IGNORED.sub("", name).lower()


@dataclass(frozen=True)
class Mapping:
    """The resolved mapping of one source onto one table."""

    fields: dict[str, tuple[str, ...]]
    """Canonical field -> source columns (several are coalesced in order)."""
    unmapped: tuple[str, ...]
    status_flags: tuple[str, str] | None = None
    """(won, closed) source columns that give the status, when a preset says so."""
    derived_key: str | None = None
    """The key column derived from row content because the source lacks it."""

    def describe(self) -> dict[str, str]:
        """Field -> source column(s) as text, for summaries."""
        return {f: " | ".join(cols) for f, cols in self.fields.items()}


def _find(header: str, headers: Sequence[str]) -> str | None:
    if header in headers:
        return header
    matches = [h for h in headers if normalise(h) == normalise(header)]
    return matches[0] if matches else None


def suggest_header(name: str, headers: Sequence[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for a column name, ignoring case and separators."""
    by_norm = {normalise(h): h for h in headers}
    close = difflib.get_close_matches(normalise(name), list(by_norm), n=3, cutoff=0.6)
    if not close:
        return suggest(name, headers)
    return " (did you mean " + " or ".join(repr(by_norm[c]) for c in close) + "?)"


def derivable_key(table: Table) -> str | None:
    """The key column a source may omit (a single string id), else None."""
    if len(table.key) == 1 and table.column(table.key[0]).type == "str":
        return table.key[0]
    return None


def resolve_mapping(
    table: Table,
    headers: Sequence[str],
    explicit: dict[str, str],
    preset: TablePreset | None,
    source: str,
) -> Mapping:
    """Map ``headers`` of ``source`` onto ``table``; one-line errors for impossible mappings."""
    columns = table.column_names
    fields: dict[str, tuple[str, ...]] = {}
    used: set[str] = set()
    for fld, col in explicit.items():
        if fld not in columns:
            raise UserError(
                f"--map {fld}={col}: table {table.name} has no column {fld!r}"
                f"{suggest(fld, columns)}; its columns: {', '.join(columns)}"
            )
        found = _find(col, headers)
        if found is None:
            raise UserError(
                f"--map {fld}={col}: {source} has no column {col!r}"
                f"{suggest_header(col, headers)}; its columns: {', '.join(headers)}"
            )
        fields[fld] = (found,)
        used.add(found)
    flags: tuple[str, str] | None = None
    if preset is not None:
        for fld, candidates in preset.columns.items():
            if fld in fields:
                continue
            present: list[str] = []
            for cand in candidates:
                found = _find(cand, headers)
                if found is not None and found not in present:
                    present.append(found)
            if present:
                fields[fld] = tuple(present)
                used.update(present)
        if preset.status_flags and "status" not in fields:
            won, closed = (_find(c, headers) for c in preset.status_flags)
            if won is not None and closed is not None:
                flags = (won, closed)
                used.update(flags)
    for fld in columns:
        if fld in fields:
            continue
        for h in headers:
            if h not in used and normalise(h) == normalise(fld):
                fields[fld] = (h,)
                used.add(h)
                break
    derived = None
    missing = [c for c in table.required if c not in fields]
    key = derivable_key(table)
    if key in missing:
        missing.remove(key)
        derived = key
    if missing:
        shown = ", ".join(headers) if headers else "none"
        raise UserError(
            f"{source}: required column {missing[0]!r} of table {table.name} is not in the file"
            f"{suggest_header(missing[0], headers)} (its columns: {shown}); map one with"
            f" --map {missing[0]}=COLUMN"
        )
    ordered = {c: fields[c] for c in columns if c in fields}
    unmapped = tuple(h for h in headers if h not in used)
    return Mapping(ordered, unmapped, flags, derived)


def check_value_maps(table: Table, value_maps: dict[str, dict[str, str]]) -> None:
    """A one-line error for a ``--value-map`` naming a field the table lacks, or mapping to a
    value the field cannot hold (checked up front, whether or not the file has the value)."""
    for fld, vmap in value_maps.items():
        if fld not in table.column_names:
            raise UserError(
                f"--value-map {fld}:...: table {table.name} has no column {fld!r}"
                f"{suggest(fld, table.column_names)}; its columns: {', '.join(table.column_names)}"
            )
        col = table.column(fld)
        for src, dst in vmap.items():
            why = _bad_target(col, dst)
            if why is not None:
                raise UserError(f"--value-map {fld}:{src}={dst}: {why}")


_NUMBER = re.compile(r"[+-]?(\d[\d,. ]*)?\d%?")


def _bad_target(col: Column, value: str) -> str | None:
    """Why ``value`` cannot be a value of ``col`` (None when it can, or cannot be judged
    before the file's options apply: dates, timestamps)."""
    text = value.strip()
    if not text:
        return None  # an empty target means "no value"
    if col.choices:
        norm = re.sub(r"[\s\-]+", "_", text).lower()
        return None if norm in col.choices else f"{text!r} is not one of: {', '.join(col.choices)}"
    if col.type == ColumnType.BOOL and text.lower() not in TRUE_WORDS + FALSE_WORDS:
        return f"{text!r} is not a yes/no value (true/false, yes/no, y/n, 1/0)"
    numeric = col.type in (ColumnType.DECIMAL, ColumnType.INT, ColumnType.FLOAT)
    if numeric and not _NUMBER.fullmatch(text):
        return f"{text!r} is not a number"
    return None
