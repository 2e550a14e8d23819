"""The strategy book: the strategies by name, switched on and off at run time, and their new signals once each."""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterable, Sequence

from trading.domain.errors import echoed
from trading.domain.signals import Signal
from trading.strategies.base import MarketView
from trading.strategies.ema_cross import EmaCrossStrategy
from trading.strategies.ict_a import StructureZoneStrategy
from trading.strategies.ict_b import SweepReversalStrategy
from trading.strategies.ict_c import TrendRetestStrategy
from trading.strategies.live_analysis import LiveAnalyses
from trading.strategies.market_analysis import AnalysedStrategy
from trading.strategies.market_picture import MarketPicture, market_picture
from trading.strategies.trend import TrendStrategy

REMEMBERED_SIGNALS = 10_000


class StrategyBook:
    """The strategies by name; scans the enabled ones and hands out each setup once.

    By default every strategy is on except yardsticks (a `yardstick = True` attribute): those are for
    backtests, and trade live only when switched on by name. The book keeps the live analysis of each
    symbol it is shown (LiveAnalyses): successive views of a market only add their newly closed candles.
    """

    def __init__(self, strategies: Sequence[AnalysedStrategy], enabled: Iterable[str] | None = None,
                 remember: int = REMEMBERED_SIGNALS) -> None:
        self._strategies = {s.name: s for s in strategies}
        self._enabled = ({s.name for s in strategies if not getattr(s, "yardstick", False)} if enabled is None
                         else {self.resolve(n) for n in enabled})
        self._emitted: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self.analyses = LiveAnalyses()

    @property
    def strategies(self) -> tuple[AnalysedStrategy, ...]:
        """Return the strategies, in book order."""
        return tuple(self._strategies.values())

    @property
    def names(self) -> tuple[str, ...]:
        """Return every strategy name, in book order."""
        return tuple(self._strategies)

    @property
    def enabled(self) -> tuple[str, ...]:
        """Return the names of the strategies switched on, in book order."""
        return tuple(n for n in self._strategies if n in self._enabled)

    def resolve(self, name: str) -> str:
        """Return the book's spelling of a strategy name (case-insensitive), or raise ValueError listing them."""
        for known in self._strategies:
            if known.lower() == name.strip().lower():
                return known
        raise ValueError(f"unknown strategy {echoed(name)}; use one of {', '.join(self._strategies)}")

    def set_enabled(self, name: str, on: bool) -> str:
        """Switch a strategy on or off; return its name as the book spells it."""
        known = self.resolve(name)
        (self._enabled.add if on else self._enabled.discard)(known)
        return known

    def strategy(self, name: str) -> AnalysedStrategy:
        """Return the running strategy of a name (case-insensitive), or raise ValueError listing them."""
        return self._strategies[self.resolve(name)]

    def replace(self, strategy: AnalysedStrategy) -> None:
        """Run strategy in place of the one of its name (switched on or off as that one was), from the next scan."""
        self._strategies[self.resolve(strategy.name)] = strategy

    def scan(self, view: MarketView, names: Iterable[str] | None = None) -> list[Signal]:
        """Return every signal of the enabled strategies (or of names) over view, oldest first."""
        analysis = self.analyses.analysis(view)   # indicators kept up once, shared by the strategies
        chosen = self.enabled if names is None else names
        found = [s for name in chosen for s in self._strategies[name].scan_analysis(analysis)]
        return sorted(found, key=lambda s: (s.known_at_ms, s.strategy))

    def latest_signals(self, view: MarketView, since_ms: int) -> list[Signal]:
        """Return the signals known after since_ms that were not handed out before, and remember them.

        A strategy only learns something new when a candle of the finest timeframe it reads closes, so a
        strategy with no such close after since_ms is not scanned (most minutes, only 1m readers run).
        """
        newest = max((int(c.open_ms[-1]) + tf.ms for tf, c in view.frames.items() if len(c)), default=0)
        due = [n for n in self.enabled if _closed_since(self._strategies[n], since_ms, newest)]
        fresh = []
        for signal in self.scan(view, due):
            if signal.known_at_ms > since_ms and signal.setup_id not in self._emitted:
                fresh.append(signal)
                self._remember_id(signal.setup_id)
        return fresh

    def zones(self, view: MarketView) -> MarketPicture | None:
        """Return what the bot sees now in view: live zones, nearest liquidity, trends, regime."""
        return market_picture(self.analyses.analysis(view))

    def _remember_id(self, setup_id: str) -> None:
        self._emitted[setup_id] = None
        while len(self._emitted) > self._remember:
            self._emitted.popitem(last=False)


def _closed_since(strategy: AnalysedStrategy, since_ms: int, newest_close_ms: int) -> bool:
    finest = min(strategy.timeframes, key=lambda tf: tf.ms).ms
    return newest_close_ms // finest * finest > since_ms


def default_book(enabled: Iterable[str] | None = None) -> StrategyBook:
    """Return the book of strategies A, B, C, trend and the ema_cross yardstick (off) with their defaults."""
    return StrategyBook([StructureZoneStrategy(), SweepReversalStrategy(), TrendRetestStrategy(), TrendStrategy(),
                         EmaCrossStrategy()], enabled)
