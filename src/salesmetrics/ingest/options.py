"""Import options: what the user asked for, parsed and checked once.

The CLI passes strings (``--map FIELD=COLUMN``, ``--value-map FIELD:FROM=TO``); the Python API may
pass dictionaries. Both end up in one :class:`ImportOptions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from salesmetrics.errors import UserError

DECIMAL_SEPARATORS = (".", ",")
DELIMITERS = {",": ",", ";": ";", "|": "|", "\\t": "\t", "\t": "\t", "tab": "\t"}


@dataclass(frozen=True)
class ImportOptions:
    """Everything that changes how a file is read and mapped (all optional)."""

    mapping: dict[str, str] = field(default_factory=dict)
    """Canonical field -> source column, from ``--map``."""
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    """Canonical field -> {source value (any case) -> canonical value}, from ``--value-map``."""
    preset: str | None = None
    date_format: str | None = None
    decimal: str = "."
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    label: str | None = None
    """How the import log and messages name the file (default: its path)."""


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """``["FIELD=COLUMN", ...]`` as a dict; a one-line error for a malformed item or a field
    given twice (the later one would silently win)."""
    result: dict[str, str] = {}
    for item in items:
        fld, sep, column = item.partition("=")
        if not sep or not fld.strip() or not column.strip():
            raise UserError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map lead_id='Lead ID'")
        fld = fld.strip()
        if fld in result:
            raise UserError(
                f"--map {fld}={result[fld]} and --map {fld}={column.strip()}: {fld} is mapped"
                " twice; give one --map per field"
            )
        result[fld] = column.strip()
    return result


def parse_value_maps(items: Iterable[str]) -> dict[str, dict[str, str]]:
    """``["FIELD:FROM=TO", ...]`` as {field: {from: to}}; FROM may be empty (an empty cell)."""
    result: dict[str, dict[str, str]] = {}
    for item in items:
        fld, sep, rest = item.partition(":")
        source, eq, target = rest.partition("=")
        if not sep or not eq or not fld.strip():
            raise UserError(
                f"--value-map {item!r}: expected FIELD:FROM=TO,"
                " e.g. --value-map 'status:Closed Won=won'"
            )
        result.setdefault(fld.strip(), {})[source.strip()] = target.strip()
    return result


def _as_map(value: Mapping[str, str] | Iterable[str] | None) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, str):
        return parse_map([value])
    return parse_map(value)


def _as_value_maps(
    value: Mapping[str, Mapping[str, str]] | Iterable[str] | None,
) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): {str(a): str(b) for a, b in v.items()} for k, v in value.items()}
    if isinstance(value, str):
        return parse_value_maps([value])
    return parse_value_maps(value)


def make_options(
    *,
    preset: str | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    value_map: Mapping[str, Mapping[str, str]] | Iterable[str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    label: str | None = None,
) -> ImportOptions:
    """Check and normalise the options of :func:`salesmetrics.ingest.import_file`."""
    if decimal not in DECIMAL_SEPARATORS:
        raise UserError(f"--decimal {decimal!r}: expected '.' or ','")
    if date_format is not None and "%" not in date_format:
        raise UserError(
            f"--date-format {date_format!r}: expected a strptime format such as %d/%m/%Y"
        )
    delim = None
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise UserError(f"--delimiter {delimiter!r}: expected one of , ; | \\t")
        delim = DELIMITERS[delimiter]
    return ImportOptions(
        mapping=_as_map(mapping),
        value_maps=_as_value_maps(value_map),
        preset=preset,
        date_format=date_format,
        decimal=decimal,
        sheet=sheet,
        delimiter=delim,
        encoding=encoding,
        dry_run=dry_run,
        label=label,
    )
