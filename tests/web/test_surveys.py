"""Pulse / eNPS surveys by link: an admin creates one and gets a link per employee; the link is
answered without a login, once, showing nobody's answers; the results are the engine's, with the
minimum group size enforced in the pages and the API."""

from __future__ import annotations

import json
import re
import threading

from fastapi.testclient import TestClient

from salesmetrics.web import survey_book
from tests.web.conftest import Site, csrf_of, login

BIG, SMALL = "Survey Team Big", "Survey Team Small"


def create(site: Site, people: list[str]) -> tuple[str, list[str]]:
    admin = login(site, "admin")
    token = csrf_of(admin.get("/surveys").text)
    page = admin.post(
        "/surveys",
        data={
            "title": "Pulse Q4",
            "enps": "true",
            "questions": "workload: My workload is manageable",
            "people": "\n".join(people),
            "csrf_token": token,
        },
    )
    assert page.status_code == 200, page.text
    links = re.findall(r"<code>(http://testserver/s/[^<]+)</code>", page.text)
    survey_id = re.search(r'href="/surveys/([^"]+)"', page.text)
    assert survey_id
    return survey_id.group(1), [link.removeprefix("http://testserver") for link in links]


def answer(client: TestClient, link: str, enps: int, workload: int) -> int:
    form = client.get(link)
    assert form.status_code == 200
    data = {"q:enps": str(enps), "q:workload": str(workload), "comment": "ok"}
    return client.post(link, data={**data, "csrf_token": csrf_of(form.text)}).status_code


def test_a_survey_answered_by_link_once_without_login_and_its_results(entry_site: Site) -> None:
    site = entry_site
    people = [f"person{i}@example.com, {BIG}" for i in range(6)] + [f"loner@example.com, {SMALL}"]
    survey_id, links = create(site, people)
    assert len(links) == 7 and len(set(links)) == 7
    # the tokens are unguessable and not stored: only digests, and no names
    stored = (site.root / survey_book.STORE).read_text()
    assert all(link.rsplit("/", 1)[1] not in stored for link in links)
    assert "person0" not in stored and "loner" not in stored
    assert len(links[0].rsplit("/", 1)[1]) >= 40
    scores = [10, 10, 9, 8, 3, 10, 0]
    for link, score in zip(links, scores, strict=True):
        stranger = TestClient(site.app)  # no login
        assert answer(stranger, link, score, 7) == 200
    # once only
    again = TestClient(site.app)
    assert again.get(links[0]).status_code == 410
    assert again.post(links[0], data={"q:enps": "0", "csrf_token": "x"}).status_code == 403
    token = csrf_of(again.get("/login").text)
    assert (
        again.post(
            links[0], data={"q:enps": "0", "q:workload": "0", "csrf_token": token}
        ).status_code
        == 410
    )
    assert TestClient(site.app).get("/s/not-a-token").status_code == 404
    # results: the engine's eNPS for the period, the small team's suppressed everywhere
    admin = login(site, "admin")
    data = admin.get(f"/api/surveys/{survey_id}/results").json()
    assert data["survey"]["answered"] == 7
    by_team = {
        (r["group"].get("team"), r["metric"]): r for r in data["by_team"] if r["metric"] == "enps"
    }
    small = by_team[(SMALL, "enps")]
    assert small["value"] is None and set(small["components"]) <= {"min_survey_group"}
    # the big team's six: 4 promoters, 1 passive, 1 detractor -> 50, unless it must be hidden
    # too so the small one cannot be derived from the company's figure
    company = next(r for r in data["company"] if r["metric"] == "enps")
    assert company["value"] is None or by_team[(BIG, "enps")]["value"] is None
    page = admin.get(f"/surveys/{survey_id}")
    assert page.status_code == 200
    assert "Pulse Q4" in page.text
    assert "<td>workload</td>" in page.text  # the pulse question's rows name it
    # nobody's answer shows on an answer page
    fresh = create(site, [f"x@example.com, {BIG}"])[1][0]
    form = TestClient(site.app).get(fresh).text
    assert "comment" in form and "ok</" not in form and "Survey Team Small" not in form


def test_answers_are_checked_and_the_link_stays_open_after_a_bad_one(entry_site: Site) -> None:
    site = entry_site
    _, links = create(site, [f"p@example.com, {BIG}"])
    client = TestClient(site.app)
    form = client.get(links[0])
    bad = client.post(
        links[0],
        data={"q:enps": "11", "q:workload": "5", "csrf_token": csrf_of(form.text)},
    )
    assert bad.status_code == 400 and "0 to 10" in bad.text
    assert answer(client, links[0], 5, 5) == 200


def test_only_admins_create_surveys_and_reps_see_no_results(entry_site: Site) -> None:
    site = entry_site
    survey_id, _ = create(site, [f"q@example.com, {BIG}"])
    for role in ("executive", "manager", "rep"):
        client = login(site, role)
        assert client.get("/surveys").status_code == 403
        token = csrf_of(client.get("/forms").text)
        refused = client.post(
            "/surveys", data={"title": "x", "people": "a, b", "csrf_token": token}
        )
        assert refused.status_code == 403
    rep = login(site, "rep")
    assert rep.get(f"/surveys/{survey_id}").status_code == 403
    assert rep.get(f"/api/surveys/{survey_id}/results").status_code == 403
    # a manager's results are their team's: the survey's teams are not theirs
    manager = login(site, "manager")
    data = manager.get(f"/api/surveys/{survey_id}/results").json()
    assert {r["group"].get("team") for r in data["by_team"]} <= {site.team}


def test_the_survey_api_creates_links_for_admins(entry_site: Site) -> None:
    site = entry_site
    admin = login(site, "admin")
    token = csrf_of(admin.get("/surveys").text)
    made = admin.post(
        "/api/surveys",
        content=json.dumps({"title": "API pulse", "people": ["a, T1", "b, T1"]}),
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert made.status_code == 200, made.text
    body = made.json()
    assert [q["id"] for q in body["questions"]] == ["enps"]
    assert len(body["links"]) == 2
    listed = admin.get("/api/surveys").json()
    assert any(s["id"] == body["id"] and s["links"] == 2 for s in listed)
    assert 'links": [' not in json.dumps(listed)  # the list never carries the links


def test_a_link_submitted_twice_at_once_answers_once(entry_site: Site) -> None:
    site = entry_site
    _, links = create(site, [f"twice@example.com, {BIG}"])
    clients = [TestClient(site.app) for _ in range(2)]
    tokens = [csrf_of(c.get(links[0]).text) for c in clients]
    statuses: list[int] = []

    def submit(client: TestClient, token: str) -> None:
        data = {"q:enps": "9", "q:workload": "9", "csrf_token": token}
        statuses.append(client.post(links[0], data=data).status_code)

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(statuses) == [200, 410]
