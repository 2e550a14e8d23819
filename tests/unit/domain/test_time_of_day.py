"""One parser reads a time of day typed as HH:MM, and says what is wrong with one it refuses."""
from datetime import time

import pytest

from trading.domain.time_of_day import parse_time_of_day


@pytest.mark.parametrize(("text", "at"), [("00:00", time(0, 0)), ("07:05", time(7, 5)), ("7:05", time(7, 5)),
                                          ("23:59", time(23, 59)),
                                          (" 07:00 ", time(7, 0))])     # around it: a .env value's spaces
def test_a_time_of_day_is_read(text, at):
    assert parse_time_of_day(text) == at


@pytest.mark.parametrize(("text", "message"), [
    ("24:00", "24:00 is not a time of day: from 00:00 to 23:59"),
    ("12:60", "12:60 is not a time of day: from 00:00 to 23:59"),
    ("7:5", "'7:5' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("7: 05", "'7: 05' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("07:00\n", "'07:00\\n' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    # Arabic-Indic 07:00: isdigit() says yes and int() reads it
    ("\u0660\u0667:\u0660\u0660", "'\u0660\u0667:\u0660\u0660' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("\u00b20:00", "'\u00b20:00' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("8pm", "'8pm' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("123:00", "'123:00' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
])
def test_a_time_that_is_not_hh_mm_is_refused_saying_why(text, message):
    with pytest.raises(ValueError) as error:
        parse_time_of_day(text)
    assert str(error.value) == message
