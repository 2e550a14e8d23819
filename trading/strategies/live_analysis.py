"""The live market analysis: per symbol and timeframe, candles and ICT state kept up as candles close.

The live loop scans every minute. Instead of recomputing the ICT indicators over each new window, a
TrackedTimeframe appends the newly closed candles to an ICTState (microseconds each), and every
strategy, the chat's /signals and the LLM's market picture read the same state through one shared
MarketAnalysis per symbol and moment.

History is kept in epochs so that it stays bounded: the state covers the candles since the start of its
epoch, between `epoch` and 2 * `epoch` of them; a second state fed from the start of the current epoch
takes over when the first reaches 2 * `epoch`. So the live indicators are always exactly compute_ict over
the candles that `candles()` returns, and never over fewer than the window the loop reads.
"""
from __future__ import annotations

import threading
from typing import Mapping

import numpy as np

from trading.domain.candles import COLUMNS, Candles, Timeframe
from trading.indicators.ict import ICTParams, ICTSnapshot
from trading.indicators.ict.incremental import ICTState
from trading.strategies.base import MarketView
from trading.strategies.market_analysis import DEFAULT_ICT_PARAMS, MarketAnalysis

MIN_EPOCH = 500          # bars; a short first window still keeps a useful history
MAX_SYMBOLS = 64         # symbols followed at once (the least recently used is forgotten)


class TrackedTimeframe:
    """One symbol's closed candles of one timeframe with their ICT state, following the windows it is shown."""

    def __init__(self, params: ICTParams, min_epoch: int = MIN_EPOCH) -> None:
        self.params = params
        self._state = ICTState(params)
        self._next = ICTState(params)        # fed from the start of the current epoch
        self._min_epoch = self._epoch = min_epoch

    def __len__(self) -> int:
        return len(self._state)

    def follow(self, window: Candles) -> bool:
        """Take in the candles of window that closed since the last call; return False for an older window.

        A window that does not continue the history (a gap, candles that differ, or more candles before the
        newest known one than the history holds) starts it over.
        """
        if len(window) == 0:
            return len(self._state) == 0
        last = self._state.last_open_ms
        if last is None:
            self._restart(window)
            return True
        if int(window.open_ms[-1]) < last:
            return False
        at = int(np.searchsorted(window.open_ms, last))
        # a window reaching back before the history (the chat's longer view) starts over too: no reader
        # ever sees fewer candles than it was given
        if (at == len(window) or int(window.open_ms[at]) != last or at + 1 > len(self._state)
                or not self._overlap_matches(window, at)):
            self._restart(window)
            return True
        self._append(window[at + 1:])
        return True

    def candles(self) -> Candles:
        """Return the candles the state covers (oldest first)."""
        return self._state.candles()

    def snapshot(self) -> ICTSnapshot:
        """Return compute_ict(candles()) as kept up bar by bar."""
        return self._state.snapshot()

    def _overlap_matches(self, window: Candles, at: int) -> bool:
        mine = self._state.candles()
        n = min(len(mine), at + 1)
        return all(np.array_equal(getattr(mine, c)[len(mine) - n:], getattr(window, c)[at + 1 - n: at + 1])
                   for c in COLUMNS)

    def _restart(self, window: Candles) -> None:
        self._state, self._next = ICTState(self.params), ICTState(self.params)
        self._epoch = max(self._min_epoch, len(window))
        self._state.extend(window)

    def _append(self, fresh: Candles) -> None:
        for row in zip(*(getattr(fresh, c).tolist() for c in COLUMNS)):
            self._state.append(*row)
            self._next.append(*row)
            if len(self._next) >= self._epoch:
                self._state, self._next = self._next, ICTState(self.params)


class LiveAnalyses:
    """The live MarketAnalysis of each symbol, its tracked timeframes shared by every reader.

    Safe to call from the event loop and a worker thread: one lock serialises the updates.
    """

    def __init__(self, ict_params: Mapping[Timeframe, ICTParams] | None = None) -> None:
        self.ict_params = dict(DEFAULT_ICT_PARAMS if ict_params is None else ict_params)
        self._symbols: dict[str, dict[Timeframe, TrackedTimeframe]] = {}
        self._latest: dict[str, tuple[MarketView, MarketAnalysis]] = {}
        self._lock = threading.RLock()

    @property
    def symbols(self) -> tuple[str, ...]:
        """Return the symbols followed now, least recently used first."""
        return tuple(self._symbols)

    def latest(self, symbol: str) -> MarketAnalysis | None:
        """Return the newest analysis of symbol, without waiting for an update under way (None: none yet).

        A lock-free read: the analysis handed out is never changed afterwards (an update builds a new one),
        and one dict lookup is atomic.
        """
        found = self._latest.get(symbol)
        return None if found is None else found[1]

    def analysis(self, view: MarketView) -> MarketAnalysis:
        """Return the analysis of view: tracked timeframes from the live state, the others from view itself."""
        with self._lock:
            latest = self._latest.get(view.symbol)
            if latest is not None and latest[0] is view:       # the same view: share its memoised results
                return latest[1]
            tracked = {tf: (t.candles(), t.snapshot()) for tf, t in self._follow(view).items()}
            analysis = MarketAnalysis(view, self.ict_params, tracked=tracked)
            self._latest[view.symbol] = (view, analysis)
            return analysis

    def _follow(self, view: MarketView) -> dict[Timeframe, TrackedTimeframe]:
        frames = self._symbols.pop(view.symbol, None)
        if frames is None:
            frames = {tf: TrackedTimeframe(p) for tf, p in self.ict_params.items()}
        self._symbols[view.symbol] = frames            # most recently used last
        while len(self._symbols) > MAX_SYMBOLS:
            forgotten = next(iter(self._symbols))
            self._symbols.pop(forgotten)
            self._latest.pop(forgotten, None)
        followed = {}
        for tf, tracker in frames.items():
            window = view.candles_on(tf)
            if len(window) and tracker.follow(window):
                followed[tf] = tracker
        return followed

