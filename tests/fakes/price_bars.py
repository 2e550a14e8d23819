"""Price observations for rules that read a bar's open, high, low and close (a tick has all four equal)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.candles import Candle


@dataclass(frozen=True, slots=True)
class Bar:
    """One candle or tick in Decimal."""

    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal


def tick(price: str) -> Bar:
    """Return a tick at price."""
    return Bar(Decimal(price), Decimal(price), Decimal(price), Decimal(price))


def bar(open_: str, high: str, low: str, close: str) -> Bar:
    """Return a bar from decimal texts."""
    return Bar(Decimal(open_), Decimal(high), Decimal(low), Decimal(close))


def candle_bar(candle: Candle) -> Bar:
    """Return a real candle in Decimal (its floats hold the exchange's shortest text, so repr is exact)."""
    return Bar(*(Decimal(repr(x)) for x in (candle.open, candle.high, candle.low, candle.close)))
