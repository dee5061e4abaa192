"""Numbers, money, dates and period labels by locale (en_US, id_ID), and the words."""

from __future__ import annotations

import datetime as dt

import pytest

from salesmetrics.errors import UserError
from salesmetrics.reports.locale import WORDS, Formats, check_lang


def test_indonesian_groups_thousands_with_dots_and_decimals_with_a_comma() -> None:
    ind = Formats("id", "IDR")
    assert ind.fixed(1234.56) == "1.234,56"
    assert ind.money(1000000) == "Rp1.000.000,00"
    assert ind.percent(0.25) == "25,0%"
    assert ind.value(12.25, "days") == "12,2 hr" or ind.value(12.25, "days") == "12,3 hr"


def test_english_numbers_and_money() -> None:
    en = Formats("en", "USD")
    assert en.fixed(1234.56) == "1,234.56"
    assert en.money(1000000) == "$1,000,000.00"
    assert en.value(0.125, "ratio") == "12.5%"
    assert en.value(None, "money") == "—"


def test_month_names_and_quarters_by_language() -> None:
    assert Formats("id", "USD").period("2025-05", dt.date(2025, 5, 1)) == "Mei 2025"
    assert Formats("id", "USD").period("2025-08", dt.date(2025, 8, 1)) == "Agu 2025"
    assert Formats("en", "USD").period("2025-08", dt.date(2025, 8, 1)) == "Aug 2025"
    assert Formats("en", "USD").period("2025-Q4") == "Q4 2025"
    assert Formats("id", "USD").period("2025-Q4") == "K4 2025"
    assert Formats("id", "USD").date(dt.date(2025, 12, 31)) == "31 Des 2025"


def test_changes_and_statuses_read_without_colour() -> None:
    en = Formats("en", "USD")
    assert en.change(0.05, 0.5, "ratio") == "▲ 5.0 pp"
    assert en.change(-10.0, -0.25, "money") == "▼ 25.0%"
    assert en.status("off_track").startswith("✗")
    assert en.status("on_track").startswith("✓")


def test_every_word_has_both_languages_and_an_unknown_language_is_refused() -> None:
    assert all(t.en and t.id for t in WORDS.values())
    with pytest.raises(UserError, match="unknown language 'fr'"):
        check_lang("fr")
