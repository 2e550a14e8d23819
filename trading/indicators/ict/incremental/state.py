"""ICTState: every ICT indicator of a run of candles, kept up to date one closed candle at a time."""
from __future__ import annotations

from collections import deque

import numpy as np

from trading.domain.candles import COLUMNS, Candles
from trading.indicators.ict.incremental.columns import NOT_YET, Columns
from trading.indicators.ict.incremental.periods import PeriodTracker
from trading.indicators.ict.incremental.pools import PoolTracker
from trading.indicators.ict.incremental.structure import Break, Pivot, StructureTracker
from trading.indicators.ict.incremental.zones import Bar, BlockTracker, GapTracker
from trading.indicators.ict.liquidity import Liquidity
from trading.indicators.ict.params import ICTParams, LiquiditySource, ObCandle, ObZone
from trading.indicators.ict.snapshot import ICTSnapshot

NO_PIVOT_YET = -(1 << 62)


class ICTState:
    """The candles seen so far and their ICT events, in the order of work of ict.md section 1.

    `snapshot()` equals `compute_ict(candles, params)` on the same candles, table for table.
    """

    def __init__(self, params: ICTParams | None = None) -> None:
        p = params or ICTParams()
        if p.join_consecutive:
            raise ValueError("join_consecutive merges gaps with hindsight, so it cannot be kept up bar by bar")
        self.params = p
        self._candles = Columns({c: np.int64 if c == "open_ms" else np.float64 for c in COLUMNS})
        self._structure = StructureTracker(p.left, p.right, p.break_on)
        self._gaps = GapTracker(p.require_body, p.min_gap, p.max_age)
        self._blocks = BlockTracker(p.ob_break_on, p.ob_max_age)
        self._pools = PoolTracker(p.liq_tol, p.sweep_reclaim_bars)
        self._periods = PeriodTracker()
        self._recent: deque[Bar] = deque(maxlen=3)
        self._last_raw = {1: NO_PIVOT_YET, -1: NO_PIVOT_YET}
        self._last_open_ms: int | None = None
        self._snapshot: ICTSnapshot | None = None

    def __len__(self) -> int:
        return self._candles.size

    @property
    def last_open_ms(self) -> int | None:
        """Return the open time of the newest candle (None before the first)."""
        return self._last_open_ms

    def extend(self, candles: Candles) -> None:
        """Append every candle of a run, oldest first."""
        for row in zip(*(getattr(candles, c).tolist() for c in COLUMNS)):
            self.append(*row)

    def append(self, open_ms: int, open_: float, high: float, low: float, close: float, volume: float = 0.0) -> None:
        """Add the next closed candle and update every indicator with it."""
        if self._last_open_ms is not None and open_ms <= self._last_open_ms:
            raise ValueError(f"candle at {open_ms} is not after the last one at {self._last_open_ms}")
        t = self._candles.append(open_ms, open_, high, low, close, volume)
        self._last_open_ms = open_ms
        bar = Bar(t, open_, high, low, close)
        prices = {"high": high, "low": low, "close": close, "body_bottom": min(open_, close),
                  "body_top": max(open_, close)}
        # (1) objects that existed before bar t
        self._gaps.update(t, prices)
        self._blocks.update(t, prices)
        self._pools.update(t, high, low, close)
        self._periods.update(t, open_ms, high, low, close)
        # (2) the pivot bar t confirms, (3) breaks against the references after it, with their order blocks
        pivot, entered = self._structure.confirm_pivot(t, high, low)
        lows, highs = self._candles.column("low"), self._candles.column("high")
        for found in self._structure.breaks_at(t, high, low, close, lows, highs):
            self._add_block(found)
        # (4) the gap whose third candle is t, (5) liquidity from the new pivot
        self._recent.append(bar)
        if len(self._recent) == 3:
            self._gaps.detect(*self._recent)
        self._attach(pivot, entered)
        self._snapshot = None

    def _add_block(self, found: Break) -> None:
        c, p, side, k = self._candles, self.params, found.direction, found.leg_index
        opens, closes = c.column("open"), c.column("close")
        if p.ob_candle is ObCandle.LAST_OPPOSITE:
            lo = found.ref_index + 1
            opposite = closes[lo:k + 1] < opens[lo:k + 1] if side > 0 else closes[lo:k + 1] > opens[lo:k + 1]
            hits = np.flatnonzero(opposite)
            k = lo + int(hits[-1]) if hits.size else k
        top, bottom = float(c.column("high")[k]), float(c.column("low")[k])
        if p.zone is ObZone.BODY_TO_WICK:
            if side > 0:
                top = max(float(opens[k]), float(closes[k]))
            else:
                bottom = min(float(opens[k]), float(closes[k]))
        self._blocks.add(k, found.t, side, top, bottom, found.ref_index)

    def _attach(self, pivot: Pivot | None, entered: int) -> None:
        if self.params.source is LiquiditySource.SEQUENCE:
            if entered != NOT_YET:
                s = self._structure.swings
                self._pools.add(int(s.column("index")[entered]), int(s.column("known_at")[entered]),
                                int(s.column("direction")[entered]), float(s.column("level")[entered]))
            return
        if pivot is None:
            return
        previous, self._last_raw[pivot.direction] = self._last_raw[pivot.direction], pivot.index
        if pivot.index - previous > self.params.right:   # a plateau pairs only with its first pivot
            self._pools.add(pivot.index, pivot.known_at, pivot.direction, pivot.level)

    def candles(self) -> Candles:
        """Return the candles seen so far (views: later candles never change them)."""
        size = self._candles.size
        return Candles(*(self._candles.column(c)[:size] for c in COLUMNS))

    def snapshot(self) -> ICTSnapshot:
        """Return every ICT table as of the newest candle: what compute_ict gives on candles()."""
        if self._snapshot is None:
            pivots, swings, breaks, trend = self._structure.frozen()
            blocks, breakers = self._blocks.frozen()
            levels, members, sweeps = self._pools.frozen()
            liquidity = Liquidity(levels, members, sweeps, self._periods.frozen())
            self._snapshot = ICTSnapshot(self.params, pivots, swings, breaks, trend, self._gaps.frozen(), blocks,
                                         breakers, liquidity)
        return self._snapshot
