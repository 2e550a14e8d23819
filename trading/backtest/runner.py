"""Backtest a strategy: scan the whole history once (vectorised), then trade its signals event to event.

    history = history_from_candles("BTC/USDT", candles)
    result = backtest(history, "A", BacktestConfig(instrument))
    result.metrics.total_return_pct, result.trades, result.times_ms, result.equity

Signals come from the strategies' causal scan of the whole history, so a signal found at a bar is exactly
what live trading would have found at that bar's close; the window [start_ms, end_ms) only limits which
bars are traded (the bars before it warm the indicators up).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

import numpy as np

from trading.backtest.history import MarketHistory
from trading.backtest.metrics import BacktestMetrics, buy_and_hold_return, compute_metrics
from trading.backtest.config import BacktestConfig
from trading.backtest.simulation import Progress, TradeSimulation
from trading.backtest.strategy_specs import RULES_MIN_REWARD_RISK, Params, config_for, spec_named
from trading.backtest.trades import ClosedTrade
from trading.domain.candles import Timeframe
from trading.domain.signals import Signal
from trading.strategies.market_analysis import MarketAnalysis

__all__ = ["BacktestConfig", "BacktestResult", "backtest", "scan", "simulate"]


@dataclass(frozen=True, slots=True, eq=False)
class BacktestResult:
    """One strategy's run: its metrics, trades and equity curve, and why signals were not traded."""

    strategy: str
    symbol: str
    timeframe: Timeframe
    metrics: BacktestMetrics
    trades: tuple[ClosedTrade, ...]
    times_ms: np.ndarray            # the first bar's open, then every bar's close
    equity: np.ndarray
    signals: int                    # signals inside the traded window
    rejections: Mapping[str, int] = field(default_factory=dict)   # by the rule that skipped them
    breaches: Mapping[str, int] = field(default_factory=dict)     # account limits hit
    params: Mapping[str, float] = field(default_factory=dict)
    entered: tuple[Signal, ...] = ()   # the signals that opened the trades, in order


def scan(history: MarketHistory, names: Iterable[str], params: Params | None = None) -> dict[str, list[Signal]]:
    """Return each named strategy's signals over the whole history, the indicators computed once for all."""
    analysis = MarketAnalysis(history.view())
    return {spec.name: spec.strategy(params).scan_analysis(analysis)
            for spec in (spec_named(n) for n in names)}


def simulate(history: MarketHistory, signals: Sequence[Signal], config: BacktestConfig, *, strategy: str = "",
             window: tuple[int, int] | None = None, params: Params | None = None,
             progress: Progress | None = None) -> BacktestResult:
    """Trade the signals over the bars of window (bar indices [first, end); default: all of them)."""
    first, end = window or (0, len(history.candles))
    config = with_rules(config_for(strategy, config), params or {})
    run = TradeSimulation(history, config, first, end)
    start_ms, stop_ms = int(history.candles.open_ms[first]), int(history.close_ms[end - 1])
    inside = [s for s in signals if start_ms <= s.known_at_ms < stop_ms]
    run.run(inside, progress)
    times, equity = run.equity.curve(history.candles, first, end, history.timeframe.ms)
    bars = history.candles
    hold = buy_and_hold_return(bars.open[first], bars.close[end - 1], config.instrument.taker_fee)
    metrics = compute_metrics(times, equity, run.trades, buy_hold=hold)
    return BacktestResult(strategy, history.symbol, history.timeframe, metrics, tuple(run.trades), times, equity,
                          len(inside), dict(run.rejections), dict(run.breaches), dict(params or {}),
                          tuple(run.entered))


def backtest(history: MarketHistory, strategy: str, config: BacktestConfig, *, params: Params | None = None,
             start_ms: int | None = None, end_ms: int | None = None,
             progress: Progress | None = None) -> BacktestResult:
    """Scan the history with one strategy and trade its signals between start_ms and end_ms."""
    name = spec_named(strategy).name
    signals = scan(history, [name], params)[name]
    return simulate(history, signals, config, strategy=name, window=history.window(start_ms, end_ms),
                    params=params, progress=progress)


def with_rules(config: BacktestConfig, params: Params) -> BacktestConfig:
    """Return config with the rules decider's threshold from params, when params set it."""
    if RULES_MIN_REWARD_RISK not in params:
        return config
    threshold = Decimal(repr(float(params[RULES_MIN_REWARD_RISK])))
    return replace(config, rules=replace(config.rules, min_reward_risk=threshold))
