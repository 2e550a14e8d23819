"""Closed trades as a backtest (or the paper account) records them, the raw material of every metric."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.frozen import quick_init
from trading.domain.positions import PositionSide


@quick_init
@dataclass(frozen=True, slots=True)
class ClosedTrade:
    """One round trip from entry to exit.

    `pnl` is the net result in quote: price move times amount, minus `fees`, minus `funding`
    (funding positive = paid). `r_multiple` is the net result in units of the initial risk
    (entry-to-stop distance times amount), when the trade had a stop.
    """

    symbol: str
    side: PositionSide
    entry_ms: int
    exit_ms: int
    entry_price: Decimal
    exit_price: Decimal
    amount: Decimal
    pnl: Decimal
    fees: Decimal = Decimal(0)
    funding: Decimal = Decimal(0)
    r_multiple: Decimal | None = None
    exit_reason: str = ""            # the rule that closed it: stop_loss, take_profit, exit_signal, end_of_data...
    strategy: str = ""
    exit_legs: tuple[tuple[str, Decimal], ...] = ()   # net result of each exit rule that closed a part
    initial_risk: Decimal | None = None                # quote lost at the initial stop (1R), when it had one

    @property
    def gross_pnl(self) -> Decimal:
        """Return the result from the price move alone, before fees and funding."""
        return (self.exit_price - self.entry_price) * self.amount * self.side.sign

    @property
    def is_win(self) -> bool:
        """Return True when the trade made money after costs."""
        return self.pnl > 0

    @property
    def holding_ms(self) -> int:
        """Return how long the position was open."""
        return self.exit_ms - self.entry_ms


def close_trade(symbol: str, side: PositionSide, entry: tuple[int, Decimal], exit_: tuple[int, Decimal],
                amount: Decimal, fee_rate: Decimal = Decimal(0), funding: Decimal = Decimal(0),
                stop: Decimal | None = None) -> ClosedTrade:
    """Return the trade for a round trip with taker fees on both sides and an optional stop for R."""
    (entry_ms, entry_price), (exit_ms, exit_price) = entry, exit_
    fees = (entry_price + exit_price) * amount * fee_rate
    gross = (exit_price - entry_price) * amount * side.sign
    pnl = gross - fees - funding
    r_multiple = None
    if stop is not None and stop != entry_price:
        r_multiple = pnl / (abs(entry_price - stop) * amount)
    return ClosedTrade(symbol, side, entry_ms, exit_ms, entry_price, exit_price, amount, pnl,
                       fees, funding, r_multiple)
