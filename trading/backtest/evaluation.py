"""A strategy evaluated as a quant would: out-of-sample only, against chance and against holding.

1. Walk-forward: on rolling windows, the parameter grid's best variant in-sample is traded on the window
   after it; only those out-of-sample windows count. Their returns compound into the record.
2. Random baseline: in every out-of-sample window, the strategy's own entries moved to random days
   (same count, minute of day, distances, costs and exits); each run's windows compound like the
   strategy's, so the strategy gets a percentile among runs shaped exactly like its record.
3. Buy and hold over the same out-of-sample span, fees paid.
4. Whether the edge is real: profit factor (over trades) and Sharpe (over days) with bootstrap
   intervals; the deflated Sharpe ratio of the daily out-of-sample returns for the number of variants
   tried (their Sharpe spread measured over the whole period); and the probability of backtest
   overfitting of the grid by CSCV over the variants' daily returns.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from trading.backtest.config import BacktestConfig
from trading.backtest.edge_statistics import (Interval, bootstrap_interval, deflated_sharpe,
                                              overfitting_probability, per_period_sharpe, profit_factor)
from trading.backtest.history import MarketHistory
from trading.backtest.metrics import DAY_MS, buy_and_hold_return
from trading.backtest.random_baseline import DEFAULT_RUNS, RandomBaseline, random_baseline
from trading.backtest.runner import BacktestResult, simulate
from trading.backtest.strategy_specs import spec_named, strategy_params
from trading.backtest.studies import (IN_SAMPLE_DAYS, OUT_OF_SAMPLE_DAYS, WalkForwardStudy, params_key,
                                      scans_by_strategy_params, walk_forward_study)
from trading.backtest.walkforward import parameter_grid

Stage = Callable[[str, float], None]
DAYS_A_YEAR = 365


@dataclass(frozen=True, slots=True, eq=False)
class Evaluation:
    """One strategy's out-of-sample record on one market, with what it is measured against."""

    strategy: str
    symbol: str
    study: WalkForwardStudy
    baseline: RandomBaseline               # compounded over the folds, run by run
    buy_and_hold_return_pct: float
    profit_factor: Interval
    sharpe: Interval                       # annualised, from daily returns
    deflated_sharpe: float | None
    pbo: float | None
    variants: int                          # distinct variants tried (grid points that traded alike count once)
    daily_returns: np.ndarray              # the out-of-sample days, folds in order
    curve_ms: np.ndarray                   # the out-of-sample equity, compounded, for the chart
    curve: np.ndarray
    prices: np.ndarray                     # the market's close at each curve time, for buy and hold beside it

    @property
    def return_pct(self) -> float:
        """Return the out-of-sample return, compounded over the folds, in percent."""
        return self.study.compounded_return_pct

    @property
    def trades(self) -> int:
        """Return the number of out-of-sample trades."""
        return self.study.trades


def evaluate(history: MarketHistory, strategy: str, config: BacktestConfig, window: tuple[int, int], *,
             in_days: int = IN_SAMPLE_DAYS, out_days: int = OUT_OF_SAMPLE_DAYS, runs: int = DEFAULT_RUNS,
             seed: int = 0, stage: Stage | None = None) -> Evaluation:
    """Return the strategy's walk-forward record over window with its baseline and edge statistics."""
    say = stage or (lambda _what, _done: None)
    spec = spec_named(strategy)
    say("scanning", 0.0)
    scans = scans_by_strategy_params(history, spec.name, spec.grid)
    say("walk-forward", 0.1)
    study = walk_forward_study(history, spec.name, config, window, in_days, out_days, scans=scans)
    say("random baseline", 0.4)
    baseline = _compounded_baseline(history, study, config, runs, seed)
    say("variants and statistics", 0.9)
    variants = [simulate(history, scans[params_key(strategy_params(spec, p))], config, strategy=spec.name,
                         window=window, params=p) for p in parameter_grid(spec.grid)]
    variant_days = np.unique(np.column_stack([_daily_returns(v) for v in variants]), axis=1)   # alike: one
    sharpes = [per_period_sharpe(variant_days[:, k]) for k in range(variant_days.shape[1])]
    known = [s for s in sharpes if s is not None]
    spread = float(np.var(known, ddof=1)) if len(known) > 1 else 0.0
    days = np.concatenate([_daily_returns(r) for r in study.report.out_of_sample])
    pnl = np.array([float(t.pnl) for r in study.report.out_of_sample for t in r.trades])
    curve_ms, curve = _stitched_curve(study)
    first, last = study.report.out_of_sample[0], study.report.out_of_sample[-1]
    hold = buy_and_hold_return(_price_at(history, first.metrics.start_ms, "open"),
                               _price_at(history, last.metrics.end_ms, "close"), config.instrument.taker_fee)
    return Evaluation(spec.name, history.symbol, study, baseline, hold * 100,
                      bootstrap_interval(pnl, profit_factor, seed=seed),
                      bootstrap_interval(days, _annual_sharpe, seed=seed),
                      deflated_sharpe(days, variant_days.shape[1], spread),
                      overfitting_probability(variant_days), variant_days.shape[1], days, curve_ms, curve,
                      _closes_at(history, curve_ms))


def _compounded_baseline(history: MarketHistory, study: WalkForwardStudy, config: BacktestConfig,
                         runs: int, seed: int) -> RandomBaseline:
    """Return the random runs of every fold compounded run by run, beside the strategy's compounded record."""
    growth, trades = np.ones(runs), np.zeros(runs, dtype=int)
    entries = 0
    for n, fold in enumerate(study.report.folds):
        w = fold.window
        first = int(np.searchsorted(history.candles.open_ms, fold.out_of_sample.metrics.start_ms))
        span = (first, first + (w.out_end - w.out_start))
        one = random_baseline(history, fold.out_of_sample, config, span, runs, seed, stream=n)
        growth *= 1 + one.returns_pct / 100
        trades += one.trades
        entries += one.entries
    return RandomBaseline(study.strategy, seed, (growth - 1) * 100, trades, study.compounded_return_pct, entries)


def _daily_returns(result: BacktestResult) -> np.ndarray:
    """Return the run's equity returns day by day from its first bar (a last partial day included)."""
    times, equity = result.times_ms, np.asarray(result.equity, dtype=float)
    marks = np.arange(int(times[0]), int(times[-1]), DAY_MS)[1:]
    at = np.r_[equity[0], equity[np.searchsorted(times, marks, side="right") - 1], equity[-1]]
    return np.diff(at) / at[:-1]


def _annual_sharpe(days: np.ndarray) -> float | None:
    sharpe = per_period_sharpe(days)
    return None if sharpe is None else sharpe * math.sqrt(DAYS_A_YEAR)


def _stitched_curve(study: WalkForwardStudy) -> tuple[np.ndarray, np.ndarray]:
    """Return the out-of-sample equity curves joined end to end, each fold starting where the last ended."""
    times, values, level = [], [], 1.0
    for result in study.report.out_of_sample:
        equity = np.asarray(result.equity, dtype=float)
        times.append(np.asarray(result.times_ms))
        values.append(level * equity / equity[0])
        level = float(values[-1][-1])
    return np.concatenate(times), np.concatenate(values)


def _closes_at(history: MarketHistory, times_ms: np.ndarray) -> np.ndarray:
    """Return the close of the last bar closed by each time (the first open before any bar closed)."""
    closed = np.searchsorted(history.candles.open_ms + history.timeframe.ms, times_ms, side="right") - 1
    return np.where(closed >= 0, history.candles.close[np.maximum(closed, 0)], history.candles.open[0])


def _price_at(history: MarketHistory, ms: int, field: str) -> float:
    """Return the open of the bar opening at ms, or the close of the bar closing at ms."""
    open_ms = history.candles.open_ms
    if field == "open":
        return float(history.candles.open[int(np.searchsorted(open_ms, ms))])
    return float(history.candles.close[max(0, int(np.searchsorted(open_ms, ms - history.timeframe.ms)))])
