"""The REST API: /api/metrics gives the CLI's JSON contract, /api/glossary the registry's
texts, /openapi.json documents them."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from salesmetrics import glossary
from salesmetrics.cli import main
from salesmetrics.metrics.registry import REGISTRY
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
