"""The small JSON stores' atomic write."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from salesmetrics.backends.jsonfile import write_json


def test_replaces_the_file_whole_and_keeps_private_ones_private(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text("old", encoding="utf-8")
    write_json(path, {"a": "é"}, private=True)
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": "é"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["users.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "surveys.json"
    path.write_text('{"old": 1}', encoding="utf-8")
    with pytest.raises(TypeError):
        write_json(path, {"bad": object()})
    assert path.read_text(encoding="utf-8") == '{"old": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["surveys.json"]
