"""salesmetrics.toml: defaults, validation, one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from salesmetrics.calendars import WeekCalendar
from salesmetrics.config import (
    Config,
    MetricTargets,
    config_from_dict,
    load_config,
    render_config,
    set_target,
)
from salesmetrics.dims import DIMENSIONS
from salesmetrics.errors import ConfigError


def test_every_key_has_a_default_and_the_rendered_file_reads_back() -> None:
    config = Config()
    assert config_from_dict(tomllib.loads(render_config(config))) == config


def test_unknown_key_names_the_key_and_a_close_match() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown key 'gros_margin' \(did you mean 'gross_margin'"
    ):
        config_from_dict({"gros_margin": 0.8})


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"gross_margin": "high"}, "key 'gross_margin' = 'high'"),
        ({"gross_margin": 1.5}, "key 'gross_margin' = 1.5"),
        ({"fiscal_year_start_month": 13}, "key 'fiscal_year_start_month' = 13"),
        ({"timezone": "Mars/Olympus"}, "IANA time zone"),
        ({"base_currency": "dollars"}, "3-letter ISO 4217"),
        ({"backend": "mysql://x"}, "duckdb://, postgresql:// or pyspark://"),
        ({"recurring_source": "both"}, "key 'recurring_source' = 'both'"),
        ({"memory_limit": "lots"}, "such as 512MB, 2GB or 1.5GiB"),
        ({"memory_limit": "2"}, "key 'memory_limit' = '2'"),
        ({"fiscal_calendar": "4-4-4"}, "key 'fiscal_calendar' = '4-4-4'"),
        ({"fiscal_calendar": "4-4-4"}, "'months', '4-4-5', '4-5-4' or '5-4-4'"),
        ({"fiscal_week_end_day": "someday"}, "a day of the week such as saturday"),
        ({"fiscal_week_end_day": 6}, "key 'fiscal_week_end_day' = 6"),
        ({"fiscal_year_end_rule": "first"}, "key 'fiscal_year_end_rule' = 'first'"),
        ({"channels": {"web": 3}}, "key 'channels.web' = 3"),
        ({"channels": {"web": " "}}, "names must not be blank"),
        ({"channels": {"web": "(unallocated)"}}, "the group of costs without a channel"),
        ({"channels": "web"}, "key 'channels' = 'web'"),
        (
            {"forecast_category": "comit"},
            "key 'forecast_category' = 'comit': must be one of most_likely, commit, best_case"
            " (did you mean 'commit'?)",
        ),
        (
            {"forecast_method": "weighted"},
            "key 'forecast_method' = 'weighted': must be one of manager, weighted_pipeline,"
            " statistical (did you mean 'weighted_pipeline'?)",
        ),
        ({"forecast_method": 3}, "key 'forecast_method' = 3"),
        ({"earliest_year": 0}, "key 'earliest_year' = 0"),
        (
            {"earliest_year": 2000, "latest_year": 1999},
            "key 'latest_year' = 1999: must not be before earliest_year (2000)",
        ),
    ],
)
def test_wrong_types_and_values_are_one_line_errors(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_forecast_choice_defaults_to_most_likely_manager_forecasts() -> None:
    config = Config()
    assert (config.forecast_category, config.forecast_method) == ("most_likely", "manager")
    chosen = config_from_dict({"forecast_category": " Commit ", "forecast_method": "statistical"})
    assert (chosen.forecast_category, chosen.forecast_method) == ("commit", "statistical")
    rendered = render_config(Config())
    assert 'forecast_category = "most_likely"' in rendered
    assert 'forecast_method = "manager"' in rendered


def test_base_currency_is_normalised() -> None:
    assert config_from_dict({"base_currency": "idr"}).base_currency == "IDR"


def test_other_backends_are_accepted_by_the_config() -> None:
    config = config_from_dict({"backend": "postgresql://postgres@127.0.0.1:5432/test"})
    assert config.backend_scheme == "postgresql"
    assert config_from_dict({"backend": "pyspark://local[2]"}).backend_scheme == "pyspark"


def test_memory_limit_takes_duckdb_units() -> None:
    assert config_from_dict({"memory_limit": " 1.5GiB "}).memory_limit == "1.5GiB"
    assert config_from_dict({"memory_limit": "512mb"}).memory_limit == "512mb"


def test_missing_file_says_how_to_create_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="salesmetrics init"):
        load_config(tmp_path / "salesmetrics.toml")


def test_invalid_toml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "salesmetrics.toml"
    path.write_text("base_currency = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_target_metric_ids_are_checked_against_the_ids_passed_in() -> None:
    data = {"targets": {"win_rte": {"default": 0.3}}}
    calls: list[int] = []

    def ids() -> set[str]:
        calls.append(1)
        return {"win_rate"}

    # without known ids (the registry lives above this module) any id is taken as given
    assert set(config_from_dict(data).targets) == {"win_rte"}
    with pytest.raises(ConfigError, match=r"key 'targets.win_rte'.*did you mean 'win_rate'"):
        config_from_dict(data, metric_ids=ids)
    assert config_from_dict({}, metric_ids=ids).targets == {}
    assert len(calls) == 1  # only a configuration with targets asks for the ids


def test_a_target_can_be_set_per_value_of_every_group_dimension() -> None:
    # the model lists the dimensions itself (config may not import dims): it must not drift
    assert set(MetricTargets.model_fields) - {"default"} == set(DIMENSIONS)
    data = {"targets": {"win_rate": {"pipeline": {"Enterprise": 0.4}}}}
    assert config_from_dict(data).targets["win_rate"].pipeline == {"Enterprise": 0.4}


def test_fiscal_calendar_is_a_start_month_or_a_week_calendar() -> None:
    assert Config().calendar == 1
    assert config_from_dict({"fiscal_year_start_month": 4}).calendar == 4
    nrf = config_from_dict(
        {"fiscal_calendar": "4-5-4", "fiscal_year_start_month": 2, "fiscal_week_end_day": "Sat"}
    )
    assert nrf.fiscal_week_end_day == "saturday"
    assert nrf.calendar == WeekCalendar("4-5-4", start_month=2, end_weekday=5, rule="nearest")
    last = config_from_dict(
        {
            "fiscal_calendar": "5-4-4",
            "fiscal_week_end_day": "friday",
            "fiscal_year_end_rule": "last",
        }
    )
    assert last.calendar == WeekCalendar("5-4-4", start_month=1, end_weekday=4, rule="last")
    # the rendered file carries the week-calendar keys and reads back
    assert config_from_dict(tomllib.loads(render_config(nrf))) == nrf


def test_a_channel_mapping_with_any_source_names_reads_back_from_the_rendered_file() -> None:
    config = config_from_dict(
        {"channels": {"Google Ads": "paid", "adwords": "paid", 'say "hi"': "events"}}
    )
    assert config_from_dict(tomllib.loads(render_config(config))) == config
    assert config.channels["Google Ads"] == "paid"


def test_segments_are_saved_filters_checked_as_config() -> None:
    config = config_from_dict({"segments": {"emea_smb": {"region": "EMEA", "segment": "SMB"}}})
    assert config.segment("emea_smb") == {"region": "EMEA", "segment": "SMB"}
    text = render_config(config)
    assert tomllib.loads(text)["segments"] == {"emea_smb": {"region": "EMEA", "segment": "SMB"}}
    assert "segments" not in config.model_dump_json()  # no number changes with a segment
    with pytest.raises(
        ConfigError, match=r"did you mean 'emea_smb'\?\); the segments are emea_smb"
    ):
        config.segment("emea_sm")
    for bad, why in [
        ({"x": {"regin": "EMEA"}}, "unknown dimension 'regin' (did you mean 'region'?)"),
        ({"x": {}}, "segment 'x' has no filter"),
        ({"x": {"region": " "}}, "segment 'x': region needs a value"),
        ({"x": "EMEA"}, "key 'segments.x'"),
    ]:
        with pytest.raises(ConfigError) as err:
            config_from_dict({"segments": bad})
        assert why in str(err.value) and "\n" not in str(err.value)


def test_targets_render_as_toml_tables_that_read_back() -> None:
    config = config_from_dict(
        {"targets": {"win_rate": {"default": 0.3, "team": {"East": 0.35, "North West": 0.2}}}}
    )
    text = render_config(config)
    assert "[targets.win_rate]" in text and "MetricTargets" not in text
    assert config_from_dict(tomllib.loads(text)) == config


def test_set_target_writes_a_validated_configuration(tmp_path: Path) -> None:
    path = tmp_path / "salesmetrics.toml"
    path.write_text('base_currency = "EUR"\n')
    ids = lambda: {"win_rate", "quota_attainment"}  # noqa: E731
    config = set_target(path, "win_rate", 0.3, metric_ids=ids)
    config = set_target(path, "win_rate", 0.4, dim="team", group="East", metric_ids=ids)
    assert config.targets["win_rate"].default == 0.3
    assert config.targets["win_rate"].team == {"East": 0.4}
    assert load_config(path, metric_ids=ids) == config
    assert config.base_currency == "EUR"  # the other keys are kept
    text = path.read_text()
    with pytest.raises(ConfigError, match="unknown metric 'win_rat'"):
        set_target(path, "win_rat", 0.3, metric_ids=ids)
    with pytest.raises(ConfigError, match=r"unknown key 'targets\.win_rate\.teem'"):
        set_target(path, "win_rate", 0.3, dim="teem", group="East", metric_ids=ids)
    assert path.read_text() == text  # a rejected change leaves the file as it was
    config = set_target(path, "win_rate", None, dim="team", group="East", metric_ids=ids)
    config = set_target(path, "win_rate", None, metric_ids=ids)
    assert "win_rate" not in config.targets
