"""Data-entry forms and their API: quotas, time logs, forecasts with the roll-up, targets. Each
role enters only what it may (direct requests, not only the links shown); every form needs its
CSRF token; a bad value is a one-line 400 and writes nothing."""

from __future__ import annotations

import html
import tomllib
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesmetrics import Workspace
from salesmetrics.conventions import CONFIG_FILE
from salesmetrics.web import entries, users
from salesmetrics.web.desk import Desk
from salesmetrics.web.service import Service
from tests.web.conftest import Site, csrf_of, login


def rows(site: Site, table: str, column: str, value: str) -> list[dict[str, Any]]:
    """The rows of ``table`` whose ``column`` is ``value``, read as the server reads."""

    def read(ws: Workspace) -> list[dict[str, Any]]:
        t = ws.table(table)
        found: list[dict[str, Any]] = t.filter(t[column] == value).to_pyarrow().to_pylist()
        return found

    service: Service = site.app.state.service
    return service.read(read)


def post_form(client: TestClient, path: str, **data: str) -> Any:
    token = csrf_of(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token})


def test_a_manager_enters_quotas_for_their_team_only(entry_site: Site) -> None:
    site = entry_site
    manager = login(site, "manager")
    form = manager.get("/forms/quotas")
    assert form.status_code == 200
    assert site.rep in form.text and site.other_rep not in form.text  # only the team's reps
    saved = post_form(manager, "/forms/quotas", rep_id=site.rep, period="2034-Q1", amount="1250")
    assert saved.status_code == 200, saved.text
    assert "Saved" in saved.text
    stored = [r for r in rows(site, "quotas", "rep_id", site.rep) if r["period_end"].year == 2034]
    assert [(str(r["period_start"]), str(r["period_end"]), float(r["amount"])) for r in stored] == [
        ("2034-01-01", "2034-03-31", 1250.0)
    ]
    # another team's rep: refused, even by a direct request
    refused = post_form(
        manager, "/forms/quotas", rep_id=site.other_rep, period="2034-Q1", amount="1"
    )
    assert refused.status_code == 403
    # a rep enters no quotas
    rep = login(site, "rep")
    assert rep.get("/forms/quotas").status_code == 403
    token = csrf_of(rep.get("/forms").text)
    answer = rep.post(
        "/forms/quotas",
        data={"rep_id": site.rep, "period": "2034-Q2", "amount": "1", "csrf_token": token},
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "lots", "amount 'lots': not a number"),
        ("amount", "-5", "must not be negative"),
        ("period", "2034-Q5", "2034-Q5"),
    ],
)
def test_a_bad_quota_is_a_one_line_400_and_nothing_is_written(
    entry_site: Site, field: str, value: str, message: str
) -> None:
    admin = login(entry_site, "admin")
    before = len(rows(entry_site, "quotas", "rep_id", entry_site.other_rep))
    data = {"rep_id": entry_site.other_rep, "period": "2035-Q1", "amount": "10", field: value}
    answer = post_form(admin, "/forms/quotas", **data)
    assert answer.status_code == 400
    assert message in html.unescape(answer.text)
    assert len(rows(entry_site, "quotas", "rep_id", entry_site.other_rep)) == before


def test_forms_need_their_csrf_token(entry_site: Site) -> None:
    admin = login(entry_site, "admin")
    for path, data in (
        ("/forms/quotas", {"rep_id": entry_site.rep, "period": "2036-Q1", "amount": "1"}),
        ("/forms/forecasts", {"period": "2036-Q1", "commit": "1"}),
        ("/forms/targets", {"metric": "win_rate", "value": "0.5"}),
        ("/forms/timelogs", {"rep_id": entry_site.rep, "started_at": "2026-01-05T09:00"}),
    ):
        assert admin.post(path, data=data).status_code == 403, path
        assert admin.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path


def test_a_rep_logs_their_own_time_only(entry_site: Site) -> None:
    site = entry_site
    rep = login(site, "rep")
    saved = post_form(
        rep,
        "/forms/timelogs",
        rep_id=site.rep,
        started_at="2026-03-02T09:30",
        duration_minutes="45",
        type="call",
    )
    assert saved.status_code == 200, saved.text
    logged = [
        r
        for r in rows(site, "activities", "rep_id", site.rep)
        if r["activity_id"].startswith("web-")
    ]
    assert [(r["type"], float(r["duration_minutes"])) for r in logged] == [("call", 45.0)]
    refused = post_form(
        rep,
        "/forms/timelogs",
        rep_id=site.other_rep,
        started_at="2026-03-02T09:30",
        duration_minutes="45",
        type="call",
    )
    assert refused.status_code == 403
    zero = post_form(
        rep,
        "/forms/timelogs",
        rep_id=site.rep,
        started_at="2026-03-02T09:30",
        duration_minutes="0",
        type="call",
    )
    assert zero.status_code == 400 and "more than 0" in zero.text


def test_each_level_submits_its_forecast_and_the_rollup_shows_them(entry_site: Site) -> None:
    site = entry_site
    period = "2036-Q3"
    rep = login(site, "rep")
    assert post_form(rep, "/forms/forecasts", period=period, most_likely="100").status_code == 200
    manager = login(site, "manager")
    saved = post_form(
        manager,
        "/forms/forecasts",
        period=period,
        commit="900",
        most_likely="1000",
        best_case="1200",
    )
    assert saved.status_code == 200, saved.text
    executive = login(site, "executive")
    assert post_form(executive, "/forms/forecasts", period=period, commit="5000").status_code == 200
    # a manager cannot submit the company's (a forged scope is refused)
    forged = post_form(manager, "/forms/forecasts", period=period, commit="1", scope="company")
    assert forged.status_code == 403
    # the roll-up: the company's, the team's (and beside it its reps' sum), the rep's
    admin = login(site, "admin")
    data = admin.get("/api/forecasts/rollup", params={"period": period}).json()
    company = data["level"]
    assert company["submitted"]["commit"]["amount"] == 5000.0
    team = next(t for t in company["children"] if t["scope_id"] == site.team)
    assert {c: v["amount"] for c, v in team["submitted"].items()} == {
        "commit": 900.0,
        "most_likely": 1000.0,
        "best_case": 1200.0,
    }
    assert company["below"]["most_likely"] == 1000.0
    assert team["below"] == {"most_likely": 100.0}
    mine = next(r for r in team["children"] if r["scope_id"] == site.rep)
    assert mine["submitted"]["most_likely"]["amount"] == 100.0
    page = admin.get("/forecasts/rollup", params={"period": period})
    assert page.status_code == 200
    assert "5,000.00" in page.text and "1,200.00" in page.text
    # a later submission replaces the earlier one in the roll-up
    assert post_form(rep, "/forms/forecasts", period=period, most_likely="150").status_code == 200
    data = admin.get("/api/forecasts/rollup", params={"period": period}).json()
    team = next(t for t in data["level"]["children"] if t["scope_id"] == site.team)
    assert team["below"] == {"most_likely": 150.0}
    # a manager sees their team (no company figure), a rep their own
    scoped = manager.get("/api/forecasts/rollup", params={"period": period}).json()["level"]
    assert (scoped["scope"], scoped["scope_id"]) == ("team", site.team)
    own = rep.get("/api/forecasts/rollup", params={"period": period}).json()["level"]
    assert (own["scope"], own["scope_id"], own["children"]) == ("rep", site.rep, [])
    assert "5,000.00" not in manager.get("/forecasts/rollup", params={"period": period}).text


def test_the_forecast_api_takes_a_token_and_checks_the_level(entry_site: Site) -> None:
    site = entry_site
    token = users.create_token(site.root, site.email("manager"))
    api = TestClient(site.app, headers={"Authorization": f"Bearer {token}"})
    done = api.post("/api/forecasts", json={"period": "2037-Q1", "commit": 10})
    assert done.status_code == 200, done.text
    assert done.json()["scope_id"] == site.team
    assert api.post("/api/forecasts", json={"period": "2037-Q1"}).status_code == 400
    refused = api.post(
        "/api/forecasts",
        json={"period": "2037-Q1", "commit": 1, "scope": "rep", "scope_id": site.rep},
    )
    assert refused.status_code == 403
    quota = api.post(
        "/api/quotas", json={"rep_id": site.other_rep, "period": "2037-Q1", "amount": 5}
    )
    assert quota.status_code == 403


def test_an_admin_sets_a_target_that_the_metrics_then_use(entry_site: Site) -> None:
    site = entry_site
    admin = login(site, "admin")
    saved = post_form(admin, "/forms/targets", metric="win_rate", value="0.42")
    assert saved.status_code == 200, saved.text
    config = tomllib.loads((site.root / CONFIG_FILE).read_text())
    assert config["targets"]["win_rate"]["default"] == 0.42
    answer = admin.get("/api/metrics", params={"metric": "win_rate", "period": str(site.year)})
    assert {r["target"] for r in answer.json()["results"]} == {0.42}
    team = post_form(
        admin, "/forms/targets", metric="win_rate", value="0.5", dim="team", group=site.team
    )
    assert team.status_code == 200
    by_team = admin.get(
        "/api/metrics", params={"metric": "win_rate", "period": str(site.year), "by": "team"}
    ).json()["results"]
    targets = {r["group"]["team"]: r["target"] for r in by_team}
    assert targets[site.team] == 0.5 and targets[site.other_team] == 0.42
    # a bad metric is the configuration's one-line error, and the file is left as it was
    text = (site.root / CONFIG_FILE).read_text()
    bad = post_form(admin, "/forms/targets", metric="win_rat", value="0.5")
    assert bad.status_code == 400 and "win_rate" in bad.text
    assert (site.root / CONFIG_FILE).read_text() == text
    # removing it
    assert (
        post_form(
            admin, "/forms/targets", metric="win_rate", value="", dim="team", group=site.team
        ).status_code
        == 200
    )
    config = tomllib.loads((site.root / CONFIG_FILE).read_text())
    assert "team" not in config["targets"]["win_rate"]
    for role in ("executive", "manager", "rep"):
        assert login(site, role).get("/forms/targets").status_code == 403


def test_the_data_entry_pages_speak_indonesian(entry_site: Site) -> None:
    admin = login(entry_site, "admin")
    for path, word in (
        ("/forms", "Entri data"),
        ("/forms/quotas", "Kuota"),
        ("/forms/forecasts", "Paling mungkin"),
        ("/forecasts/rollup", "Rekap prakiraan"),
        ("/imports", "Log impor"),
        ("/surveys", "Survei baru"),
    ):
        page = admin.get(path, params={"lang": "id"})
        assert page.status_code == 200, path
        assert word in page.text, path
        assert 'lang="id"' in page.text


def test_the_openapi_document_lists_the_data_entry_api(entry_site: Site) -> None:
    paths = login(entry_site, "admin").get("/openapi.json").json()["paths"]
    for path in (
        "/api/imports",
        "/api/imports/suggest",
        "/api/imports/{batch_id}/rejects",
        "/api/quotas",
        "/api/timelogs",
        "/api/forecasts",
        "/api/forecasts/rollup",
        "/api/targets",
        "/api/surveys",
        "/api/surveys/{survey_id}/results",
    ):
        assert path in paths, path
    assert not any(p.startswith(("/forms", "/s/", "/imports")) for p in paths)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/api/forecasts/rollup", {"period": "Q9-garbage"}),
        ("post", "/api/forecasts", {"period": "2037-Q1", "commit": "NaN"}),
        ("post", "/api/forecasts", {"period": "not a period", "commit": 1}),
        ("post", "/api/forecasts", {"period": "2037-Q1", "scope": "galaxy", "commit": 1}),
        ("post", "/api/quotas", {"rep_id": "nobody", "period": "2037-Q1", "amount": 1}),
        ("post", "/api/quotas", {"rep_id": "x"}),
        (
            "post",
            "/api/timelogs",
            {"rep_id": "x", "started_at": "soon", "duration_minutes": 5, "type": "call"},
        ),
        ("post", "/api/targets", {"metric": "win_rate", "value": "inf"}),
        (
            "post",
            "/api/targets",
            {"metric": "win_rate", "value": 0.3, "dim": "planet", "group": "Mars"},
        ),
        ("get", "/api/surveys/nope/results", {}),
        ("get", "/api/imports/nope/rejects", {}),
        ("get", "/api/imports", {"table": "nope"}),
    ],
)
def test_bad_api_input_is_a_4xx_with_one_line(
    entry_site: Site, method: str, path: str, payload: dict[str, Any]
) -> None:
    token = users.create_token(entry_site.root, entry_site.email("admin"))
    api = TestClient(entry_site.app, headers={"Authorization": f"Bearer {token}"})
    get = method == "get"
    answer = api.get(path, params=payload) if get else api.post(path, json=payload)
    assert 400 <= answer.status_code < 500, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, list) or "\n" not in detail


def test_a_writer_process_that_died_is_replaced(entry_site: Site) -> None:
    site = entry_site
    admin = login(site, "admin")
    first = post_form(admin, "/forms/quotas", rep_id=site.rep, period="2039-Q1", amount="1")
    assert first.status_code == 200
    found: Desk = site.app.state.desk
    assert found._pool is not None
    for process in list(found._pool._processes.values()):  # the worker this app started
        process.kill()
        process.join(30)
    with pytest.raises(BrokenProcessPool):
        entries.save_quota(
            found, users.find(site.root, site.email("admin")), site.rep, "2039-Q2", 1
        )
    again = post_form(admin, "/forms/quotas", rep_id=site.rep, period="2039-Q3", amount="3")
    assert again.status_code == 200, again.text
