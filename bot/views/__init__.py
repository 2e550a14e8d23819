"""Pure functions from service results to message text (Telegram HTML) and keyboards."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from trading.domain.instruments import price_text


def money(value: Decimal | None, places: int = 2) -> str:
    """Return value with thousands separators, or a dash."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


def price(value: Decimal | None, tick: Decimal | None = None) -> str:
    """Return a price on the market's tick with the tick's decimals; without a tick, as it carries (2 to 8)."""
    return "–" if value is None else price_text(value, tick)


def esc(text: object) -> str:
    """Escape text for Telegram HTML."""
    return escape(str(text), quote=False)
