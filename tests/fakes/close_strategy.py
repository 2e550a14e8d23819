"""A strategy that sees a long setup at the newest close of the symbols it is pointed at (a fake AnalysedStrategy).

For tests of a running bot on the wall clock, whose prices come from the fake exchange: the setup is where the
market is now, with a stop and a target the engine accepts (3R after costs), so the loop decides an entry at once.
"""
from __future__ import annotations

from decimal import Decimal

from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.strategies.base import MarketView
from trading.strategies.market_analysis import MarketAnalysis

STOP_UNDER = Decimal("0.98")
TARGET_OVER = Decimal("1.06")


class LongAtClose:
    """Finds one long setup per newest 1m close of each symbol in `symbols` (empty: none)."""

    name = "at_close"
    timeframes = (Timeframe.M1,)

    def __init__(self, *symbols: str) -> None:
        self.symbols = set(symbols)

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the setup at the view's newest close."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the setup at the newest close, when the symbol is one pointed at."""
        view = analysis.view
        frame = view.frame(Timeframe.M1)
        if view.symbol not in self.symbols or len(frame) == 0:
            return []
        close = Decimal(str(float(frame.close[-1])))
        known = int(frame.open_ms[-1]) + Timeframe.M1.ms
        return [Signal(view.symbol, self.name, PositionSide.LONG, close, (close * STOP_UNDER).quantize(Decimal("0.01")),
                       (close * TARGET_OVER).quantize(Decimal("0.01")), 0.8, known, "1m",
                       "test setup at the close", f"{self.name}:{view.symbol}:{known}")]
