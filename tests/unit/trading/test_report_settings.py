import pytest

from trading.domain.errors import ConfigurationError
from trading.settings import load_settings


def test_the_report_time_and_chart_theme_default_to_eight_pm_and_dark():
    settings = load_settings(_env_file=None)
    assert (settings.report_time, settings.report_hour_minute, settings.chart_theme) == ("20:00", (20, 0), "dark")


def test_a_report_time_is_normalised_to_hh_mm():
    assert load_settings(_env_file=None, report_time=" 7:05 ").report_hour_minute == (7, 5)


@pytest.mark.parametrize("name, value, message", [
    ("report_time", "25:00", "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00"),
    ("report_time", "8pm", "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00"),
    # '²'.isdigit() is True but int('²') raises: pydantic's "invalid literal for int()" reached the chat
    ("report_time", "\u00b20:00", "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00"),
    ("report_time", "20:0\u00b2", "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00"),
    ("chart_theme", "blue", "Invalid setting CHART_THEME: expected dark or light"),
])
def test_bad_report_settings_stop_start_up_with_one_line(name, value, message):
    with pytest.raises(ConfigurationError) as error:
        load_settings(_env_file=None, **{name: value})
    assert str(error.value) == message
