"""Answers kept for the next session (salesmetrics.answers): found again for the same request
on the same data, code and settings, and never otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics import answers
from salesmetrics.metrics.request import Request
from salesmetrics.workspace import Workspace, open_workspace
from tests.pipeline.test_funnel import build
from tests.test_derived import add_a_deal

REQUEST = Request.of(["win_rate", "time_in_stage"], period="2024", grain="quarter", by="team")


def _kept(root: Path, request: Request = REQUEST) -> answers.KeptAnswer | None:
    ws = open_workspace(root)
    try:
        return ws.kept_answer(request)
    finally:
        ws.close()


def test_a_kept_answer_gives_the_rows_and_notes_of_the_result(workspace: Workspace) -> None:
    build(workspace)
    assert workspace.kept_answer(REQUEST) is None  # nothing kept yet
    result = workspace.metrics(REQUEST)
    assert workspace.keep_answer(REQUEST, result)
    workspace.close()
    found = _kept(workspace.root)
    assert found is not None
    assert found.rows() == result.rows()
    assert found.to_json() == result.to_json()
    assert (found.notes, found.by, found.compare, found.keys, found.period_notes) == (
        result.notes,
        result.by,
        result.compare,
        result.keys,
        result.period_notes,
    )


def test_another_request_or_new_data_finds_nothing(workspace: Workspace) -> None:
    build(workspace)
    workspace.keep_answer(REQUEST, workspace.metrics(REQUEST))
    other = Request.of(["win_rate", "time_in_stage"], period="2024", grain="quarter")
    assert workspace.kept_answer(other) is None
    add_a_deal(workspace)
    assert workspace.kept_answer(REQUEST) is None


def test_other_settings_find_nothing(workspace: Workspace) -> None:
    build(workspace)
    workspace.keep_answer(REQUEST, workspace.metrics(REQUEST))
    workspace.close()
    config = workspace.root / "salesmetrics.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('timezone = "UTC"', 'timezone = "Asia/Jakarta"'),
        encoding="utf-8",
    )
    assert "Asia/Jakarta" in config.read_text(encoding="utf-8")
    assert _kept(workspace.root) is None


def test_other_code_finds_nothing(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    build(workspace)
    workspace.keep_answer(REQUEST, workspace.metrics(REQUEST))
    assert workspace.kept_answer(REQUEST) is not None
    monkeypatch.setattr(answers.kept, "code_digest", lambda: "another version of the code")
    assert workspace.kept_answer(REQUEST) is None


def test_large_answers_are_not_kept(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    build(workspace)
    result = workspace.metrics(REQUEST)
    monkeypatch.setattr(answers, "MAX_ROWS", len(result) - 1)
    assert not workspace.keep_answer(REQUEST, result)
    assert workspace.kept_answer(REQUEST) is None


def test_a_damaged_file_is_no_answer(workspace: Workspace) -> None:
    build(workspace)
    workspace.keep_answer(REQUEST, workspace.metrics(REQUEST))
    assert workspace.cache_folder is not None
    for path in (workspace.cache_folder / answers.FOLDER).glob("*.json"):
        path.write_text('{"base_currency": "USD"', encoding="utf-8")
    assert workspace.kept_answer(REQUEST) is None
