"""The web app's words exist in both languages, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from salesmetrics.web.words import WORDS
from salesmetrics.web.words_pages import PAGE_WORDS


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_each_word_in_english_and_indonesian(key: str) -> None:
    text = WORDS[key]
    assert text.en.strip() and text.id.strip()
    assert _fields(text.en) == _fields(text.id)


def test_the_pages_words_are_the_apps() -> None:
    assert set(PAGE_WORDS) <= set(WORDS)
