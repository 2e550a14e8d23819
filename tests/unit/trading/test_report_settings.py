import pytest

from trading.domain.errors import ConfigurationError
from trading.settings import load_settings


def test_the_report_time_and_chart_theme_default_to_eight_pm_and_dark():
    settings = load_settings(_env_file=None)
    assert (settings.report_time, settings.report_hour_minute, settings.chart_theme) == ("20:00", (20, 0), "dark")


def test_a_report_time_is_normalised_to_hh_mm():
    settings = load_settings(_env_file=None, report_time="7:05")
    assert (settings.report_time, settings.report_hour_minute) == ("07:05", (7, 5))


SHAPE = "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00 ('{}' is not HH:MM: 24-hour, " \
        "digits 0-9, no spaces inside)"


@pytest.mark.parametrize("name, value, message", [
    ("report_time", "25:00", "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00 (25:00 is not "
                             "a time of day: from 00:00 to 23:59)"),
    ("report_time", "24:00", "Invalid setting REPORT_TIME: expected a time of day as HH:MM, like 20:00 (24:00 is not "
                             "a time of day: from 00:00 to 23:59)"),
    ("report_time", "8pm", SHAPE.format("8pm")),
    ("report_time", "7:5", SHAPE.format("7:5")),
    ("report_time", "07 :00", SHAPE.format("07 :00")),
    # '²'.isdigit() is True but int('²') raises: pydantic's "invalid literal for int()" reached the chat
    ("report_time", "\u00b20:00", SHAPE.format("\u00b20:00")),
    ("report_time", "20:0\u00b2", SHAPE.format("20:0\u00b2")),
    # Arabic-Indic digits pass isdigit() and int() reads them: 07:00 in another script is no HH:MM here
    ("report_time", "\u0660\u0667:\u0660\u0660", SHAPE.format("\u0660\u0667:\u0660\u0660")),
    ("chart_theme", "blue", "Invalid setting CHART_THEME: expected dark or light"),
])
def test_bad_report_settings_stop_start_up_with_one_line(name, value, message):
    with pytest.raises(ConfigurationError) as error:
        load_settings(_env_file=None, **{name: value})
    assert str(error.value) == message
