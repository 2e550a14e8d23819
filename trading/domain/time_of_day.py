"""A time of day typed as HH:MM (the daily report's time, the quiet hours' ends): the one parser of it."""
from __future__ import annotations

import re
from datetime import time

# ASCII digits only: str.isdigit() admits '²' and '٠٧', which int() refuses or reads as another number
_HH_MM = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def parse_time_of_day(text: str) -> time:
    """Return the time of text typed as H:MM or HH:MM (24-hour); raise ValueError saying what is wrong.

    Spaces around it are let go (a .env value, '23:00 - 07:00'): refusing them would stop the bot at start for
    nothing; spaces inside it (7: 05) are not.
    """
    match = _HH_MM.fullmatch(text.strip(" \t"))
    if match is None:
        raise ValueError(f"{text!r} is not HH:MM: 24-hour, digits 0-9, no spaces inside")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text} is not a time of day: from 00:00 to 23:59")
    return time(hour, minute)
