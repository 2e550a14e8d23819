"""What a backtest writes down as it goes: each round trip as it closes, and the equity at every bar's close."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from trading.backtest.trades import ClosedTrade
from trading.domain.candles import Candles
from trading.domain.positions import PositionSide

ZERO = Decimal(0)


@dataclass(slots=True)
class OpenTrade:
    """A round trip under way: its entry, the equity before it, and the costs paid so far."""

    side: PositionSide
    entry_ms: int
    entry_price: Decimal
    amount: Decimal
    equity_before: Decimal
    initial_risk: Decimal            # quote lost at the initial stop (1R)
    strategy: str = ""
    fees: Decimal = ZERO
    funding: Decimal = ZERO          # positive: paid
    entry_fee: Decimal = ZERO
    legs: dict[str, Decimal] = field(default_factory=dict)   # net result by the exit rule that closed each part

    def exit_leg(self, reason: str, amount: Decimal, price: Decimal, fee: Decimal) -> None:
        """Book the net result of closing amount at price for reason: its move, its exit fee, its entry fee share."""
        share = self.entry_fee * amount / self.amount if self.amount > 0 else ZERO
        result = (price - self.entry_price) * amount * self.side.sign - fee - share
        self.legs[reason] = self.legs.get(reason, ZERO) + result

    def closed(self, symbol: str, exit_ms: int, equity_after: Decimal, exit_reason: str = "") -> ClosedTrade:
        """Return the trade once the position is flat, its result read from the account itself.

        The net result is the change in equity over the round trip (the account is flat before and
        after), so partial exits, fees, funding and a liquidation are all in it; the exit price is the
        average one that gives that result before costs.
        """
        pnl = equity_after - self.equity_before
        gross = pnl + self.fees + self.funding
        exit_price = self.entry_price + gross / (self.amount * self.side.sign)
        r_multiple = pnl / self.initial_risk if self.initial_risk > 0 else None
        return ClosedTrade(symbol, self.side, self.entry_ms, exit_ms, self.entry_price, exit_price,
                           self.amount, pnl, self.fees, self.funding, r_multiple, exit_reason, self.strategy,
                           tuple(self.legs.items()), self.initial_risk if self.initial_risk > 0 else None)


class EquityTrack:
    """The equity at each bar's close, kept as the few moments it changes shape.

    Between two fills the account is cash plus a fixed position, so its equity is a + b * close with b
    the signed amount held; only the bars where a or b change are recorded, and the curve is filled in
    for every bar at the end with one vectorised step.
    """

    def __init__(self, first: int, starting_equity: Decimal) -> None:
        self.starting_equity = starting_equity
        self._bars: list[int] = [first]
        self._level: list[float] = [float(starting_equity)]
        self._held: list[float] = [0.0]

    def record(self, bar: int, equity_at_close: Decimal, held: float, close: float) -> None:
        """Note the account at bar's close: its equity and the signed amount it holds from then on."""
        level = float(equity_at_close) - held * close
        if self._bars[-1] == bar:
            self._level[-1], self._held[-1] = level, held
        else:
            self._bars.append(bar)
            self._level.append(level)
            self._held.append(held)

    def curve(self, candles: Candles, first: int, end: int, step_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the times and equity of the curve: the first bar's open, then every bar's close."""
        bars = np.arange(first, end)
        segment = np.searchsorted(np.asarray(self._bars), bars, side="right") - 1
        values = np.asarray(self._level)[segment] + np.asarray(self._held)[segment] * candles.close[first:end]
        times = np.r_[candles.open_ms[first], candles.open_ms[first:end] + step_ms]
        return times.astype(np.int64), np.r_[float(self.starting_equity), values]
