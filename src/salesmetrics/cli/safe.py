"""Text from files shown in a terminal, escaped so it can never drive the terminal.

A header, cell or value read from an imported file may hold control characters: an escape
sequence (``\\x1b[31m``, ``\\x9b``) would recolour, move the cursor or retitle the terminal, a
carriage return would overwrite what was printed, a bidirectional override would show text
reversed. :func:`printable` writes each such character as its Python escape (``\\x1b``,
``\\r``, ``\\u202e``); every view passes text that comes from data through it before it reaches
the console (import summaries, errors, rejects, drill-downs, metric tables, notes). Rich
markup is a separate matter: views print data as :class:`rich.text.Text` or with
``markup=False``, so ``[red]`` stays text.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 and C1 controls, DEL, and the invisible marks that reorder or hide text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: Any) -> str:
    """``value`` as text with every control or reordering character escaped."""
    return _UNSAFE.sub(_escape, str(value))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def json_printable(text: str) -> str:
    """JSON text with the characters JSON leaves raw (C1 controls, reordering marks) written
    as JSON's ``\\u`` escapes of four hex digits: the same JSON value, harmless in a terminal
    (C0 controls are escaped by every JSON encoder already)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
