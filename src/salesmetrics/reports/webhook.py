"""Slack-style incoming webhooks: one JSON POST per delivery.

The body has Slack's ``text`` (the alerts, then the pack's title and its link) and the
structured summary beside it (``salesmetrics``: period, alerts with their reasons and deals,
the pack's summary rows). The pack travels as a link when ``[delivery] link_base`` says where
the workspace's packs folder is served, else inline (``file``: its name and base64 content) up
to ``[delivery] max_attachment_mb``. A webhook URL is a secret: give it as ``env:VAR`` to keep
it in the environment; error messages show only its host.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from salesmetrics.errors import UserError
from salesmetrics.reports.message import ENV_PREFIX

if TYPE_CHECKING:
    from salesmetrics.config import DeliverySettings
    from salesmetrics.reports.message import Message

TIMEOUT = 30.0


def resolve_url(to: str, environ: Mapping[str, str]) -> str:
    """The URL of recipient ``to`` (``env:VAR`` read from the environment)."""
    if not to.startswith(ENV_PREFIX):
        return to
    name = to[len(ENV_PREFIX) :].strip()
    url = environ.get(name, "").strip()
    if not url.startswith(("https://", "http://")):
        raise UserError(f"webhook {to}: ${name} must hold the webhook URL (https://...)")
    return url


def payload(message: Message, settings: DeliverySettings) -> dict[str, Any]:
    """The JSON body for ``message``."""
    text = [message.body.rstrip()]
    body: dict[str, Any] = {"salesmetrics": message.summary}
    if message.file is not None:
        if settings.link_base:
            link = settings.link_base.rstrip("/") + "/" + urllib.parse.quote(message.file.name)
            body["link"] = link
            text.append(f"<{link}|{message.file.name}>")
        else:
            data = message.file.read_bytes()
            if len(data) <= settings.max_attachment_mb * 1024 * 1024:
                body["file"] = {
                    "name": message.file.name,
                    "content_base64": base64.b64encode(data).decode("ascii"),
                }
            else:
                text.append(
                    f"({message.file.name} is too large to attach; set [delivery]"
                    " link_base to send a link)"
                )
    body["text"] = "\n".join(text)
    return body


def send(url: str, message: Message, settings: DeliverySettings) -> None:
    """POST ``message`` to ``url``; a one-line UserError unless the hook answers 2xx."""
    host = urllib.parse.urlsplit(url).netloc or url
    data = json.dumps(payload(message, settings), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise UserError(f"webhook at {host} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"webhook at {host} could not be reached: {reason}") from None
    if not 200 <= status < 300:
        raise UserError(f"webhook at {host} answered {status}")
