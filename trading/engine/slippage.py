"""Slippage of market executions: a fixed cost plus a term that grows with the share of volume taken."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.orders import Side

BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class SlippageModel:
    """bps = fixed_bps + participation_bps * (amount / bar volume in percent), at most max_bps.

    Without a volume (a bare price tick, or a zero-volume bar) only the fixed part applies: we know
    nothing about the book then, and charging the cap would make every tick-driven fill look illiquid.
    """

    fixed_bps: Decimal = Decimal(2)
    participation_bps: Decimal = Decimal(10)   # extra bps for each 1% of the bar's volume the order takes
    max_bps: Decimal = Decimal(100)

    def bps(self, amount: Decimal, volume: Decimal | None) -> Decimal:
        """Return the slippage in basis points for an order of amount against a bar of volume (base units)."""
        impact = Decimal(0)
        if volume is not None and volume > 0:
            impact = self.participation_bps * amount / volume * 100
        return min(self.fixed_bps + impact, self.max_bps)

    def price(self, side: Side, reference: Decimal, amount: Decimal, volume: Decimal | None) -> Decimal:
        """Return the execution price: worse than reference by the slippage, up for buys, down for sells."""
        move = reference * self.bps(amount, volume) / BPS
        return reference + move if side is Side.BUY else reference - move


NO_SLIPPAGE = SlippageModel(Decimal(0), Decimal(0), Decimal(0))
