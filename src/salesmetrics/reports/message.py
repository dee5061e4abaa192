"""What a delivery sends, shared by the delivery and its channels (email, webhook)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A recipient naming an environment variable that holds a webhook URL (a secret).
ENV_PREFIX = "env:"


@dataclass(frozen=True)
class Message:
    """What goes out: a subject, a plain-text body (alerts first), the JSON summary of a webhook
    and the pack file (None for alerts alone)."""

    subject: str
    body: str
    summary: dict[str, Any]
    file: Path | None
