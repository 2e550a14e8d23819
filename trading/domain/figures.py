"""How a signed figure (a PnL, a return, a change) is written: one sign rule for the chat and the charts.

The sign is always shown and is the ASCII '+' or '-' (the notices' "Result -9.90 (-0.11R)" and the charts'
percentages already wrote '-'; the amounts of /balance and /positions wrote U+2212 beside a '-' percent).
A figure keeps the sign of its value even when it rounds to zero: a PnL of -0.12 on 10,000 is -0.12 (-0.00%),
not -0.12 (+0.00%) (the percent would contradict the amount beside it); only zero itself is +0.00.
"""
from __future__ import annotations

from decimal import Decimal


def signed(value: Decimal | float | int, places: int = 2, unit: str = "") -> str:
    """Return value rounded to places, with its sign, thousands separators and unit: -1,234.50 or +0.02%."""
    text = f"{value:,.{places}f}".removeprefix("-")
    return f"{'-' if value < 0 else '+'}{text}{unit}"


def counted(count: int, noun: str, plural: str = "") -> str:
    """Return count with its noun in the right number: '1 losing trade', '2 losing trades' (plural: irregular)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
