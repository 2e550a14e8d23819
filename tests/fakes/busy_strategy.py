"""A strategy whose scan is long CPU work, held until the test lets it finish (a fake AnalysedStrategy)."""
from __future__ import annotations

import threading
import time

from trading.domain.candles import Timeframe
from trading.domain.signals import Signal
from trading.strategies.base import MarketView
from trading.strategies.market_analysis import MarketAnalysis


class BusyStrategy:
    """Works the CPU in pure Python (holding the GIL like a real scan) from the scan's start until release().

    started / finished tell a test where the scan is; the work is bounded by `limit_s` so that a scan that
    blocks the event loop ends the test with a failure instead of hanging it.
    """

    name = "busy"
    timeframes = (Timeframe.M1,)

    def __init__(self, limit_s: float = 20.0) -> None:
        self.limit_s = limit_s
        self.started = threading.Event()
        self.finished = threading.Event()
        self._release = threading.Event()

    def release(self) -> None:
        """Let the scan under way (and every later one) finish at once."""
        self._release.set()

    def scan(self, view: MarketView) -> list[Signal]:
        """Work until released, then find nothing."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Work until released, then find nothing."""
        self.started.set()
        deadline = time.monotonic() + self.limit_s
        total = 0
        while not self._release.is_set() and time.monotonic() < deadline:
            total += sum(i * i for i in range(2_000))      # about 0.1 ms of bytecode between checks
        self.finished.set()
        return []
