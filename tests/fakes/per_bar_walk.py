"""The backtest's trade simulation walked bar by bar: the reference its event-to-event walk must equal.

PerBarSimulation is the real TradeSimulation (same engine, rules decider and paper broker) with one
change: while a position is open, every bar is handed to the engine, not only the bars position_watch
says can change something. Comparing a run of each on the same signals proves the jumps never skip a
bar that mattered to the stops, targets, zones, partials, break-even, trailing, funding, liquidation
and the account limits (tests/unit/backtest/test_event_walk_equivalence.py): this walk marks the
account's equity for the daily loss and the drawdown at every close, as the live loop does at every
closed candle; the event walk only at the closes where they can change (trading/backtest/limit_watch.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from trading.backtest.config import BacktestConfig
from trading.backtest.history import MarketHistory
from trading.backtest.runner import with_rules
from trading.backtest.simulation import TradeSimulation
from trading.backtest.strategy_specs import config_for
from trading.domain.signals import Signal


class PerBarSimulation(TradeSimulation):
    """A TradeSimulation that hands the engine every bar of an open position."""

    def _walk(self, until: int) -> None:
        while self._open is not None and self.cursor <= until:
            self._event_bar(self.cursor)
            self.cursor += 1


@dataclass(frozen=True, slots=True, eq=False)
class Walked:
    """What one walk produced: its trades, equity curve, rejections, breaches and the signals it entered."""

    trades: tuple
    times_ms: np.ndarray
    equity: np.ndarray
    rejections: dict
    breaches: dict
    entered: tuple


def walked(simulation: type[TradeSimulation], history: MarketHistory, signals: Sequence[Signal],
           config: BacktestConfig, strategy: str) -> Walked:
    """Return the run of signals over the whole history by one kind of walk, as runner.simulate sets it up."""
    config = with_rules(config_for(strategy, config), {})
    end = len(history.candles)
    run = simulation(history, config, 0, end)
    stop_ms = int(history.close_ms[end - 1])
    run.run([s for s in signals if int(history.candles.open_ms[0]) <= s.known_at_ms < stop_ms])
    times, equity = run.equity.curve(history.candles, 0, end, history.timeframe.ms)
    return Walked(tuple(run.trades), times, equity, dict(run.rejections), dict(run.breaches), tuple(run.entered))
