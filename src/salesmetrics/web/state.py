"""The state a page carries in its URL: period, grain, filters, language.

So any view can be shared by its link, every page reads its state from the query string and
every link it prints keeps it (:meth:`ViewState.link`). Values are only passed on to the
engine, which checks them (periods by :mod:`salesmetrics.periods`, filters against the data).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from salesmetrics.errors import UserError
from salesmetrics.metrics.request import parse_where
from salesmetrics.web.words import LANGS

GRAINS = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class ViewState:
    """A page's period, grain, filters (``DIM=VALUE`` texts) and language."""

    period: str | None = None
    grain: str | None = None
    where: tuple[str, ...] = ()
    lang: str = "en"

    @classmethod
    def of(cls, request: Request) -> ViewState:
        """The state in ``request``'s query string (an unknown language or grain is a
        UserError, answered 400)."""
        query = request.query_params
        lang = query.get("lang") or "en"
        if lang not in LANGS:
            raise UserError(f"lang={lang!r}: use en or id")
        grain = query.get("grain") or None
        if grain is not None and grain not in GRAINS:
            raise UserError(f"grain={grain!r}: use {', '.join(GRAINS)}")
        # a form's one field may hold several filters separated by ";" (values may have spaces)
        where = tuple(
            part.strip() for w in query.getlist("where") for part in w.split(";") if part.strip()
        )
        return cls(query.get("period") or None, grain, where, lang)

    def filters(self) -> dict[str, str]:
        """The filters as a mapping (each text checked to be ``DIM=VALUE``)."""
        return parse_where(list(self.where))

    def query(self, **changes: Any) -> str:
        """The query string of this state with ``changes`` (None drops a key)."""
        state = replace(self, **{k: v for k, v in changes.items() if k in _FIELDS})
        extra = {k: v for k, v in changes.items() if k not in _FIELDS and v is not None}
        pairs: list[tuple[str, str]] = []
        if state.period:
            pairs.append(("period", state.period))
        if state.grain:
            pairs.append(("grain", state.grain))
        pairs += [("where", w) for w in state.where]
        if state.lang != "en":
            pairs.append(("lang", state.lang))
        pairs += [(k, str(v)) for k, v in extra.items()]
        return urlencode(pairs)

    def link(self, path: str, **changes: Any) -> str:
        """``path`` with this state's query string (and ``changes``)."""
        query = self.query(**changes)
        return f"{path}?{query}" if query else path


_FIELDS = ("period", "grain", "where", "lang")
