"""Pure functions from service results to message text (Telegram HTML) and keyboards."""
from __future__ import annotations

from decimal import Decimal
from html import escape


def money(value: Decimal | None, places: int = 2) -> str:
    """Return value with thousands separators, or a dash."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


def price(value: Decimal | None) -> str:
    """Return a price with as many decimals as it carries (at least 2)."""
    if value is None:
        return "–"
    places = min(8, max(2, -int(value.normalize().as_tuple().exponent)))
    return f"{value:,.{places}f}"


def esc(text: object) -> str:
    """Escape text for Telegram HTML."""
    return escape(str(text), quote=False)
