"""The errors the product reports to its users, and help for writing them."""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable


class UserError(Exception):
    """A problem the user can fix: bad input, a bad option, missing data.

    The message is one line saying what is wrong, where, and how to fix it. The CLI prints it
    without a traceback and exits with status 1. A line break that came in with the user's
    text (a header holding a quoted newline, say) is shown escaped, so the message stays one
    line wherever it is printed or logged.
    """

    def __str__(self) -> str:
        text = super().__str__()
        if "\n" in text or "\r" in text:
            return text.replace("\r", "\\r").replace("\n", "\\n")
        return text


class ConfigError(UserError):
    """``salesmetrics.toml`` is missing, unreadable or invalid."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix naming the close matches of ``word``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


#: What the OS or the embedded engine says, lower-cased, for each storage failure it can report.
_STORAGE_SIGNS = {
    "disk full": ("no space left on device", "disk quota exceeded", "could not allocate space"),
    "read-only": ("read-only file system",),
    "permission": ("permission denied",),
    "memory": ("out of memory error", "failed to offload", "could not allocate block"),
}
_STORAGE_ERRNOS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk full",
    errno.EROFS: "read-only",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
}
#: What to do about each failure (the memory advice depends on the command: see failure_cause).
_STORAGE_ADVICE = {
    "disk full": "no space left on the device; free some space (or move the workspace to a"
    " larger disk) and run the command again",
    "read-only": "the storage is read-only; make the workspace folder writable (or copy the"
    " workspace to writable storage) and run the command again",
    "permission": "permission denied; give this user the right to write the workspace folder"
    " and run the command again",
}
MEMORY_ADVICE = (
    "raise memory_limit in salesmetrics.toml (default 2GB), or ask for fewer metrics, periods or"
    " groups"
)
"""What to do when a computation runs out of the memory limit (an import says otherwise)."""


def failure_kind(err: BaseException) -> str | None:
    """``disk full``, ``read-only``, ``permission`` or ``memory`` when ``err`` is the OS or the
    embedded engine reporting that storage or memory ran out; None for anything else.

    Recognised by the OS error number, or by the engine's message: DuckDB reports a full disk
    as an ``IOException`` (or a ``FatalException`` while checkpointing) naming the OS error.
    """
    if isinstance(err, OSError) and err.errno in _STORAGE_ERRNOS:
        return _STORAGE_ERRNOS[err.errno]
    text = str(err).lower()
    if type(err).__name__ == "OutOfMemoryException":
        # DuckDB also says "out of memory" when it could not spill to a full disk
        return "disk full" if any(s in text for s in _STORAGE_SIGNS["disk full"]) else "memory"
    for kind, signs in _STORAGE_SIGNS.items():
        if any(sign in text for sign in signs):
            return kind
    return None


def failure_cause(
    err: BaseException, *, memory_advice: str = MEMORY_ADVICE, unchanged: bool = False
) -> UserError | None:
    """The one-line error telling the user what stopped a command (a full disk, read-only
    storage, missing permission, the memory limit) and what to do; None when ``err`` is not
    such a failure. ``unchanged`` adds that the workspace was left as it was (say it only where
    the write was atomic)."""
    kind = failure_kind(err)
    if kind is None:
        return None
    lines = str(err).strip().splitlines()
    detail = lines[0] if lines else type(err).__name__
    advice = f"out of memory; {memory_advice}" if kind == "memory" else _STORAGE_ADVICE[kind]
    if kind == "memory" and "failed to offload" in detail.lower():
        advice += " (or free disk space beside the database: the engine spills there)"
    tail = "; nothing was changed" if unchanged else ""
    return UserError(f"{advice} ({detail}){tail}")
