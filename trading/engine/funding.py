"""Perpetual funding: who pays whom at each funding time, and when those times fall."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.money import booked
from trading.domain.positions import PositionSide

FUNDING_INTERVAL_MS = 8 * 3_600_000     # Binance USDT-M: 00:00, 08:00 and 16:00 UTC


def funding_payment(side: PositionSide, amount: Decimal, mark: Decimal, rate: Decimal) -> Decimal:
    """Return what the position pays at a funding time (negative: it receives).

    payment = position notional at mark * rate, paid by longs to shorts when the rate is positive; booked.
    """
    return booked(amount * mark * rate * side.sign)


def funding_times_between(after_ms: int, until_ms: int, interval_ms: int = FUNDING_INTERVAL_MS) -> list[int]:
    """Return the funding times t with after_ms < t <= until_ms (epoch-aligned multiples of the interval)."""
    first = (after_ms // interval_ms + 1) * interval_ms
    return list(range(first, until_ms + 1, interval_ms))
