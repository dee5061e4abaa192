"""The import request (:class:`ImportOptions`): parsed and checked as it is made, a saved mapping
under it (the options given win), and its round trip through a saved mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmetrics.errors import UserError
from salesmetrics.ingest.options import ImportOptions, SavedMapping
from salesmetrics.ingest.saved import load_mapping, save_mapping


def test_the_command_line_strings_and_the_python_dictionaries_make_the_same_options() -> None:
    strings = ImportOptions(
        mapping=["lead_id = Lead ID", "source=Lead Source"],  # type: ignore[arg-type]
        value_map=["status:Closed Won=won", "status:=open"],  # type: ignore[arg-type]
        delimiter="tab",
    )
    dicts = ImportOptions(
        mapping={"lead_id": "Lead ID", "source": "Lead Source"},
        value_map={"status": {"Closed Won": "won", "": "open"}},
        delimiter="\t",
    )
    assert strings == dicts
    assert strings.delimiter == "\t"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"decimal": ";"}, "--decimal ';'"),
        ({"date_format": "dd/mm/yyyy"}, "--date-format 'dd/mm/yyyy'"),
        ({"delimiter": "x"}, "--delimiter 'x'"),
        ({"mapping": ["lead_id"]}, "--map 'lead_id'"),
        ({"mapping": ["a=x", "a=y"]}, "mapped twice"),
        ({"value_map": ["status=won"]}, "--value-map 'status=won'"),
    ],
)
def test_a_bad_option_fails_as_the_options_are_made(given: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        ImportOptions(**given)  # type: ignore[arg-type]


def test_options_or_keywords_but_not_both() -> None:
    made = ImportOptions(preset="hubspot")
    assert ImportOptions.given(made, {}) is made
    assert ImportOptions.given(None, {"preset": "hubspot"}) == made
    assert ImportOptions.given(None, {}) == ImportOptions()
    with pytest.raises(TypeError, match="not both"):
        ImportOptions.given(made, {"dry_run": True})
    with pytest.raises(TypeError):
        ImportOptions.given(None, {"no_such_option": 1})


def test_the_options_given_win_over_the_saved_mapping() -> None:
    saved = SavedMapping(
        "opportunities",
        ["amount=Deal Value", "stage=Stage"],
        ["status:Closed Won=won", "status:Lost=lost", "stage:Q=qualify"],
        preset="hubspot",
        date_format="%d/%m/%Y",
        decimal=",",
    )
    given = ImportOptions(
        mapping={"stage": "Phase", "owner_id": "Owner"},
        value_map={"status": {"Lost": "lost_deal"}},
        date_format="%Y-%m-%d",
        sheet="2",
        dry_run=True,
    )
    merged = given.with_saved(saved)
    assert list(merged.mapping.items()) == [
        ("amount", "Deal Value"),
        ("stage", "Phase"),
        ("owner_id", "Owner"),
    ]
    assert merged.value_map == {
        "status": {"Closed Won": "won", "Lost": "lost_deal"},
        "stage": {"Q": "qualify"},
    }
    assert merged.preset == "hubspot"
    assert merged.date_format == "%Y-%m-%d"
    assert merged.decimal == ","  # the default '.' leaves the saved separator
    assert (merged.sheet, merged.dry_run) == ("2", True)
    assert ImportOptions(decimal=",").with_saved(SavedMapping("leads")).decimal == ","
    assert ImportOptions().with_saved(SavedMapping("leads", preset="salesforce")).preset == (
        "salesforce"
    )


def test_a_saved_mapping_keeps_what_describes_the_file_and_reads_back_the_same(
    tmp_path: Path,
) -> None:
    options = ImportOptions(
        mapping={"amount": "Deal = Value"},
        value_map={"status": {"Closed Won": "won"}},
        preset="pipedrive",
        date_format="%d.%m.%Y",
        decimal=",",
        sheet="Deals",
        dry_run=True,
        label="deals.xlsx",
    )
    saved = SavedMapping.of("opportunities", options)
    assert saved == SavedMapping(
        "opportunities",
        ["amount=Deal = Value"],
        ["status:Closed Won=won"],
        "pipedrive",
        "%d.%m.%Y",
        ",",
    )
    assert SavedMapping.of("leads", ImportOptions()).decimal is None
    save_mapping(tmp_path, "deals", saved)
    again = load_mapping(tmp_path, "deals", "opportunities").options()
    assert again == ImportOptions(
        mapping=options.mapping,
        value_map=options.value_map,
        preset="pipedrive",
        date_format="%d.%m.%Y",
        decimal=",",
    )
