"""Imports in the browser and the API: upload, preview with the proposed mapping, import, the
rejects and the log; admins only (executives read the log); CSRF; the size limit; the server
answers while an import waits for or holds the workspace's writer lock."""

from __future__ import annotations

import re
import threading
import time

import pytest
from fastapi.testclient import TestClient

from salesmetrics import Workspace, open_workspace
from salesmetrics.backends import snapshot
from salesmetrics.ingest import saved
from salesmetrics.web import uploads, users
from salesmetrics.web.desk import Desk
from salesmetrics.web.imports import BatchRejects, ImportAnswer, ImportLog, SuggestAnswer
from salesmetrics.web.service import Service
from tests.web.conftest import Site, csrf_of, login

# headers the assistant must map by their meaning, one row it must reject (no amount)
QUOTAS = (
    "Sales Rep,Start,End,Quota Amount\n"
    "{rep},2031-01-01,2031-03-31,1000\n"
    "{rep},2031-04-01,2031-06-30,\n"
    "{rep},2031-07-01,2031-09-30,3000\n"
)


def quotas_file(site: Site) -> bytes:
    return QUOTAS.format(rep=site.rep).encode()


def quota_count(site: Site, year: int = 2031) -> int:
    """Quotas starting in ``year``, read as the server reads (through its one workspace: a
    second connection of this process would share DuckDB's open database with it)."""

    def count(ws: Workspace) -> int:
        q = ws.table("quotas")
        return int(q.filter(q.period_start.year() == year).count().execute())

    service: Service = site.app.state.service
    return service.read(count)


def preview(client: TestClient, data: bytes, **fields: str) -> str:
    token = csrf_of(client.get("/imports").text)
    answer = client.post(
        "/imports/preview",
        data={"table": "quotas", "csrf_token": token, **fields},
        files={"file": ("q3 quotas.csv", data, "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def form_fields(page: str) -> dict[str, str]:
    """The values a browser would send from the preview's mapping form."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    for name, options in re.findall(
        r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def test_upload_preview_map_import_and_see_the_rejects(entry_site: Site) -> None:
    site = entry_site
    client = login(site, "admin")
    before = quota_count(site)
    page = preview(client, quotas_file(site))
    # the first rows, and the assistant's mapping preselected
    assert "Quota Amount" in page and "2031-07-01" in page
    fields = form_fields(page)
    assert fields["map:amount"] == "Quota Amount"
    assert fields["map:period_start"] == "Start"
    # the assistant found no rep column: the page says so, and the person chooses it
    assert fields["map:rep_id"] == ""
    assert "Required, not found: rep_id" in page
    fields["map:rep_id"] = "Sales Rep"
    answer = client.post("/imports/run", data={**fields, "save_as": "quota-sheet"})
    assert answer.status_code == 200, answer.text
    assert "3 rows read, loaded 2, rejected 1" in answer.text
    assert "amount" in answer.text and "required" in answer.text  # the reject and its reason
    assert quota_count(site) == before + 2
    batch = re.search(r"batch (\d{8}-\d{6}-[0-9a-f]{6})", answer.text)
    assert batch
    # the log lists the batch, whose page lists its rejected row
    log = client.get("/imports")
    assert batch.group(1) in log.text
    assert "q3_quotas.csv (uploaded by admin@example.com)" in log.text  # no upload token
    assert "uploads/" not in log.text
    rejects = client.get(f"/imports/batches/{batch.group(1)}")
    assert rejects.status_code == 200 and "required" in rejects.text
    # the mapping was saved, and a preview with it chooses the same columns
    assert saved.load_mapping(site.root, "quota-sheet", "quotas").map
    again = form_fields(preview(client, quotas_file(site), mapping_name="quota-sheet"))
    assert again["map:rep_id"] == "Sales Rep"
    assert again["mapping_name"] == "quota-sheet"  # its value maps apply to the import too
    # the upload was removed once imported: running it again is a one-line 400
    repeat = client.post("/imports/run", data={**fields})
    assert repeat.status_code == 400
    assert "upload it again" in repeat.text


def test_imports_are_for_admins_and_the_log_for_executives_too(entry_site: Site) -> None:
    site = entry_site
    executive = login(site, "executive")
    page = executive.get("/imports")
    assert page.status_code == 200
    assert 'action="/imports/preview"' not in page.text  # no upload form
    token = csrf_of(page.text)
    refused = executive.post(
        "/imports/preview",
        data={"table": "quotas", "csrf_token": token},
        files={"file": ("q.csv", quotas_file(site), "text/csv")},
    )
    assert refused.status_code == 403
    for role in ("manager", "rep"):
        client = login(site, role)
        assert client.get("/imports").status_code == 403
        assert client.get("/api/imports").status_code == 403


def test_an_upload_without_the_csrf_token_is_refused(entry_site: Site) -> None:
    client = login(entry_site, "admin")
    answer = client.post(
        "/imports/preview",
        data={"table": "quotas"},
        files={"file": ("q.csv", quotas_file(entry_site), "text/csv")},
    )
    assert answer.status_code == 403
    answer = client.post("/imports/run", data={"table": "quotas", "token": "x" * 22})
    assert answer.status_code == 403


def test_an_upload_over_the_limit_is_refused_and_not_kept(
    entry_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = entry_site.root / "uploads"
    kept = set(uploads.iterdir()) if uploads.exists() else set()
    monkeypatch.setenv("SALESMETRICS_MAX_UPLOAD_MB", "0.00005")  # about 52 bytes
    client = login(entry_site, "admin")
    token = csrf_of(client.get("/imports").text)
    answer = client.post(
        "/imports/preview",
        data={"table": "quotas", "csrf_token": token},
        files={"file": ("q.csv", quotas_file(entry_site), "text/csv")},
    )
    assert answer.status_code == 413
    assert "command line" in answer.text
    assert (set(uploads.iterdir()) if uploads.exists() else set()) == kept


def test_the_api_imports_suggests_and_lists(entry_site: Site) -> None:
    site = entry_site
    token = users.create_token(site.root, site.email("admin"))
    api = TestClient(site.app, headers={"Authorization": f"Bearer {token}"})
    data = (f"rep_id,period_start,period_end,amount\n{site.rep},2032-01-01,2032-03-31,5\n").encode()
    files = {"file": ("q.csv", data, "text/csv")}
    dry = api.post("/api/imports", data={"table": "quotas", "dry_run": "true"}, files=files)
    assert dry.status_code == 200, dry.text
    assert dry.json()["rows_loaded"] == 1 and not dry.json()["written"]
    assert quota_count(site, 2032) == 0
    done = api.post("/api/imports", data={"table": "quotas"}, files=files)
    body = done.json()
    assert body["written"] and body["rows_loaded"] == 1 and body["rows_rejected"] == 0
    assert quota_count(site, 2032) == 1
    log = api.get("/api/imports", params={"table": "quotas"}).json()
    assert log["batches"][0]["batch_id"] == body["batch_id"]
    rejects = api.get(f"/api/imports/{body['batch_id']}/rejects").json()
    assert rejects["rows_loaded"] == 1 and rejects["rejects"] == []
    suggestion = api.post(
        "/api/imports/suggest",
        data={"table": "quotas"},
        files={"file": ("q.csv", quotas_file(site), "text/csv")},
    ).json()
    assert suggestion["mapping"]["amount"] == "Quota Amount"
    assert suggestion["rows"][0][0] == site.rep
    # each answer is what /openapi.json documents for it: its fields, in order, of their types
    answers = [
        (ImportAnswer, dry.json()),
        (ImportAnswer, body),
        (ImportLog, log),
        (BatchRejects, rejects),
        (SuggestAnswer, suggestion),
    ]
    for model, answer in answers:
        assert list(answer) == list(model.model_fields), model.__name__
        model.model_validate(answer)
    bad = api.post("/api/imports", data={"table": "quota"}, files=files)
    assert bad.status_code == 400 and "\n" not in bad.json()["detail"]
    executive = users.create_token(site.root, site.email("executive"))
    refused = TestClient(site.app, headers={"Authorization": f"Bearer {executive}"})
    assert refused.post("/api/imports", data={"table": "quotas"}, files=files).status_code == 403
    assert refused.get("/api/imports").status_code == 200


def test_the_server_answers_while_an_import_waits_for_the_writer_lock(entry_site: Site) -> None:
    # a command-line import holds the writer lock: the web import waits its turn, and the
    # dashboards' API keeps answering meanwhile, from the data as they were
    site = entry_site
    token = users.create_token(site.root, site.email("admin"))
    api = TestClient(site.app, headers={"Authorization": f"Bearer {token}"})
    data = f"rep_id,period_start,period_end,amount\n{site.rep},2033-01-01,2033-03-31,7\n"
    with open_workspace(site.root) as ws:
        database = ws.database
    results: list[str] = []
    with snapshot.writer_lock(database):
        worker = threading.Thread(
            target=lambda: results.append(
                api.post(
                    "/api/imports",
                    data={"table": "quotas"},
                    files={"file": ("q.csv", data.encode(), "text/csv")},
                ).text
            )
        )
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive()  # waiting for the lock
        answer = api.get("/api/metrics", params={"metric": "win_rate", "period": str(site.year)})
        assert answer.status_code == 200
        assert quota_count(site, 2033) == 0
    worker.join(60)
    assert len(results) == 1, results
    assert '"written":true' in results[0], results
    assert quota_count(site, 2033) == 1, results


def test_an_import_is_followed_by_a_warm_in_the_background(entry_site: Site) -> None:
    site = entry_site
    token = users.create_token(site.root, site.email("admin"))
    api = TestClient(site.app, headers={"Authorization": f"Bearer {token}"})
    asked = api.get("/api/metrics", params={"metric": "win_rate", "period": str(site.year)})
    assert asked.status_code == 200  # a request the warm computes again for the new data
    data = f"rep_id,period_start,period_end,amount\n{site.rep},2038-01-01,2038-03-31,9\n"
    site.app.state.warm_imports = True
    try:
        done = api.post(
            "/api/imports",
            data={"table": "quotas"},
            files={"file": ("q.csv", data.encode(), "text/csv")},
        )
    finally:
        site.app.state.warm_imports = False
    assert done.json()["written"]
    found: Desk = site.app.state.desk
    warms = [f for f in found._warms if f is not None]
    assert warms, "no warm was started"
    assert warms[-1].result(timeout=600) >= 1  # the requests computed ahead


def test_a_body_over_the_limit_is_refused_before_it_is_read(entry_site: Site) -> None:
    # the routers cap the body at the limit (+1 MiB of form): a request announcing more is 413
    # at once (the size the server started with; the file check above covers changes later)
    client = login(entry_site, "admin")
    token = csrf_of(client.get("/imports").text)
    too_big = uploads.body_limit() + 1
    answer = client.post(
        "/imports/preview",
        content=b"x" * 10,
        headers={
            "content-type": "multipart/form-data; boundary=b",
            "content-length": str(too_big),
            "x-csrf-token": token,
        },
    )
    assert answer.status_code == 413


def test_a_semicolon_file_read_with_the_delimiter_given(entry_site: Site) -> None:
    site = entry_site
    client = login(site, "admin")
    data = f"rep_id;period_start;period_end;amount\n{site.rep};2041-01-01;2041-03-31;4\n".encode()
    page = preview(client, data, delimiter=";")
    fields = form_fields(page)
    assert fields["map:amount"] == "amount" and fields["delimiter"] == ";"
    answer = client.post("/imports/run", data=fields)
    assert "1 rows read, loaded 1, rejected 0" in answer.text, answer.text
    assert quota_count(site, 2041) == 1
