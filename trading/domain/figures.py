"""How a signed figure (a PnL, a return, a change) is written: one sign rule for the chat and the charts.

The sign is always shown and is the ASCII '+' or '-' (the notices' "Result -9.90 (-0.11R)" and the charts'
percentages already wrote '-'; the amounts of /balance and /positions wrote U+2212 beside a '-' percent).
A figure that rounds to zero is written +0.00, never -0.00.
"""
from __future__ import annotations

from decimal import Decimal


def signed(value: Decimal | float | int, places: int = 2, unit: str = "") -> str:
    """Return value rounded to places, with its sign, thousands separators and unit: -1,234.50 or +0.02%."""
    text = f"{value:,.{places}f}".removeprefix("-")
    negative = (value < 0) and any(digit not in "0.," for digit in text)
    return f"{'-' if negative else '+'}{text}{unit}"
