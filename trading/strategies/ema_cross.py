"""The EMA-cross yardstick: long when EMA(fast) crosses above EMA(slow), out when it crosses back below.

The strategy other backtesters run to compare speed and results, traded here through the same engine as
every strategy: all in, no stop, no target, out on its own exit signal. Its conventions are theirs:
- EMA(12) and EMA(26) of the close, both seeded with the first close, alpha = 2 / (n + 1);
- the trend is the sign of fast - slow; on a bar where the two are equal the previous trend carries on.
  At the seed bar they are equal and there is no trend yet, so the fast line rising off the seed is not
  a cross: a cross above needs the fast line to have been strictly below first;
- the signal is known at the bar's close (entries and exits fill at the next bar's open).
It is a yardstick, not a trading idea: the live loop leaves it off unless it is switched on by name.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal, SignalAction
from trading.indicators.classic import ema_from_first
from trading.strategies.base import MarketView
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.parameter_space import tunable
from trading.strategies.setups import price


@dataclass(frozen=True, slots=True)
class EmaCrossParams:
    """Settings of the EMA-cross yardstick."""

    fast: int = tunable(12, 2, 400, below="slow")
    slow: int = tunable(26, 3, 500)
    confidence: float = tunable(0.5, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class EmaCrosses:
    """The bars whose close crossed the fast EMA above the slow one, and back below after an entry."""

    ups: np.ndarray
    downs: np.ndarray


def ema_crosses(close: np.ndarray, params: EmaCrossParams) -> EmaCrosses:
    """Return the cross-above bars and the cross-below bars that follow the first cross above."""
    if close.size < 2:
        return EmaCrosses(np.empty(0, np.int64), np.empty(0, np.int64))
    trend = _carried_sign(ema_from_first(close, params.fast) - ema_from_first(close, params.slow))
    ups = np.flatnonzero((trend[1:] > 0) & (trend[:-1] < 0)) + 1
    downs = np.flatnonzero((trend[1:] < 0) & (trend[:-1] > 0)) + 1
    return EmaCrosses(ups, downs[downs > ups[0]] if ups.size else downs[:0])


def _carried_sign(values: np.ndarray) -> np.ndarray:
    """Return the sign of each value, a zero taking the last non-zero sign before it (0 at the start)."""
    sign = np.sign(values)
    last_set = np.maximum.accumulate(np.where(sign != 0, np.arange(sign.size), 0))
    return sign[last_set]


class EmaCrossStrategy:
    """Long on EMA(fast) crossing above EMA(slow), exit on the cross back below; no stop, no target."""

    name = "ema_cross"
    yardstick = True          # the book leaves it off for the live loop unless switched on by name

    def __init__(self, timeframe: Timeframe = Timeframe.M1, params: EmaCrossParams = EmaCrossParams()) -> None:
        self.timeframe = timeframe
        self.params = params
        self.timeframes = (timeframe,)

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the entries and exits found in view, oldest first."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the entries and exits found in the analysed view, oldest first."""
        candles = analysis.candles(self.timeframe)
        crosses = ema_crosses(candles.close, self.params)
        found = self._signals(analysis.symbol, candles, crosses.ups, SignalAction.ENTER)
        found += self._signals(analysis.symbol, candles, crosses.downs, SignalAction.EXIT)
        return sorted(found, key=lambda s: s.known_at_ms)

    def _signals(self, symbol: str, candles: Candles, bars: np.ndarray, action: SignalAction) -> list[Signal]:
        """Return the signals of action at bars (the texts common to all of them built once: 4,498 signals)."""
        p, frame, step = self.params, self.timeframe.value, self.timeframe.ms
        word = "above" if action is SignalAction.ENTER else "back below"
        reason = f"EMA{p.fast} crossed {word} EMA{p.slow} on {frame}"
        stem = f"{self.name}:{symbol}:{frame}:{action.value}:"
        opens, closes = candles.open_ms[bars].tolist(), candles.close[bars]
        return [Signal(symbol, self.name, PositionSide.LONG, price(close), None, None, p.confidence,
                       open_ms + step, frame, reason, f"{stem}{open_ms}", action)
                for open_ms, close in zip(opens, closes)]
