"""How a typed order id names an order: the case of its letters does not matter (p-2 is P-2)."""
from __future__ import annotations


def order_id_spellings(typed: str) -> tuple[str, ...]:
    """Return the spellings an order id typed by a user may be stored under: as typed, upper case, lower case.

    Every id the bot shows is one of these: the paper venue's "P-12", the exchange's digits, the bot's
    lower-case client ids ("ta-...", "manual-..."); no two of them differ by case alone.
    """
    typed = typed.strip()
    return tuple(dict.fromkeys((typed, typed.upper(), typed.lower())))
