"""Trend strategy: an EMA cross in the direction of the daily EMA200 regime, with an ATR stop.

The reference signals the LLM sees beside the ICT setups. At the close of a bar where EMA(fast) crosses
EMA(slow) in the regime's direction and RSI is not overextended, enter at that close, stop k*ATR away,
take profit at a fixed multiple of the risk. No signal while the regime is unknown (daily warm-up).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.indicators.classic import atr, crossed_above, ema, rsi
from trading.indicators.regime import REGIME_PERIOD, regime_for
from trading.strategies.base import MarketView
from trading.strategies.exit_rules import TARGET_RUNS
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.parameter_space import tunable
from trading.strategies.setups import Setup, price, to_signals


@dataclass(frozen=True, slots=True)
class TrendParams:
    """Settings of the trend strategy."""

    fast: int = tunable(21, 2, 400, below="slow")
    slow: int = tunable(55, 3, 500)
    rsi_period: int = tunable(14, 2, 200)
    rsi_long_max: float = tunable(70.0, 0.0, 100.0)     # a long above this is chasing an overbought market
    rsi_short_min: float = tunable(30.0, 0.0, 100.0)
    atr_period: int = tunable(14, 2, 200)
    atr_stop: float = tunable(2.0, 0.1, 20.0)          # stop distance in ATRs
    reward_risk: float = tunable(2.0, 0.1, 20.0)       # take-profit distance in multiples of the stop distance
    regime_period: int = tunable(REGIME_PERIOD, 10, 250)   # the live view holds 260 daily bars
    confidence: float = tunable(0.5, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class TrendSignals:
    """The bars where the trend strategy enters, with the indicator values it decided on."""

    index: np.ndarray        # bar numbers of the entries
    side: np.ndarray         # +1 long, -1 short
    stop: np.ndarray
    take_profit: np.ndarray
    rsi: np.ndarray


def trend_entries(candles: Candles, regime: np.ndarray, params: TrendParams) -> TrendSignals:
    """Return every bar whose close is a trend entry; regime holds the code visible at each bar."""
    fast, slow = ema(candles.close, params.fast), ema(candles.close, params.slow)
    strength, volatility = rsi(candles.close, params.rsi_period), atr(candles, params.atr_period)
    ready = ~np.isnan(strength) & ~np.isnan(volatility)
    longs = crossed_above(fast, slow) & (regime > 0) & (strength < params.rsi_long_max) & ready
    shorts = crossed_above(slow, fast) & (regime < 0) & (strength > params.rsi_short_min) & ready
    index = np.flatnonzero(longs | shorts)
    side = np.where(longs[index], 1, -1)
    distance = params.atr_stop * volatility[index]
    close = candles.close[index]
    return TrendSignals(index, side, close - side * distance,
                        close + side * params.reward_risk * distance, strength[index])


class TrendStrategy:
    """EMA fast/slow cross filtered by the daily EMA200 regime, RSI not overextended, ATR stop."""

    name = "trend"
    exit_rules = TARGET_RUNS     # the whole position runs to the target; break-even (+costs) at 1R

    def __init__(self, timeframe: Timeframe = Timeframe.M15, params: TrendParams = TrendParams()) -> None:
        self.timeframe = timeframe
        self.params = params
        self.timeframes = (timeframe, Timeframe.D1)

    @property
    def warm_up_days(self) -> int:
        """Return the days of history needed before the first possible entry: the regime's daily closes."""
        return self.params.regime_period + 1

    @property
    def warm_up_reason(self) -> str:
        """Return why the warm-up is needed, in a few words."""
        return f"its daily EMA{self.params.regime_period} regime needs {self.warm_up_days} daily closes"

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the trend entries found in view, oldest first."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the trend entries found in the analysed view, oldest first."""
        candles = analysis.candles(self.timeframe)
        if len(candles) == 0:
            return []
        regime = regime_for(analysis.candles(Timeframe.D1), candles.open_ms, self.timeframe,
                            self.params.regime_period)
        found = trend_entries(candles, regime, self.params)
        setups = [self._setup(candles, found, k) for k in range(found.index.shape[0])]
        return to_signals(setups, analysis.symbol, self.name, self.timeframe.value)

    def _setup(self, candles: Candles, found: TrendSignals, k: int) -> Setup:
        p, i = self.params, int(found.index[k])
        long = found.side[k] > 0
        side = PositionSide.LONG if long else PositionSide.SHORT
        words = ("above", "bull", ">") if long else ("below", "bear", "<")
        reason = (f"EMA{p.fast} crossed {words[0]} EMA{p.slow} on {self.timeframe.value} in a {words[1]} "
                  f"regime (daily close {words[2]} EMA{p.regime_period}), RSI {found.rsi[k]:.0f}, "
                  f"stop {p.atr_stop:g} ATR, target {p.reward_risk:g}R")
        open_ms = int(candles.open_ms[i])
        return Setup(side, price(candles.close[i]), price(found.stop[k]), price(found.take_profit[k]),
                     open_ms + self.timeframe.ms, reason, f"{self.timeframe.value}:{side.value}:{open_ms}",
                     p.confidence)
