"""The REST API: /api/metrics gives the CLI's JSON contract, /api/glossary the registry's
texts, /openapi.json documents them."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesmetrics import glossary
from salesmetrics.cli import main
from salesmetrics.metrics.registry import REGISTRY
from salesmetrics.web import users
from salesmetrics.web.sessions import SESSION_COOKIE
from tests.web.conftest import Site, login


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> object:
    capsys.readouterr()
    try:
        main(args)
    except SystemExit as exit_:
        assert not exit_.code
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "options",
    [
        [("metric", "win_rate"), ("metric", "average_deal_size"), ("grain", "quarter")],
        [("metric", "win_rate"), ("by", "team"), ("compare", "previous")],
        [("metric", "pipeline_coverage"), ("grain", "month"), ("where", "region=EMEA")],
    ],
)
def test_api_metrics_answers_as_the_cli_does(
    site: Site, options: list[tuple[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    client = login(site, "admin")
    params = [("period", str(site.year)), *options]
    answer = client.get("/api/metrics", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    args = ["metrics", "--format", "json", "--workspace", str(site.root)]
    for key, value in params:
        args += [f"--{key}", value]
    assert answer.json() == cli_json(args, capsys)


def test_api_metrics_reports_bad_input_in_one_line(site: Site) -> None:
    client = login(site, "admin")
    for params, status, text in (
        ({"metric": "win_rat"}, 400, "win_rate"),
        ({"period": "2025-Q9"}, 400, "2025-Q9"),
        ({"where": "nonsense"}, 400, "DIM=VALUE"),
        ({"grain": "decade"}, 422, "grain"),
        ({"by": "colour"}, 422, "by"),
    ):
        answer = client.get("/api/metrics", params=params)
        assert answer.status_code == status, (params, answer.text)
        assert text in json.dumps(answer.json()), params


@pytest.mark.parametrize("lang", ["en", "id"])
def test_api_glossary_is_the_registry(site: Site, lang: str) -> None:
    client = login(site, "rep")
    entries = client.get("/api/glossary", params={"lang": lang}).json()
    assert entries == [asdict(glossary.entry(m, lang)) for m in REGISTRY.values()]
    one = client.get("/api/glossary/win_rate", params={"lang": lang}).json()
    assert one == asdict(glossary.entry(REGISTRY["win_rate"], lang))
    assert client.get("/api/glossary/nope").status_code == 404


def test_the_openapi_document_lists_the_api(site: Site) -> None:
    client = login(site, "executive")
    document = client.get("/openapi.json").json()
    assert {"/api/metrics", "/api/glossary", "/api/glossary/{metric_id}", "/health"} <= set(
        document["paths"]
    )
    params = {p["name"] for p in document["paths"]["/api/metrics"]["get"]["parameters"]}
    assert {"metric", "period", "from", "to", "grain", "by", "compare", "where"} <= params
    assert "MetricsAnswer" in document["components"]["schemas"]


def _api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
    ]


def test_the_openapi_document_declares_the_credentials(site: Site) -> None:
    # a schemathesis find: the document named no way to authenticate, so a client (or a fuzzer)
    # could not tell that every /api route needs a token or a session
    document = login(site, "executive").get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"] == {
        **schemes["session"],
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
    }
    operations = _api_operations(document)
    assert len(operations) >= 15
    for method, path, operation in operations:
        assert operation["security"] == [{"bearer": []}, {"session": []}], (method, path)
    assert "security" not in document["paths"]["/health"]["get"]


def test_every_api_operation_documents_its_errors(site: Site) -> None:
    # a schemathesis find: routes answered 400, 401 and 403 their document did not list
    document = login(site, "executive").get("/openapi.json").json()
    for method, path, operation in _api_operations(document):
        responses = operation["responses"]
        assert {"400", "401", "403"} <= set(responses), (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, (method, path)
    uploads = [p for m, p, o in _api_operations(document) if "413" in o["responses"]]
    assert sorted(uploads) == ["/api/imports", "/api/imports/suggest"]


@pytest.mark.parametrize(
    ("role", "path", "operation"),
    [
        ("admin", "/api/imports/no-such-batch/rejects", "/api/imports/{batch_id}/rejects"),
        ("admin", "/api/surveys/no-such-survey/results", "/api/surveys/{survey_id}/results"),
        ("admin", "/api/forecasts/rollup?period=2025-13", "/api/forecasts/rollup"),
        ("rep", "/api/imports", "/api/imports"),
        ("manager", "/api/surveys", "/api/surveys"),
    ],
)
def test_the_errors_met_are_documented_one_line_json(
    site: Site, role: str, path: str, operation: str
) -> None:
    # what the fuzz met most, undocumented: an unknown id or period (400), a role's refusal (403)
    token = users.create_token(site.root, site.email(role))
    client = TestClient(site.app, headers={"Authorization": f"Bearer {token}"})
    answer = client.get(path)
    assert answer.status_code in (400, 403), answer.text
    documented = client.get("/openapi.json").json()["paths"][operation]["get"]["responses"]
    assert str(answer.status_code) in documented
    assert answer.headers["content-type"] == "application/json"
    assert list(answer.json()) == ["detail"]
    assert "\n" not in answer.json()["detail"]
