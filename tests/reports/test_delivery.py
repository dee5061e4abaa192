"""Delivery against real servers on loopback: an SMTP server (aiosmtpd, STARTTLS with a
self-signed certificate made here) and an HTTP server for the webhook. Until the packs land
(branch reports), a stand-in pack writes a small file: these tests are about the transport."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import salesmetrics.reports
from salesmetrics.cli import main
from salesmetrics.reports import delivery
from salesmetrics.workspace import Workspace, open_workspace
from tests.demos import DemoBuild, copy_demo
from tests.metrics.builder import insert
from tests.metrics.test_examples import deal

D = dt.date
TODAY = D(2025, 6, 20)


# -- servers -----------------------------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the server's and the client's trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """The aiosmtpd handler: keeps each message and whether it came over TLS."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes, bool]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        tls = session.ssl is not None
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content, tls))
        return "250 OK"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """An SMTP server on 127.0.0.1 offering STARTTLS with a self-signed certificate."""
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context)
    controller.start()
    try:
        yield inbox, port, cert
    finally:
        controller.stop()


class Hook:
    """A webhook on loopback: keeps each JSON body; answers ``status``."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T0/B0/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A webhook server on 127.0.0.1."""
    found = Hook()
    yield found
    found.close()


# -- the workspace and a stand-in pack ---------------------------------------------------------


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str | None]]:
    """A stand-in for the packs of branch reports: records each build, writes a small file."""
    calls: list[tuple[str, str, str | None]] = []

    class Pack:
        title = "Stand-in review"

        def __init__(self, cadence: str, period: str) -> None:
            self.cadence, self.period = cadence, period

        def summary_rows(self) -> list[dict[str, Any]]:
            return [{"metric": "win_rate", "name": "Win rate", "value": 0.5, "status": "on_track"}]

    def build_pack(ws: Workspace, cadence: str, period: str, **options: Any) -> Pack:
        calls.append((cadence, period, options.get("role")))
        return Pack(cadence, period)

    def write_pack(pack: Pack, out: Path) -> Path:
        out.write_bytes(f"%PDF-stand-in {pack.cadence} {pack.period}".encode())
        return out

    monkeypatch.setattr(salesmetrics.reports, "build_pack", build_pack, raising=False)
    monkeypatch.setattr(salesmetrics.reports, "write_pack", write_pack, raising=False)
    return calls


def _workspace(ws: Workspace, smtp_toml: str = "") -> Workspace:
    """Deals in April, May and June 2025 (data up to June 20: May is the last complete month)."""
    insert(ws, "reps", [{"rep_id": "r1", "team": "East"}])
    insert(
        ws,
        "opportunities",
        [
            deal("a1", "won", D(2025, 4, 10), owner_id="r1"),
            deal("m1", "won", D(2025, 5, 10), 40_000, owner_id="r1"),
            deal("j1", "won", D(2025, 6, 20), owner_id="r1"),
        ],
    )
    (ws.root / "salesmetrics.toml").write_text(
        '[alerts]\nmetrics = ["total_revenue"]\nby = []\n' + smtp_toml, encoding="utf-8"
    )
    ws.close()
    return open_workspace(ws.root)


def _smtp_toml(port: int, cert: Path, **extra: str) -> str:
    lines = ["[smtp]", 'host = "127.0.0.1"', f"port = {port}", 'from = "metrics@example.com"']
    lines.append(f"cafile = {json.dumps(str(cert))}")
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


# -- tests -------------------------------------------------------------------------------------


def test_email_goes_over_starttls_with_alerts_first_and_the_pack(
    workspace: Workspace, smtp: tuple[Inbox, int, Path], built: list[Any]
) -> None:
    inbox, port, cert = smtp
    ws = _workspace(workspace, _smtp_toml(port, cert))
    delivery.add_schedule(ws.root, "monthly", ["cfo@example.com"], role="finance")
    outcomes = delivery.deliver(ws, due=True, today=TODAY)
    assert [(o.state, o.period, o.to) for o in outcomes] == [("sent", "2025-05", "cfo@example.com")]
    assert built == [("monthly", "2025-05", "finance")]
    ((rcpt, raw, tls),) = inbox.messages
    assert rcpt == ["cfo@example.com"] and tls  # STARTTLS was offered, so it was used
    email = message_from_bytes(raw)
    body = email.get_payload()[0].get_payload(decode=True).decode()
    # the alert (revenue 10k -> 40k: +300 %) heads the body, before the pack's summary
    assert body.index("Total revenue (company): moved from $10,000.00 in 2025-04") < body.index(
        "Win rate"
    )
    attachment = email.get_payload()[1]
    assert attachment.get_filename() == "review-monthly-2025-05-finance.pdf"
    assert attachment.get_payload(decode=True) == b"%PDF-stand-in monthly 2025-05"


def test_a_second_due_run_sends_nothing(
    workspace: Workspace, smtp: tuple[Inbox, int, Path], hook: Hook, built: list[Any]
) -> None:
    inbox, port, cert = smtp
    ws = _workspace(workspace, _smtp_toml(port, cert))
    delivery.add_schedule(ws.root, "monthly", ["cfo@example.com", hook.url])
    first = delivery.deliver(ws, due=True, today=TODAY)
    assert [o.state for o in first] == ["sent", "sent"]
    again = delivery.deliver(ws, due=True, today=TODAY)
    assert [o.state for o in again] == ["skipped", "skipped"]
    assert len(inbox.messages) == 1 and len(hook.bodies) == 1 and len(built) == 1
    # the log survives a new process: read back from the file
    assert [(s.period, s.to) for s in delivery.sent_log(ws.root)] == [
        ("2025-05", "cfo@example.com"),
        ("2025-05", hook.url),
    ]
    # without --due, everything goes again
    assert [o.state for o in delivery.deliver(ws, due=False, today=TODAY)] == ["sent", "sent"]


def test_two_runs_at_once_send_once(workspace: Workspace, hook: Hook, built: list[Any]) -> None:
    ws = _workspace(workspace)
    delivery.add_schedule(ws.root, "monthly", [hook.url])
    results: list[list[delivery.Outcome]] = []

    def run() -> None:
        with open_workspace(ws.root) as other:
            results.append(delivery.deliver(other, due=True, today=TODAY))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.state for r in results for o in r) == ["sent", "skipped"]
    assert len(hook.bodies) == 1


def test_the_webhook_gets_the_summary_and_the_file_or_a_link(
    workspace: Workspace, hook: Hook, built: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _workspace(workspace)
    monkeypatch.setenv("SALES_HOOK", hook.url)
    delivery.add_schedule(ws.root, "monthly", ["env:SALES_HOOK"])
    (outcome,) = delivery.deliver(ws, today=TODAY)
    assert outcome.state == "sent"
    (body,) = hook.bodies
    assert body["text"].startswith("Alerts for 2025-05 (against 2025-04):")
    assert body["salesmetrics"]["alerts"][0]["metric"] == "total_revenue"
    assert body["salesmetrics"]["alerts"][0]["top_deals"] == ["om1"]
    assert body["salesmetrics"]["summary"][0]["metric"] == "win_rate"
    assert base64.b64decode(body["file"]["content_base64"]) == b"%PDF-stand-in monthly 2025-05"
    toml = ws.root / "salesmetrics.toml"
    toml.write_text(
        toml.read_text() + '[delivery]\nlink_base = "https://files.example/packs/"\n',
        encoding="utf-8",
    )
    with open_workspace(ws.root) as again:
        delivery.deliver(again, due=False, today=TODAY)
    assert hook.bodies[1]["link"] == "https://files.example/packs/review-monthly-2025-05.pdf"
    assert "file" not in hook.bodies[1]


def test_failures_record_nothing_and_the_next_run_retries(
    workspace: Workspace, smtp: tuple[Inbox, int, Path], hook: Hook, built: list[Any]
) -> None:
    inbox, port, cert = smtp
    ws = _workspace(workspace, _smtp_toml(_free_port(), cert))  # no server there
    delivery.add_schedule(ws.root, "monthly", ["cfo@example.com", hook.url])
    hook.status = 500
    outcomes = delivery.deliver(ws, today=TODAY)
    assert [o.state for o in outcomes] == ["failed", "failed"]
    assert "could not send to cfo@example.com through smtp 127.0.0.1" in (outcomes[0].error or "")
    where = f"127.0.0.1:{hook.server.server_port}"
    assert outcomes[1].error == f"webhook at {where} answered 500 Internal Server Error"
    assert "secret" not in (outcomes[1].error or "")  # the hook's path is a secret
    assert delivery.sent_log(ws.root) == []
    # the server is back: the next run sends both
    toml = ws.root / "salesmetrics.toml"
    toml.write_text(
        '[alerts]\nmetrics = ["total_revenue"]\nby = []\n' + _smtp_toml(port, cert),
        encoding="utf-8",
    )
    hook.status = 200
    with open_workspace(ws.root) as again:
        assert [o.state for o in delivery.deliver(again, today=TODAY)] == ["sent", "sent"]
    assert len(inbox.messages) == 1


def test_a_password_needs_encryption_and_comes_from_the_environment(
    workspace: Workspace, smtp: tuple[Inbox, int, Path], built: list[Any]
) -> None:
    _, port, cert = smtp
    ws = _workspace(workspace, _smtp_toml(port, cert, username="metrics"))
    delivery.add_schedule(ws.root, "monthly", ["cfo@example.com"])
    (outcome,) = delivery.deliver(ws, today=TODAY, environ={})
    assert outcome.state == "failed"
    assert (
        outcome.error == "[smtp] username is set: put the password in $SALESMETRICS_SMTP_PASSWORD"
    )
    toml = ws.root / "salesmetrics.toml"
    toml.write_text(toml.read_text() + 'password = "x"\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"unknown key 'smtp\.password'"):
        open_workspace(ws.root)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_cli_schedules_delivers_and_fails_in_one_line(
    workspace: Workspace,
    hook: Hook,
    built: list[Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = _workspace(workspace)
    root = str(ws.root)
    code, out, _ = run(
        ["schedule", "add", "--cadence", "monthly", "--to", hook.url, "-w", root], capsys
    )
    assert code == 0 and out.startswith("added schedule s1: monthly pack")
    code, out, _ = run(["schedule", "list", "-w", root], capsys)
    assert "s1: monthly pack (pdf, en)" in out and "not sent yet" in out
    code, _, err = run(
        ["schedule", "add", "--cadence", "monthly", "--to", "nobody", "-w", root], capsys
    )
    assert code == 1 and err.startswith("error: --to 'nobody': give an email address")
    monkeypatch.setattr(delivery.dt, "date", _Today)
    hook.status = 500
    code, _, err = run(["deliver", "--due", "-w", root], capsys)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: s1 2025-05 to http://127.0.0.1")
    assert "the next run retries it" in err
    hook.status = 200
    assert run(["deliver", "--due", "-w", root], capsys)[1].splitlines() == [
        f"sent s1 2025-05 to {hook.url}"
    ]
    assert run(["deliver", "--due", "-w", root], capsys)[1].splitlines() == [
        f"already sent s1 2025-05 to {hook.url}"
    ]
    code, out, _ = run(["schedule", "list", "-w", root], capsys)
    assert "last sent 2025-05" in out
    code, out, _ = run(["schedule", "remove", "s1", "-w", root], capsys)
    assert code == 0 and delivery.schedules(ws.root) == []
    code, _, err = run(["schedule", "remove", "s9", "-w", root], capsys)
    assert code == 1 and err.startswith("error: no schedule 's9'")


class _Today(dt.date):
    """``date.today()`` fixed at :data:`TODAY` for the CLI (which has no --today)."""

    @classmethod
    def today(cls) -> _Today:
        return cls(TODAY.year, TODAY.month, TODAY.day)


def test_alerts_cli_lists_and_sends_alone(
    workspace: Workspace, hook: Hook, built: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _workspace(workspace)
    delivery.add_schedule(ws.root, "monthly", [hook.url])
    code, out, _ = run(
        ["alerts", "--period", "2025-05", "--format", "json", "-w", str(ws.root)], capsys
    )
    data = json.loads(out)
    code, out, _ = run(["alerts", "--period", "2025-05", "-w", str(ws.root)], capsys)
    assert code == 0 and "Total revenue" in out and "om1" in out
    (alert,) = data["alerts"]
    assert alert["metric"] == "total_revenue" and alert["deals"][0]["opportunity_id"] == "om1"
    (outcome,) = delivery.deliver(ws, alerts_only=True, today=TODAY)
    assert outcome.state == "sent" and built == []  # no pack built
    assert hook.bodies[0]["salesmetrics"]["title"] == "Alerts, 2025-05"
    assert "file" not in hook.bodies[0]
    # the alerts sent alone do not count as the pack sent
    assert delivery.deliver(ws, due=True, today=TODAY)[0].state == "sent"


@pytest.mark.slow
def test_a_real_pack_of_the_demo_is_delivered(
    demo_build: DemoBuild, hook: Hook, tmp_path: Path
) -> None:
    ws = copy_demo(demo_build, tmp_path / "demo")
    delivery.add_schedule(ws.root, "quarterly", [hook.url], format="html", role="finance")
    (outcome,) = delivery.deliver(ws, today=D(2026, 1, 5))
    assert outcome.state == "sent" and outcome.period == "2025-Q4"
    (body,) = hook.bodies
    assert body["file"]["name"] == "review-quarterly-2025-Q4-finance.html"
    assert b"<html" in base64.b64decode(body["file"]["content_base64"]).lower()
    assert body["salesmetrics"]["summary"]
