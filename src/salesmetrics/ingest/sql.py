"""SQL text helpers: every identifier is quoted and every value is a named parameter.

No function here pastes user text into SQL: identifiers go through :func:`ident`, values through
:class:`Params` (DuckDB ``$name`` parameters).
"""

from __future__ import annotations

import re
from typing import Any


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (embedded double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


class Params:
    """Collects named parameters for one statement; :meth:`add` returns the placeholder."""

    def __init__(self, prefix: str = "p") -> None:
        self.values: dict[str, Any] = {}
        self._prefix = prefix

    def add(self, value: Any) -> str:
        """Register ``value`` and return its ``$name`` placeholder."""
        name = f"{self._prefix}{len(self.values)}"
        self.values[name] = value
        return f"${name}"

    def used_by(self, sql: str) -> dict[str, Any]:
        """The parameters that ``sql`` refers to (DuckDB rejects unused named parameters)."""
        used = set(re.findall(r"\$(" + re.escape(self._prefix) + r"\d+)\b", sql))
        return {k: v for k, v in self.values.items() if k in used}
