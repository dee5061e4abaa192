"""Email delivery through the ``[smtp]`` server of ``salesmetrics.toml``.

The password is read from ``$SALESMETRICS_SMTP_PASSWORD`` only, never from the file. With
``tls = "auto"`` (the default) the connection is upgraded with STARTTLS whenever the server
offers it; ``require`` refuses a server that does not, ``implicit`` speaks TLS from the start
(port 465) and ``off`` never encrypts. A password is never sent over an unencrypted connection
unless ``tls = "off"`` says so. Every failure is one line naming the server.
"""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import TYPE_CHECKING

from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.config import SmtpSettings
    from salesmetrics.reports.message import Message

ENV_PASSWORD = "SALESMETRICS_SMTP_PASSWORD"


def build(settings: SmtpSettings, to: str, message: Message) -> EmailMessage:
    """The email of ``message`` to ``to``, the pack attached."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = settings.from_
    email["To"] = to
    email.set_content(message.body)
    if message.file is not None:
        kind = mimetypes.guess_type(message.file.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        email.add_attachment(
            message.file.read_bytes(), maintype=main, subtype=sub, filename=message.file.name
        )
    return email


def send(
    settings: SmtpSettings | None, to: str, message: Message, environ: Mapping[str, str]
) -> None:
    """Send ``message`` to ``to``; a one-line UserError when it cannot be sent."""
    if settings is None:
        raise UserError(
            "no [smtp] settings in salesmetrics.toml: add host, port and from to send email"
        )
    where = f"smtp {settings.host}:{settings.port}"
    context = ssl.create_default_context(cafile=settings.cafile) if settings.tls != "off" else None
    try:
        if settings.tls == "implicit":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            server.ehlo()
            encrypted = settings.tls == "implicit"
            if settings.tls in ("auto", "require") and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
                encrypted = True
            elif settings.tls == "require":
                raise UserError(f"{where} does not offer STARTTLS, and [smtp] tls = 'require'")
            if settings.username:
                password = environ.get(ENV_PASSWORD)
                if not password:
                    raise UserError(f"[smtp] username is set: put the password in ${ENV_PASSWORD}")
                if not encrypted:
                    raise UserError(
                        f"{where} offers no encryption: refusing to send the password in clear"
                        " (set [smtp] tls = 'off' to allow it)"
                    )
                server.login(settings.username, password)
            server.send_message(build(settings, to, message))
    except UserError:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise UserError(f"{where}: login refused ({_text(error)})") from None
    except smtplib.SMTPRecipientsRefused as error:
        raise UserError(f"{where}: recipient {to} refused ({_text(error)})") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
        raise UserError(f"could not send to {to} through {where}: {_text(error)}") from None


def _text(error: BaseException) -> str:
    """An exception as one short line."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]
