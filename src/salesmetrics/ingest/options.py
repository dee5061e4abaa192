"""Import options: what the user asked of one import, as one object, checked once.

:class:`ImportOptions` is the request that the command line, the web upload, the Python API
(``Workspace.import_file(table, path, **options)`` builds one from its keyword arguments) and the
importer pass along; a :class:`SavedMapping` (stored by :mod:`salesmetrics.ingest.saved`) is the
part of it worth keeping under a name. The command line gives strings (``--map FIELD=COLUMN``,
``--value-map FIELD:FROM=TO``), the Python API may give dictionaries: both are parsed when the
object is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from salesmetrics.errors import UserError

DECIMAL_SEPARATORS = (".", ",")
DELIMITERS = {",": ",", ";": ";", "|": "|", "\\t": "\t", "\t": "\t", "tab": "\t"}


@dataclass(frozen=True)
class ImportOptions:
    """Everything that changes how a file is read and mapped (all optional).

    ``mapping`` and ``value_map`` may be given as dictionaries or as the command line's strings
    (``["field=column"]``, ``["field:from=to"]``); ``delimiter`` as ``tab`` or ``\\t`` too.
    Making one checks every option, so a bad one fails before any file is opened."""

    mapping: dict[str, str] = field(default_factory=dict)
    """Canonical field -> source column, from ``--map``."""
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
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

    def __post_init__(self) -> None:
        if self.decimal not in DECIMAL_SEPARATORS:
            raise UserError(f"--decimal {self.decimal!r}: expected '.' or ','")
        if self.date_format is not None and "%" not in self.date_format:
            raise UserError(
                f"--date-format {self.date_format!r}: expected a strptime format such as %d/%m/%Y"
            )
        if self.delimiter is not None and self.delimiter not in DELIMITERS:
            raise UserError(f"--delimiter {self.delimiter!r}: expected one of , ; | \\t")
        # frozen: the parsed forms are set once, here, as the object is made
        object.__setattr__(self, "mapping", _as_map(self.mapping))
        object.__setattr__(self, "value_map", _as_value_maps(self.value_map))
        if self.delimiter is not None:
            object.__setattr__(self, "delimiter", DELIMITERS[self.delimiter])

    @classmethod
    def given(cls, options: ImportOptions | None, keywords: Mapping[str, Any]) -> ImportOptions:
        """``options``, or the options named by ``keywords`` (an import's ``**options``); a
        TypeError for both, or for a keyword that names no option."""
        if options is not None and keywords:
            raise TypeError("give either an ImportOptions or its keyword arguments, not both")
        return options if options is not None else cls(**keywords)

    def with_saved(self, saved: SavedMapping) -> ImportOptions:
        """These options over the mapping ``saved``: a field or a value mapped here, a preset
        or a date format given here win; the decimal separator wins unless it is the default
        (``.``)."""
        return self.over(saved.options())

    def over(self, under: ImportOptions) -> ImportOptions:
        """These options with ``under``'s filling what they leave open (see
        :meth:`with_saved`); the reading options (sheet, delimiter, ...) are these."""
        mapping = {f: c for f, c in under.mapping.items() if f not in self.mapping}
        value_map = {
            f: {**under.value_map.get(f, {}), **self.value_map.get(f, {})}
            for f in under.value_map | self.value_map
        }
        return replace(
            self,
            mapping=mapping | self.mapping,
            value_map=value_map,
            preset=self.preset or under.preset,
            date_format=self.date_format or under.date_format,
            decimal=self.decimal if self.decimal != "." else under.decimal,
        )


@dataclass(frozen=True)
class SavedMapping:
    """The options of one saved mapping (``mappings/NAME.json``): the part of an
    :class:`ImportOptions` that describes a kind of file of ``table``, as the command line's
    ``--map``/``--value-map`` strings."""

    table: str
    map: list[str] = field(default_factory=list)
    value_map: list[str] = field(default_factory=list)
    preset: str | None = None
    date_format: str | None = None
    decimal: str | None = None

    @classmethod
    def of(cls, table: str, options: ImportOptions) -> SavedMapping:
        """The part of ``options`` worth keeping for the next file like this one of ``table``."""
        return cls(
            table,
            [f"{f}={c}" for f, c in options.mapping.items()],
            [f"{f}:{a}={b}" for f, vmap in options.value_map.items() for a, b in vmap.items()],
            options.preset,
            options.date_format,
            options.decimal if options.decimal != "." else None,
        )

    def options(self) -> ImportOptions:
        """This mapping as the options of an import (parsed and checked)."""
        return ImportOptions(
            mapping=parse_map(self.map),
            value_map=parse_value_maps(self.value_map),
            preset=self.preset,
            date_format=self.date_format,
            decimal=self.decimal or ".",
        )


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
