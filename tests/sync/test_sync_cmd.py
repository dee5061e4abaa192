"""``salesmetrics sync`` through the real entry point: the summary, the exit statuses, one-line
errors, and a token that is never printed. (Here rather than in tests/cli: it needs the
replaying vendor of tests/sync/conftest.py.)"""

from __future__ import annotations

import pytest
from werkzeug import Request

from salesmetrics import Workspace
from salesmetrics.cli import main
from tests.sync.conftest import TOKEN, TOKEN_ENV, Vendor, as_json, recorded
from tests.sync.test_stripe import serve


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def stripe_url(vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> str:
    """``$SALESMETRICS_STRIPE_URL`` pointing at the replaying server."""
    url = vendor.server.url_for("/").rstrip("/")
    monkeypatch.setenv("SALESMETRICS_STRIPE_URL", url)
    return url


def test_sync_prints_a_summary_and_the_next_one_is_incremental(
    workspace: Workspace,
    vendor: Vendor,
    token: str,
    stripe_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve(vendor, recorded("stripe"))
    root = str(workspace.root)
    workspace.close()
    code, out, err = run(["sync", "stripe", "--token-env", TOKEN_ENV, "-w", root, "-q"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("stripe (full sync, 6 requests, ")  # the first one
    assert lines[1:4] == [
        "  accounts: 3 records, loaded 3",
        "  subscriptions: 5 records, loaded 5",
        "  invoice_lines: 3 records, loaded 3",
    ]
    assert TOKEN not in out + err
    code, out, err = run(["sync", "stripe", "--token-env", TOKEN_ENV, "-w", root, "-q"], capsys)
    assert code == 0, err
    assert out.startswith("stripe (incremental sync, 2 requests, ")  # events, sub_1
    assert out.splitlines()[1:] == [
        "  accounts: 1 record, loaded 1",
        "  subscriptions: 1 record, loaded 1",
    ]


def test_rejected_records_are_named_by_their_vendor_id(
    workspace: Workspace,
    vendor: Vendor,
    token: str,
    stripe_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = recorded("stripe")
    data["subscriptions"]["data"][1]["customer"] = None
    serve(vendor, data)
    root = str(workspace.root)
    workspace.close()
    code, out, err = run(["sync", "stripe", "--token-env", TOKEN_ENV, "-w", root, "-q"], capsys)
    assert code == 0, err
    assert "  subscriptions: 5 records, loaded 3, rejected 2 (salesmetrics rejects " in out
    assert "  rejected subscriptions sub_2: account_id: required value is missing" in out
    assert "  rejected subscriptions sub_2:trial: account_id: required value is missing" in out


def test_every_record_rejected_exits_3(
    workspace: Workspace,
    vendor: Vendor,
    token: str,
    stripe_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = recorded("stripe")
    data["customers_page1"]["has_more"] = False
    for customer in data["customers_page1"]["data"]:
        customer["id"] = None
    data["subscriptions"]["data"] = []
    data["invoices"]["data"] = []
    serve(vendor, data)
    root = str(workspace.root)
    workspace.close()
    code, _, err = run(["sync", "stripe", "--token-env", TOKEN_ENV, "-w", root], capsys)
    assert code == 3
    assert "every record was rejected (2): nothing loaded" in err


def test_an_unset_variable_is_one_line(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    root = str(workspace.root)
    code, _, err = run(["sync", "hubspot", "--token-env", "NO_SUCH_TOKEN", "-w", root], capsys)
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        "error: the environment variable NO_SUCH_TOKEN is not set or is empty; export it with the"
        " API token and run the command again"
    )


@pytest.mark.parametrize("given", ["sk_test_51HabcDEF0123456789", "pat-na1-11112222-3333"])
def test_a_token_given_in_place_of_the_variable_is_never_printed(
    given: str, workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(workspace.root)
    code, out, err = run(["sync", "stripe", "--token-env", given, "-w", root], capsys)
    assert code == 1
    assert given not in out + err
    assert "environment variable" in err


def test_a_refused_token_is_one_line_without_the_token(
    workspace: Workspace,
    vendor: Vendor,
    token: str,
    stripe_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def refuse(r: Request) -> object:
        message = f"Invalid API Key provided: {TOKEN}"
        return as_json({"error": {"message": message, "type": "invalid_request_error"}}, 401)

    vendor.on("GET", "/v1/events", refuse)
    root = str(workspace.root)
    workspace.close()
    code, out, err = run(["sync", "stripe", "--token-env", TOKEN_ENV, "-w", root, "-q"], capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: stripe: GET /v1/events refused the token (HTTP 401: Invalid API")
    assert TOKEN not in out + err
