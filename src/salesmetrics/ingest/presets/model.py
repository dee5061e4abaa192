"""What a preset is: the declarative description of one CRM export per canonical table.

A preset is data, not code: the vendor modules of this package (``hubspot``, ``salesforce``,
``pipedrive``, ``capsule``) only build these objects, and the importer reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesmetrics.schema import RequiredWhen, RowRule

#: A closed deal must say when it closed: without a close date it would count in no period.
CLOSED_NEEDS_CLOSE_DATE: tuple[RowRule, ...] = (
    RequiredWhen("close_date", "status", "won"),
    RequiredWhen("close_date", "status", "lost"),
)


@dataclass(frozen=True)
class TablePreset:
    """How one export maps onto one canonical table.

    Headers are matched by normalised name (case, spaces, ``_`` and ``-`` ignored); value maps are
    matched in any case.
    """

    columns: dict[str, tuple[str, ...]]
    """Canonical field -> candidate source headers, in order of preference (several present in
    one file are coalesced in that order)."""
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    """Canonical field -> {source value -> canonical value} (stage -> status, picklists)."""
    status_flags: tuple[str, str] | None = None
    """(won column, closed column): boolean columns that give the status when present."""
    joined: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Canonical field -> headers whose values are joined with a space when none of the field's
    ``columns`` is in the file (a full name from first and last names)."""
    date_format: str | None = None
    """strptime format of the export's dates (US exports: month first) unless ``--date-format``
    is given; ISO dates are read either way."""
    percent: tuple[str, ...] = ()
    """0-1 fields the export gives as 0-100 (always divided by 100, even when no value is
    above 1)."""
    owner_names: tuple[str, ...] = ()
    """Headers of ``owner_id`` that hold the owner's name rather than an id: names are turned
    into the rep ids of reps with that name, and reps are created for names not yet known."""
    rules: tuple[RowRule, ...] = ()
    """Row rules checked on top of the table's own (e.g. :data:`CLOSED_NEEDS_CLOSE_DATE`)."""


@dataclass(frozen=True)
class Preset:
    """A named export format, with a mapping per canonical table it can fill."""

    name: str
    title: str
    tables: dict[str, TablePreset]
    objects: dict[str, str] = field(default_factory=dict)
    """Canonical table -> the vendor's name of the object exported (for help and errors)."""
