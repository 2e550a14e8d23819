"""Studies built on single backtests: strategies side by side, walk-forward out-of-sample, Monte Carlo of trades."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from trading.backtest.history import MarketHistory
from trading.backtest.metrics import DAY_MS
from trading.backtest.montecarlo import MonteCarloResult, Resampling, monte_carlo
from trading.backtest.runner import BacktestConfig, BacktestResult, scan, simulate
from trading.backtest.strategy_specs import TRADED_NAMES, Params, spec_named, strategy_params
from trading.backtest.walkforward import (WalkForwardReport, parameter_grid, walk_forward,
                                          walk_forward_windows)
from trading.domain.signals import Signal
from trading.strategies.market_analysis import MarketAnalysis

IN_SAMPLE_DAYS = 30
OUT_OF_SAMPLE_DAYS = 10
MONTE_CARLO_RUNS = 1000


def compare(history: MarketHistory, config: BacktestConfig, window: tuple[int, int],
            names: Sequence[str] = TRADED_NAMES) -> dict[str, BacktestResult]:
    """Return each strategy's backtest over the same bars, the indicators computed once for all."""
    signals = scan(history, names)
    return {name: simulate(history, found, config, strategy=name, window=window)
            for name, found in signals.items()}


@dataclass(frozen=True, slots=True)
class WalkForwardStudy:
    """The out-of-sample folds of one strategy and what they add up to."""

    strategy: str
    report: WalkForwardReport[BacktestResult]
    in_sample_days: int
    out_of_sample_days: int

    @property
    def compounded_return_pct(self) -> float:
        """Return the out-of-sample returns compounded over the folds, in percent."""
        growth = 1.0
        for result in self.report.out_of_sample:
            growth *= 1 + result.metrics.total_return_pct / 100
        return (growth - 1) * 100

    @property
    def trades(self) -> int:
        """Return the number of out-of-sample trades."""
        return sum(r.metrics.trades for r in self.report.out_of_sample)


def walk_forward_study(history: MarketHistory, strategy: str, config: BacktestConfig, window: tuple[int, int],
                       in_days: int = IN_SAMPLE_DAYS, out_days: int = OUT_OF_SAMPLE_DAYS, *,
                       scans: Mapping[tuple, list[Signal]] | None = None) -> WalkForwardStudy:
    """Pick the grid's best parameters on each in-sample window (by return), report the next window only."""
    spec = spec_named(strategy)
    per_day = DAY_MS // history.timeframe.ms
    first, end = window
    folds = walk_forward_windows(end - first, in_days * per_day, out_days * per_day)
    if not folds:
        span = (end - first) // per_day
        raise ValueError(f"walk-forward needs at least {in_days + out_days} days of data; "
                         f"the period holds {span}")
    scans = scans if scans is not None else scans_by_strategy_params(history, spec.name, spec.grid)

    def evaluate(params: Params, start: int, stop: int) -> BacktestResult:
        """Backtest params over bars [start, stop) of the window."""
        signals = scans[params_key(strategy_params(spec, params))]
        return simulate(history, signals, config, strategy=spec.name, window=(first + start, first + stop),
                        params=params)

    report = walk_forward(folds, spec.grid, evaluate, lambda r: r.metrics.total_return_pct)
    return WalkForwardStudy(spec.name, report, in_days, out_days)


def monte_carlo_study(result: BacktestResult, config: BacktestConfig, runs: int = MONTE_CARLO_RUNS,
                      resampling: Resampling = Resampling.BOOTSTRAP) -> MonteCarloResult:
    """Return the spread of drawdown and final equity over resampled trade sequences (bootstrap by default)."""
    return monte_carlo(result.trades, config.starting_balance, runs=runs, resampling=resampling)


def scans_by_strategy_params(history: MarketHistory, name: str,
                              grid: Mapping[str, tuple[float, ...]]) -> dict[tuple, list[Signal]]:
    """Return the signals of every distinct strategy-parameter set of the grid (decider keys share a scan)."""
    spec, analysis = spec_named(name), MarketAnalysis(history.view())
    out: dict[tuple, list[Signal]] = {}
    for params in parameter_grid(grid):
        own = strategy_params(spec, params)
        if params_key(own) not in out:
            out[params_key(own)] = spec.strategy(own).scan_analysis(analysis)
    return out


def params_key(params: Params) -> tuple:
    """Return params as a hashable key, in name order."""
    return tuple(sorted(params.items()))
