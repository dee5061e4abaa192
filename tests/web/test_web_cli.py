"""``salesmetrics user add``, ``token create`` and ``serve`` through the command line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from salesmetrics.cli import main
from salesmetrics.web import users
from tests.demos import DemoBuild, copy_demo


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def root(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("web-cli") / "ws")
    ws.close()
    return ws.root


def test_user_add_reads_the_password_from_stdin(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        ["user", "add", "Boss@Example.com", "--role", "admin", "--password-stdin", "-w", str(root)],
        capsys,
        monkeypatch,
        "a secret password\n",
    )
    assert code == 0 and out.strip() == "user boss@example.com: admin"
    assert users.authenticate(root, "boss@example.com", "a secret password") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "admin"], "a secret password\n", "--password-stdin"),
        (["--role", "rep", "--password-stdin"], "a secret password\n", "give --rep"),
        (["--role", "admin", "--password-stdin"], "short\n", "shorter than 10"),
        (
            ["--role", "manager", "--team", "Nowhere", "--password-stdin"],
            "a secret password\n",
            "no such team",
        ),
    ],
)
def test_user_add_refuses_bad_input_in_one_line(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    code, _, err = run(
        ["user", "add", "x@example.com", *args, "-w", str(root)], capsys, monkeypatch, stdin
    )
    assert code == 1
    assert message in err and err.count("\n") == 1
    assert users.find(root, "x@example.com") is None


def test_token_create_prints_a_token_once(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    users.add_user(root, "api@example.com", users.Role.EXECUTIVE, "a secret password")
    code, out, _ = run(["token", "create", "api@example.com", "-w", str(root)], capsys, monkeypatch)
    assert code == 0
    token = out.strip()
    owner = users.user_of_token(root, token)
    assert owner is not None and owner.email == "api@example.com"
    code, _, err = run(["token", "create", "who@example.com", "-w", str(root)], capsys, monkeypatch)
    assert code == 1 and "no user 'who@example.com'" in err


def test_serve_runs_the_app_of_the_workspace(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    called: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        called.update(options, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    code, out, _ = run(["serve", "--port", "8123", "-w", str(root)], capsys, monkeypatch)
    assert code == 0
    assert f"serving {root} at http://localhost:8123/" in out
    assert called["host"] == "127.0.0.1" and called["port"] == 8123
    assert called["app"].router.lifespan_context is not None
    assert called["app"].state.service.root == root
    called["app"].state.service.close()


def test_serve_refuses_a_folder_that_is_not_a_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["serve", "-w", str(tmp_path)], capsys, monkeypatch)
    assert code == 1 and err.startswith("error: ")
