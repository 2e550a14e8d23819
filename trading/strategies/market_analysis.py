"""The indicators of one MarketView, each computed once and shared by every strategy that reads it."""
from __future__ import annotations

import threading
from typing import Mapping, Protocol, runtime_checkable

import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.indicators.ict import ICTParams, ICTSnapshot, compute_ict
from trading.indicators.timeframes import visible_index
from trading.strategies.base import MarketView, Strategy
from trading.strategies.entry_zones import take_profit
from trading.strategies.setups import stop_buffer

# ict.md 2: five bars each side suit 15m and 1h; 1m needs a tighter window to see its small swings
DEFAULT_ICT_PARAMS: Mapping[Timeframe, ICTParams] = {
    Timeframe.M1: ICTParams(left=3, right=3),
    Timeframe.M15: ICTParams(),
    Timeframe.H1: ICTParams(),
}


class SnapshotCache:
    """Recent ICT snapshots by the exact candles they were computed on.

    The live loop rescans every minute, but a 15m or 1h window only changes when such a candle closes; reusing
    its snapshot saves most of a tick. A window is identified by its symbol, timeframe, parameters, and a
    digest of its times and prices (hashing 1,500 bars costs microseconds; computing them, milliseconds).
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._snapshots: dict[tuple, ICTSnapshot] = {}
        self._lock = threading.Lock()

    def compute(self, symbol: str, timeframe: Timeframe, candles: Candles, params: ICTParams) -> ICTSnapshot:
        """Return compute_ict(candles, params), reusing the snapshot of identical candles."""
        if len(candles) == 0:
            return compute_ict(candles, params)
        key = (symbol, timeframe, params, candles.fingerprint())
        with self._lock:
            snapshot = self._snapshots.pop(key, None)
        snapshot = snapshot or compute_ict(candles, params)
        with self._lock:                          # scans also run in worker threads
            self._snapshots[key] = snapshot       # most recent last
            while len(self._snapshots) > self._size:
                self._snapshots.pop(next(iter(self._snapshots)))
        return snapshot


_SNAPSHOTS = SnapshotCache()


class MarketAnalysis:
    """Lazily computed, memoised candles per timeframe and ICT snapshots of one view."""

    def __init__(self, view: MarketView, ict_params: Mapping[Timeframe, ICTParams] | None = None, *,
                 tracked: Mapping[Timeframe, tuple[Candles, ICTSnapshot]] | None = None) -> None:
        """Analyse view; `tracked` gives timeframes whose candles and ICT snapshot are already known (live)."""
        self.view = view
        self.ict_params = dict(DEFAULT_ICT_PARAMS if ict_params is None else ict_params)
        self._candles: dict[Timeframe, Candles] = {tf: c for tf, (c, _) in (tracked or {}).items()}
        self._ict: dict[Timeframe, ICTSnapshot] = {tf: s for tf, (_, s) in (tracked or {}).items()}
        self._visible: dict[tuple[Timeframe, Timeframe], np.ndarray] = {}

    @property
    def symbol(self) -> str:
        """Return the symbol of the view."""
        return self.view.symbol

    @property
    def stop_buffer(self) -> float:
        """Return the fraction a structural stop sits beyond its zone (view param 'stop_buffer')."""
        return stop_buffer(self.view.params)

    def candles(self, timeframe: Timeframe) -> Candles:
        """Return the candles of timeframe, loaded or resampled from a lower one."""
        if timeframe not in self._candles:
            self._candles[timeframe] = self.view.candles_on(timeframe)
        return self._candles[timeframe]

    def ict(self, timeframe: Timeframe) -> ICTSnapshot:
        """Return the ICT snapshot of timeframe's candles."""
        if timeframe not in self._ict:
            params = self.ict_params.get(timeframe, ICTParams())
            self._ict[timeframe] = _SNAPSHOTS.compute(self.symbol, timeframe, self.candles(timeframe), params)
        return self._ict[timeframe]

    def take_profit(self, timeframe: Timeframe, t: int, entry: float, side: PositionSide) -> float | None:
        """Return the next opposite liquidity of timeframe known at its bar t beyond entry (None: none)."""
        return take_profit(self.ict(timeframe).liquidity, t, entry, side)

    def visible(self, higher: Timeframe, lower: Timeframe) -> np.ndarray:
        """Return per lower bar the newest higher bar closed by its close (-1: none yet)."""
        key = (higher, lower)
        if key not in self._visible:
            self._visible[key] = visible_index(self.candles(higher).open_ms, higher,
                                               self.candles(lower).open_ms, lower)
        return self._visible[key]

    def first_lower_bar(self, higher: Timeframe, lower: Timeframe, higher_bars: np.ndarray) -> np.ndarray:
        """Return per higher bar the first lower bar that sees it (its closing lower bar; len(lower) if none)."""
        seen = self.visible(higher, lower)
        return np.searchsorted(seen, np.asarray(higher_bars, np.int64), side="left")

    def close_ms(self, timeframe: Timeframe, bars: np.ndarray | int) -> np.ndarray:
        """Return the close time of bars of timeframe."""
        return self.candles(timeframe).open_ms[bars] + timeframe.ms


class AnalysedStrategy(Strategy, Protocol):
    """A strategy that can read a shared MarketAnalysis instead of recomputing its indicators."""

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the signals found in the analysed view, oldest first."""
        ...


@runtime_checkable
class TunableStrategy(AnalysedStrategy, Protocol):
    """An analysed strategy built from a params dataclass, whose fields the chat and the sweeps may tune."""

    @property
    def params(self) -> object:
        """Return the params dataclass the strategy runs with."""
        ...
