"""Login, logout, sessions, tokens and CSRF, through the app (FastAPI's TestClient)."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from salesmetrics.web import users
from salesmetrics.web.app import ROUTERS
from salesmetrics.web.auth import csrf_protect
from salesmetrics.web.sessions import CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, Site, csrf_of, login

#: Values for the path parameters of the routes checked.
FILLED = {"metric_id": "win_rate", "batch_id": "20250101", "survey_id": "s1", "token": "x" * 43}


def test_pages_send_a_stranger_to_the_login_page(site: Site) -> None:
    client = TestClient(site.app)
    answer = client.get("/metrics/win_rate?period=2025", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fmetrics%2Fwin_rate%3Fperiod%3D2025"
    assert client.get("/login").status_code == 200


def test_the_api_answers_a_stranger_401(site: Site) -> None:
    client = TestClient(site.app)
    for path in ("/api/metrics", "/api/glossary", "/openapi.json"):
        answer = client.get(path)
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "detail" in answer.json()
    assert client.get("/health").json() == {"status": "ok"}


def test_login_sets_a_signed_httponly_samesite_cookie_and_logout_ends_it(site: Site) -> None:
    client = TestClient(site.app)
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={
            "email": "ADMIN@example.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/glossary",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/glossary"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/glossary")
    assert page.status_code == 200 and "admin@example.com" in page.text
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/glossary", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused_without_saying_which_part(site: Site) -> None:
    client = TestClient(site.app)
    for email, password in (("admin@example.com", "wrong password"), ("no@example.com", PASSWORD)):
        token = csrf_of(client.get("/login").text)
        answer = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert answer.status_code == 401
        assert "Wrong email or password." in answer.text
        assert SESSION_COOKIE not in client.cookies


def test_a_forged_session_cookie_is_refused(site: Site) -> None:
    client = login(site, "admin")
    good = client.cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, good[:-4] + "AAAA")
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/glossary").status_code == 401


def test_login_and_logout_refuse_a_missing_or_wrong_csrf_token(site: Site) -> None:
    client = TestClient(site.app)
    client.get("/login")  # the CSRF cookie
    data = {"email": "admin@example.com", "password": PASSWORD}
    assert client.post("/login", data=data).status_code == 403
    assert client.post("/login", data={**data, "csrf_token": "0" * 64}).status_code == 403
    assert SESSION_COOKIE not in client.cookies
    logged = login(site, "admin")
    assert logged.post("/logout", data={}).status_code == 403
    assert logged.post("/logout", headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    # a token of another browser (another CSRF cookie) does not do either
    other = TestClient(site.app)
    stolen = csrf_of(other.get("/login").text)
    assert logged.post("/logout", data={"csrf_token": stolen}).status_code == 403
    assert logged.get("/", follow_redirects=False).status_code == 200


def test_the_csrf_header_works_for_htmx_requests(site: Site) -> None:
    client = login(site, "admin")
    token = csrf_of(client.get("/glossary").text)
    answer = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert answer.status_code == 303


def test_every_unsafe_route_checks_the_csrf_token(site: Site) -> None:
    routes = [r for router in ROUTERS for r in router.routes]  # every router's
    unsafe = [
        r for r in routes if isinstance(r, APIRoute) and r.methods - {"GET", "HEAD", "OPTIONS"}
    ]
    assert unsafe, "no form route found"
    for route in unsafe:
        assert csrf_protect in [d.call for d in route.dependant.dependencies], route.path


def test_login_goes_on_only_to_this_site(site: Site) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = TestClient(site.app)
        token = csrf_of(client.get("/login").text)
        answer = client.post(
            "/login",
            data={
                "email": "admin@example.com",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/", target


def test_a_bearer_token_opens_the_api_and_a_bad_one_is_401(site: Site) -> None:
    token = users.create_token(site.root, "executive@example.com")
    client = TestClient(site.app)
    answer = client.get("/api/glossary", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    for header in (f"Bearer {token}x", "Basic abc", "Bearer "):
        assert client.get("/api/glossary", headers={"Authorization": header}).status_code == 401
    # a token is for the API: pages still ask for a login
    page = client.get("/", headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)
    assert page.status_code == 303


def test_responses_carry_the_security_headers(site: Site) -> None:
    client = TestClient(site.app)
    answer = client.get("/login")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_every_route_but_login_and_health_needs_a_login(site: Site) -> None:
    # each GET route of the pages and the API, path parameters filled in: a page sends a
    # stranger to the login page, the API answers 401 (a new route is covered by this test)
    client = TestClient(site.app)
    every = [r for router in ROUTERS for r in router.routes]
    routes = [r for r in every if isinstance(r, APIRoute) and "GET" in r.methods]
    open_paths = {"/login", "/health"}
    checked = 0
    for route in routes:
        path = re.sub(r"\{(\w+)\}", lambda m: FILLED.get(m.group(1), "x"), route.path)
        answer = client.get(path, follow_redirects=False)
        if route.path == "/s/{token}":  # a survey link: its token is the credential
            assert answer.status_code == 404, path
        elif route.path in open_paths:
            assert answer.status_code == 200, path
        elif path.startswith("/api/") or path == "/openapi.json":
            assert answer.status_code == 401, path
        else:
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login")
        checked += 1
    assert checked >= 20
