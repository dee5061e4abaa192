"""The errors the product reports to its users, and help for writing them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A problem the user can fix: bad input, a bad option, missing data.

    The message is one line saying what is wrong, where, and how to fix it. The CLI prints it
    without a traceback and exits with status 1.
    """


class ConfigError(UserError):
    """``salesmetrics.toml`` is missing, unreadable or invalid."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix naming the close matches of ``word``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
