"""The one HTTP client of the connectors: JSON in and out, retries, rate limits and timeouts.

Built on the standard library (``urllib.request``): the connectors need a handful of GET and POST
calls that answer JSON, so no HTTP library is added. All I/O goes through :class:`Transport`,
which tests may swap; the real one talks to the base URL (a local server in the tests).

Retry rules, the same for every vendor:

* **429** (rate limited): wait what ``Retry-After`` says (seconds or an HTTP date; capped at
  :data:`MAX_WAIT` seconds), else the backoff below, and try again.
* **5xx**, a timeout or a refused connection: wait 1, 2, 4, 8 ... seconds (capped at
  :data:`MAX_WAIT`) and try again.
* At most :attr:`Retry.attempts` tries per request; then one :class:`SyncError` line naming the
  vendor, the request and the last answer.
* Any other 4xx is not retried: 401/403 say the token was refused, others quote the vendor's
  message.

The token is sent in a header and never appears in a message: every message is scrubbed of it.
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from salesmetrics.errors import UserError

#: The longest wait between two tries, in seconds, whatever the server asks.
MAX_WAIT = 60.0
#: Seconds one request may take (connect and read) before it counts as a failed try.
TIMEOUT = 30.0
_SHOWN = 120


class SyncError(UserError):
    """A connector failed: the vendor refused, kept failing, or answered something unreadable."""


@dataclass(frozen=True)
class Response:
    """One HTTP answer: status, headers (lower-case names) and body bytes."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Transport(Protocol):
    """Sends one request and returns the answer; raises ``OSError`` when no answer came."""

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> Response:
        """Send ``method url`` with ``headers`` and ``body``; wait at most ``timeout`` seconds."""
        ...


class UrllibTransport:
    """The real transport: ``urllib.request``, an HTTP error status returned, not raised."""

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> Response:
        """Send the request; a 4xx/5xx is an ordinary :class:`Response`."""
        request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Response(
                    answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
                )
        except urllib.error.HTTPError as err:
            return Response(
                err.code, {k.lower(): v for k, v in err.headers.items()}, err.read() or b""
            )


@dataclass(frozen=True)
class Retry:
    """How often and how long to try one request."""

    attempts: int = 5
    backoff: float = 1.0
    """The first wait after a failure; doubled at each further failure."""
    timeout: float = TIMEOUT


@dataclass
class Client:
    """JSON requests to one vendor's API at ``base_url``, with the retry rules of this module."""

    vendor: str
    base_url: str
    headers: dict[str, str]
    secret: str = ""
    """The token, only to scrub it from messages."""
    retry: Retry = field(default_factory=Retry)
    transport: Transport = field(default_factory=UrllibTransport)
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    """Requests sent so far (retries included)."""

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` (relative to the base URL, or a full URL the vendor gave) as JSON."""
        return self.request("GET", path, params=params)

    def post(self, path: str, payload: Any) -> Any:
        """POST ``payload`` as JSON to ``path``; the answer as JSON."""
        return self.request("POST", path, payload=payload)

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The full URL of ``path`` with ``params`` (lists repeat the key, as Stripe wants)."""
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = self.base_url.rstrip("/") + "/" + path.lstrip("/")
        if params:
            pairs = [
                (k, _text(v))
                for k, value in params.items()
                if value is not None
                for v in (value if isinstance(value, list | tuple) else [value])
            ]
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)
        return url

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
    ) -> Any:
        """Send one request with the retry rules; the decoded JSON answer."""
        url = self.url(path, params)
        where = f"{method} {urllib.parse.urlsplit(url).path}"
        headers = {"Accept": "application/json", **self.headers}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            self.requests += 1
            wait = self.retry.backoff * 2 ** (attempt - 1)
            try:
                answer = self.transport.send(method, url, headers, body, self.retry.timeout)
            except TimeoutError:
                last = f"no answer within {self.retry.timeout:g} s"
            except OSError as err:
                reason = getattr(err, "reason", None) or err
                last = f"cannot connect ({reason})"
            else:
                if 200 <= answer.status < 300:
                    return self._json(answer, where)
                last = f"HTTP {answer.status}{self._message(answer)}"
                if answer.status == 429:
                    wait = _retry_after(answer.headers.get("retry-after"), wait)
                elif answer.status < 500:
                    raise SyncError(self._scrub(self._refusal(answer, where, last)))
            if attempt < self.retry.attempts:
                self.sleep(min(wait, MAX_WAIT))
        raise SyncError(
            self._scrub(
                f"{self.vendor}: {where} failed {self.retry.attempts} times, last: {last}; try"
                " again later (the data already synced are kept)"
            )
        )

    def _json(self, answer: Response, where: str) -> Any:
        try:
            return json.loads(answer.body)
        except (ValueError, UnicodeDecodeError):
            kind = answer.headers.get("content-type", "no content type")
            start = answer.body[:60].decode("utf-8", "replace").replace("\n", " ")
            raise SyncError(
                self._scrub(
                    f"{self.vendor}: {where} answered with something that is not JSON ({kind},"
                    f" starting {start!r}); check the base URL ({self.base_url})"
                )
            ) from None

    def _message(self, answer: Response) -> str:
        """The vendor's own error message, when the body says one."""
        try:
            data = json.loads(answer.body)
        except (ValueError, UnicodeDecodeError):
            return ""
        found = _find_message(data)
        return f": {found[:_SHOWN]}" if found else ""

    def _refusal(self, answer: Response, where: str, last: str) -> str:
        if answer.status in (401, 403):
            return (
                f"{self.vendor}: {where} refused the token ({last}); check that the environment"
                " variable holds a valid token with read access"
            )
        return f"{self.vendor}: {where} was refused ({last})"

    def _scrub(self, message: str) -> str:
        message = " ".join(message.split())
        return message.replace(self.secret, "***") if self.secret else message


def next_page(vendor: str, where: str, seen: set[str], token: object) -> str:
    """``token`` (the vendor's mark of the next page) as text, after checking that paging
    moves on: a missing token while more pages are announced, or one seen before, is a
    :class:`SyncError` instead of a loop that never ends."""
    if token is None or token == "" or str(token) in seen:
        what = "no mark of the next page" if token in (None, "") else f"page {token!s:.40} again"
        raise SyncError(
            f"{vendor}: {where} announced more pages but gave {what}; paging stopped (try --full"
            " later, or report it to the vendor)"
        )
    seen.add(str(token))
    return str(token)


def _find_message(data: Any) -> str | None:
    """The error message in the vendors' error shapes (HubSpot ``message``, Stripe
    ``error.message``, Pipedrive ``error``, Salesforce ``[{"message": ...}]``)."""
    if isinstance(data, list) and data:
        return _find_message(data[0])
    if not isinstance(data, dict):
        return None
    for key in ("message", "error_description"):
        if isinstance(data.get(key), str):
            return str(data[key])
    error = data.get("error")
    if isinstance(error, dict):
        return _find_message(error)
    return str(error) if isinstance(error, str) else None


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(when.timestamp() - time.time(), 0.0)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
