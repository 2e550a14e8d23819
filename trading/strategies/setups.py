"""Pieces every strategy shares: exact prices, structural stops, and turning a setup into a Signal."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from trading.domain.positions import PositionSide
from trading.domain.signals import Signal

DEFAULT_STOP_BUFFER = 0.002


def price(value: float) -> Decimal:
    """Return a float price as the Decimal of its shortest repr, so exchange decimals stay exact."""
    return Decimal(repr(float(value)))


def structural_stop(side: PositionSide, zone_bottom: float, zone_top: float, buffer: float) -> Decimal:
    """Return the stop beyond the far side of a zone: bottom*(1-buffer) for longs, top*(1+buffer) for shorts."""
    step = Decimal(repr(float(buffer)))
    if side is PositionSide.LONG:
        return price(zone_bottom) * (1 - step)
    return price(zone_top) * (1 + step)


def stop_buffer(params: Mapping[str, float]) -> float:
    """Return the stop buffer fraction from view params ('stop_buffer', default 0.2%), checked within 0..1%."""
    value = float(params.get("stop_buffer", DEFAULT_STOP_BUFFER))
    if not 0.0 <= value <= 0.01:
        raise ValueError(f"stop_buffer must be a fraction between 0 and 0.01 (0.1-0.3% is usual), got {value}")
    return value


@dataclass(frozen=True, slots=True)
class Setup:
    """A trade idea found at one bar, before it is stamped with the symbol and strategy."""

    side: PositionSide
    entry: Decimal
    stop: Decimal
    take_profit: Decimal | None
    known_at_ms: int
    reason: str
    key: str                 # what identifies the setup inside one strategy and symbol
    confidence: float = 0.5

    def is_valid(self) -> bool:
        """Return True when the stop and target sit on the proper sides of the entry."""
        sign = self.side.sign
        stop_ok = (self.entry - self.stop) * sign > 0
        target_ok = self.take_profit is None or (self.take_profit - self.entry) * sign > 0
        return stop_ok and target_ok


def to_signal(setup: Setup, symbol: str, strategy: str, timeframe: str) -> Signal:
    """Return the Signal for a setup, with a setup_id stable across rescans of the same history."""
    return Signal(
        symbol=symbol, strategy=strategy, side=setup.side, entry=setup.entry, stop=setup.stop,
        take_profit=setup.take_profit, confidence=setup.confidence, known_at_ms=setup.known_at_ms,
        timeframe=timeframe, reason=setup.reason, setup_id=f"{strategy}:{symbol}:{setup.key}",
    )


def to_signals(setups: list[Setup], symbol: str, strategy: str, timeframe: str) -> list[Signal]:
    """Return the valid setups as Signals, oldest first, one per setup id (the first one wins)."""
    seen: set[str] = set()
    out: list[Signal] = []
    for setup in sorted(setups, key=lambda s: s.known_at_ms):
        signal = to_signal(setup, symbol, strategy, timeframe)
        if setup.is_valid() and signal.setup_id not in seen:
            seen.add(signal.setup_id)
            out.append(signal)
    return out
