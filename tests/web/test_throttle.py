"""Login throttling: five failures per address and email, then a pause."""

from __future__ import annotations

from fastapi.testclient import TestClient

from salesmetrics.web.throttle import Throttle
from tests.web.conftest import PASSWORD, Site, csrf_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_sixth_attempt_waits_until_the_first_failure_leaves_the_window() -> None:
    clock = Clock()
    throttle = Throttle(limit=5, window=900, clock=clock)
    for _ in range(5):
        assert throttle.wait("k") == 0
        throttle.failed("k")
        clock.now += 10
    assert throttle.wait("k") == 900 - 50
    assert throttle.wait("other") == 0
    clock.now = 1000.0 + 900
    assert throttle.wait("k") == 0


def test_a_success_forgets_the_failures() -> None:
    throttle = Throttle(limit=2)
    throttle.failed("k")
    throttle.succeeded("k")
    throttle.failed("k")
    assert throttle.wait("k") == 0


def test_the_login_form_pauses_after_five_failures(site: Site) -> None:
    site.app.state.throttle = Throttle()
    client = TestClient(site.app)

    def attempt(password: str) -> int:
        token = csrf_of(client.get("/login").text)
        data = {"email": site.email("executive"), "password": password, "csrf_token": token}
        return client.post("/login", data=data, follow_redirects=False).status_code

    assert [attempt("wrong password") for _ in range(5)] == [401] * 5
    answer_code = attempt(PASSWORD)  # the right password too, while the pause lasts
    assert answer_code == 429
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": site.email("executive"), "password": PASSWORD, "csrf_token": token},
    )
    assert int(answer.headers["retry-after"]) > 800
    assert "Too many failed logins" in answer.text
    # another email from the same address is not paused
    token = csrf_of(client.get("/login").text)
    other = {"email": site.email("admin"), "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=other, follow_redirects=False).status_code == 303
    site.app.state.throttle = Throttle()
