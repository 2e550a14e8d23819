"""Slippage of market executions: a fixed spread cost, plus an impact term against the book's depth when known.

The same model prices every market fill in backtests and in paper trading, whatever drives the fill (a
candle with its volume, or a bare price tick): a one-minute bar's traded volume says little about the
book an order meets, so it no longer enters the price. By default a fill pays 2 bps (half a liquid spot
market's spread plus the drift between decision and fill); with a depth set, an order also pays
impact_bps for every full depth of quote it takes, so large orders in thin books cost more.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.orders import Side

BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class SlippageModel:
    """bps = fixed_bps + impact_bps * notional / depth_quote, at most max_bps (no impact without a depth)."""

    fixed_bps: Decimal = Decimal(2)
    impact_bps: Decimal = Decimal(10)          # extra bps for an order as large as the whole depth
    depth_quote: Decimal | None = None         # quote resting within reach of a market order
    max_bps: Decimal = Decimal(100)

    def bps(self, amount: Decimal, price: Decimal) -> Decimal:
        """Return the slippage in basis points of an order of amount (base units) at price."""
        impact = Decimal(0)
        if self.depth_quote is not None and self.depth_quote > 0:
            impact = self.impact_bps * amount * price / self.depth_quote
        return min(self.fixed_bps + impact, self.max_bps)

    def price(self, side: Side, reference: Decimal, amount: Decimal) -> Decimal:
        """Return the execution price: worse than reference by the slippage, up for buys, down for sells."""
        move = reference * self.bps(amount, reference) / BPS
        return reference + move if side is Side.BUY else reference - move

    def fraction(self, amount: Decimal, price: Decimal) -> Decimal:
        """Return the slippage of one fill as a fraction of its price (2 bps -> 0.0002)."""
        return self.bps(amount, price) / BPS

    def describe(self) -> str:
        """Return the model in one line, as the backtest header and the README state it."""
        if self.fixed_bps == 0 and (self.depth_quote is None or self.impact_bps == 0):
            return "no slippage"
        text = f"slippage {self.fixed_bps.normalize():f} bps a fill"
        if self.depth_quote is not None and self.depth_quote > 0:
            text += (f" + {self.impact_bps.normalize():f} bps per {self.depth_quote.normalize():f} of depth taken "
                     f"(at most {self.max_bps.normalize():f})")
        return text


NO_SLIPPAGE = SlippageModel(Decimal(0), Decimal(0), None, Decimal(0))
