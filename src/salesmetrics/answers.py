"""Answers kept for the next session: a request's result rows, by the data and code they came from.

A command repeated on data that did not change (the same ``salesmetrics metrics ...`` run again,
a view reloaded) can be given the rows an earlier session computed, read from a JSON file
beside the database, without starting the engine: no Ibis, no pandas, which are most of what
such a command waited for. This is the *answer* scope of the cache, above the whole-history and
per-period intermediates of :mod:`salesmetrics.derived`.

An answer is kept as ``FILE.cache/answers/<key>.json``, the key a digest of the request, every
table's version (:mod:`salesmetrics.inventory`), the configuration and the package's code
(:func:`salesmetrics.kept.code_digest`). Any change of those makes another key, so a kept answer
is never stale; files unused for :data:`salesmetrics.kept.STALE_SECONDS` are removed when an
answer is kept. Answers of more than :data:`MAX_ROWS` rows are not kept (no one reads them in a
terminal; their JSON would cost more than it saves). Embedded workspaces only: elsewhere the
data version is not cheap to read without the backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesmetrics import kept

#: The folder of kept answers, in the workspace's cache folder.
FOLDER = "answers"
#: Answers with more rows than this are not kept.
MAX_ROWS = 20_000


@dataclass
class KeptAnswer:
    """The rows of a kept answer, with what the views read beside them (the same names as
    :class:`salesmetrics.metrics.result.MetricResult`)."""

    base_currency: str
    keys: tuple[str, ...]
    by: tuple[str, ...] = ()
    compare: str | None = None
    notes: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    period_notes: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """Every row as a JSON-ready dict, as :meth:`MetricResult.rows` gave it."""
        return self.results

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``salesmetrics metrics --format json``."""
        return {"base_currency": self.base_currency, "results": self.results}

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def answer_key(request: Mapping[str, Any], versions: Mapping[str, Hashable], settings: str) -> str:
    """The key of the answer to ``request`` (:meth:`Request.as_dict`) on tables of
    ``versions`` under ``settings`` (the configuration as JSON), by this package's code."""
    text = json.dumps(
        [dict(request), sorted(versions.items()), settings, kept.code_digest()],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class Answers:
    """The kept answers of one embedded workspace, in its cache folder ``cache``."""

    def __init__(self, cache: Path) -> None:
        self._folder = cache / FOLDER

    def get(self, key: str) -> KeptAnswer | None:
        """The answer kept under ``key``, or None."""
        path = self._folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            answer = KeptAnswer(
                base_currency=data["base_currency"],
                keys=tuple(data["keys"]),
                by=tuple(data["by"]),
                compare=data["compare"],
                notes=list(data["notes"]),
                results=list(data["results"]),
                period_notes=dict(data["period_notes"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        with contextlib.suppress(OSError):
            path.touch()  # in use: not tidied away
        return answer

    def put(
        self,
        key: str,
        *,
        base_currency: str,
        keys: Sequence[str],
        by: Sequence[str],
        compare: str | None,
        notes: Sequence[str],
        rows: Sequence[Mapping[str, Any]],
        period_notes: Mapping[str, str],
    ) -> bool:
        """Keep ``rows`` (JSON-ready) and what goes with them under ``key``; False when it is
        too large or the folder cannot be written."""
        if len(rows) > MAX_ROWS:
            return False
        text = json.dumps(
            {
                "base_currency": base_currency,
                "keys": list(keys),
                "by": list(by),
                "compare": compare,
                "notes": list(notes),
                "results": list(rows),
                "period_notes": dict(period_notes),
            },
            ensure_ascii=False,
        )
        self._tidy()
        path = self._folder / f"{key}.json"
        return kept.keep_file(path, lambda to: to.write_text(text, encoding="utf-8"))

    def _tidy(self) -> None:
        """Remove the answers no session has read or written for a while."""
        cutoff = time.time() - kept.STALE_SECONDS
        with contextlib.suppress(OSError):
            for path in self._folder.glob("*.json"):
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
