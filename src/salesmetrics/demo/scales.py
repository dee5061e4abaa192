"""The demo company's sizes (quality.md, "Scales of the demo company")."""

from __future__ import annotations

from dataclasses import dataclass

from salesmetrics.errors import UserError, suggest


@dataclass(frozen=True)
class Scale:
    """Target row counts of one demo size; the generator lands near them (not exactly)."""

    name: str
    reps: int
    leads: int
    opportunities: int
    history: int
    subscriptions: int
    activities: int


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("small", 40, 20_000, 5_000, 25_000, 2_000, 50_000),
        Scale("medium", 500, 2_000_000, 500_000, 3_000_000, 200_000, 5_000_000),
        Scale("large", 5_000, 20_000_000, 5_000_000, 30_000_000, 2_000_000, 50_000_000),
    )
}


def get_scale(name: str | Scale) -> Scale:
    """The scale called ``name`` (a :class:`Scale` is returned as is)."""
    if isinstance(name, Scale):
        return name
    try:
        return SCALES[name]
    except KeyError:
        raise UserError(
            f"unknown scale {name!r}{suggest(name, SCALES)}; scales: {', '.join(SCALES)}"
        ) from None
