"""The shared HTTP client: retries on 429 (Retry-After) and 5xx, bounded, timeouts, refusals,
answers that are not JSON, and a token that never shows."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from werkzeug import Response

from salesmetrics.sync.http import Client, Retry, SyncError
from salesmetrics.sync.http import Response as HttpResponse
from tests.sync.conftest import TOKEN, Vendor, as_json


def client(api: Vendor, waits: list[float], attempts: int = 4) -> Client:
    return Client(
        vendor="acme",
        base_url=api.server.url_for("/"),
        headers={"Authorization": f"Bearer {TOKEN}"},
        secret=TOKEN,
        retry=Retry(attempts=attempts, backoff=1.0, timeout=5.0),
        sleep=waits.append,
    )


def test_429_waits_what_retry_after_says_then_succeeds(vendor: Vendor) -> None:
    vendor.on("GET", "/things", lambda r: {"ok": True})
    vendor.fail_first(
        "GET", "/things", as_json({"message": "slow down"}, 429, {"Retry-After": "7"})
    )
    waits: list[float] = []
    assert client(vendor, waits).get("/things") == {"ok": True}
    assert waits == [7.0]
    assert vendor.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_retry_after_is_capped_and_an_http_date_is_understood(vendor: Vendor) -> None:
    vendor.on("GET", "/things", lambda r: {"ok": True})
    vendor.fail_first(
        "GET",
        "/things",
        as_json({}, 429, {"Retry-After": "86400"}),
        as_json({}, 429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),  # past: no wait
    )
    waits: list[float] = []
    client(vendor, waits).get("/things")
    assert waits == [60.0, 0.0]


def test_5xx_is_retried_with_doubling_backoff(vendor: Vendor) -> None:
    vendor.on("GET", "/things", lambda r: [1, 2])
    vendor.fail_first("GET", "/things", as_json({}, 503), as_json({}, 502), as_json({}, 500))
    waits: list[float] = []
    assert client(vendor, waits).get("/things") == [1, 2]
    assert waits == [1.0, 2.0, 4.0]


def test_retries_are_bounded_and_end_in_one_line(vendor: Vendor) -> None:
    vendor.on("GET", "/things", lambda r: as_json({"message": "down for maintenance"}, 503))
    waits: list[float] = []
    with pytest.raises(SyncError) as caught:
        client(vendor, waits, attempts=3).get("/things", {"limit": 10})
    message = str(caught.value)
    assert message == (
        "acme: GET /things failed 3 times, last: HTTP 503: down for maintenance; try again later"
        " (the data already synced are kept)"
    )
    assert len(vendor.seen) == 3 and waits == [1.0, 2.0]


def test_a_refused_token_is_not_retried_and_never_shown(vendor: Vendor) -> None:
    vendor.on("GET", "/things", lambda r: as_json({"message": f"bad key {TOKEN}"}, 401))
    with pytest.raises(SyncError) as caught:
        client(vendor, []).get("/things")
    assert len(vendor.seen) == 1
    assert "refused the token (HTTP 401" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_other_4xx_quote_the_vendor_message(vendor: Vendor) -> None:
    vendor.on("GET", "/things", lambda r: as_json({"error": {"message": "No such price"}}, 400))
    with pytest.raises(SyncError, match=r"acme: GET /things was refused \(HTTP 400: No such price"):
        client(vendor, []).get("/things")


def test_an_answer_that_is_not_json_is_a_clear_error(vendor: Vendor) -> None:
    vendor.on(
        "GET", "/things", lambda r: Response("<html>login</html>", 200, content_type="text/html")
    )
    with pytest.raises(SyncError) as caught:
        client(vendor, []).get("/things")
    assert "answered with something that is not JSON (text/html" in str(caught.value)
    assert "check the base URL" in str(caught.value)
    assert "\n" not in str(caught.value)


class Silent:
    """A transport whose requests time out."""

    def __init__(self) -> None:
        self.calls = 0

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> HttpResponse:
        self.calls += 1
        raise TimeoutError("timed out")


def test_a_timeout_counts_as_a_failed_try() -> None:
    silent, waits = Silent(), []
    api = Client("acme", "http://127.0.0.1:9", {}, retry=Retry(attempts=2, timeout=3.0))
    api.transport, api.sleep = silent, waits.append
    with pytest.raises(SyncError, match="failed 2 times, last: no answer within 3 s"):
        api.get("/x")
    assert silent.calls == 2 and waits == [1.0]


def test_no_server_is_a_connection_error_after_the_retries() -> None:
    waits: list[float] = []
    api = Client("acme", "http://127.0.0.1:9", {}, retry=Retry(attempts=2), sleep=waits.append)
    with pytest.raises(SyncError, match="failed 2 times, last: cannot connect"):
        api.get("/x")


def test_list_parameters_repeat_their_key() -> None:
    api = Client("acme", "https://api.example/", {})
    url = api.url("/v1/events", {"types[]": ["a.b", "c.d"], "limit": 1, "after": None})
    assert url == "https://api.example/v1/events?types%5B%5D=a.b&types%5B%5D=c.d&limit=1"
