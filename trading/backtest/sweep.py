"""A parameter sweep: every trial a full backtest through the one engine, scored out of sample only.

The period is cut into the walk-forward folds (in-sample days, then out-of-sample days, rolling). A trial
fixes one set of parameters and runs each fold's out-of-sample window (its indicators warmed up on all
the bars before it, as always); its score is the compounded out-of-sample return. Its in-sample returns
are kept too, so a walk-forward over the trials (pick the best in-sample, trade it out of sample) and the
probability of overfitting across them can be judged. A trial is a pure function of its parameters and
the shared data (SweepData), so the same trials give the same results in one process, a process pool or
a Dask cluster.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from trading.backtest.config import BacktestConfig
from trading.backtest.history import MarketHistory
from trading.backtest.metrics import DAY_MS
from trading.backtest.runner import scan, simulate
from trading.backtest.strategy_specs import spec_named
from trading.backtest.walkforward import WalkForwardWindow, parameter_grid, walk_forward_windows
from trading.domain.errors import echoed
from trading.strategies.parameter_space import Parameter, parsed_value

Params = Mapping[str, float]
MAX_TRIALS = 5000


@dataclass(frozen=True, slots=True, eq=False)
class SweepData:
    """What every trial reads: shipped once to each worker."""

    history: MarketHistory
    config: BacktestConfig
    strategy: str
    window: tuple[int, int]
    folds: tuple[WalkForwardWindow, ...]


@dataclass(frozen=True, slots=True)
class TrialResult:
    """One trial: its parameters, each fold's in-sample and out-of-sample return, and its trade count."""

    index: int
    params: tuple[tuple[str, float], ...]
    in_sample_pct: tuple[float, ...]
    out_of_sample_pct: tuple[float, ...]
    trades: int                      # out of sample

    @property
    def score(self) -> float:
        """Return the compounded out-of-sample return in percent (what trials are ranked by)."""
        return (math.prod(1 + r / 100 for r in self.out_of_sample_pct) - 1) * 100


def parse_param(text: str) -> tuple[str, tuple[float, ...]]:
    """Return (name, values) from 'name=a,b,c' or 'name=low:high:step' (high included when on the step)."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise ValueError(f"--param {echoed(text)} is not like rules_min_rr=1.5:3:0.5 or sweep_lookback=8,12,16")
    try:
        low, step, count = _steps(values) if ":" in values else (0.0, 0.0, len(values.split(",")))
        numbers = tuple(dict.fromkeys(float(v) for v in values.split(","))) if ":" not in values else ()
        if not all(math.isfinite(v) for v in numbers):
            raise ValueError
    except ValueError:
        raise ValueError(f"--param {echoed(text)}: the values must be numbers, a,b,c or low:high:step with "
                         f"step above 0") from None
    if count > MAX_TRIALS:
        raise ValueError(f"--param {echoed(text)} holds {count:,} values, more than {MAX_TRIALS:,}; "
                         f"use a bigger step")
    return name, numbers or tuple(round(low + k * step, 10) for k in range(count))


def _steps(text: str) -> tuple[float, float, int]:
    """Return (low, step, count) of 'low:high:step'; raise ValueError when it is not a finite, rising range."""
    low, high, step = (float(v) for v in text.split(":"))
    if not all(math.isfinite(v) for v in (low, high, step)) or step <= 0 or high < low:
        raise ValueError
    return low, step, int(math.floor((high - low) / step + 1e-9)) + 1


def sweep_space(strategy: str, params: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """Return the values of each --param text, refusing names the strategy does not have (the size of the
    grid is the search plan's to check: TPE may search a space far larger than a grid can run)."""
    spec = spec_named(strategy)
    declared = spec.tunable()
    known = list(declared)
    parsed = [parse_param(p) for p in params]
    space = dict(parsed)
    if len(space) < len(parsed):
        twice = next(n for k, (n, _) in enumerate(parsed) if n in dict(parsed[:k]))
        raise ValueError(f"--param {echoed(twice)} is given twice; give each parameter once, with all its values")
    unknown = [n for n in space if n not in known]
    if unknown:
        raise ValueError(f"{spec.name} has no parameter {echoed(unknown[0])}; use one of {', '.join(known)}")
    if not space:
        raise ValueError(f"say what to sweep: --param NAME=a,b,c (one of {', '.join(known)})")
    return {name: _in_range(declared[name], values) for name, values in space.items()}


def _in_range(parameter: Parameter, values: tuple[float, ...]) -> tuple[float, ...]:
    """Return values checked against the parameter's type and range, as the running strategy would take them."""
    try:
        return tuple(dict.fromkeys(parsed_value(parameter, v) for v in values))
    except ValueError as exc:
        raise ValueError(f"--param {exc}") from None


def sweep_data(history: MarketHistory, config: BacktestConfig, strategy: str, window: tuple[int, int],
               in_days: int, out_days: int) -> SweepData:
    """Return the shared data of a sweep, with its folds; raise ValueError when the period is too short."""
    per_day = DAY_MS // history.timeframe.ms
    first, end = window
    folds = walk_forward_windows(end - first, in_days * per_day, out_days * per_day)
    if not folds:
        raise ValueError(f"a sweep needs at least {in_days + out_days} days of data; the period holds "
                         f"{(end - first) // per_day}")
    shifted = tuple(WalkForwardWindow(f.in_start + first, f.in_end + first, f.out_start + first, f.out_end + first)
                    for f in folds)
    return SweepData(history, config, spec_named(strategy).name, window, shifted)


def trials_of(space: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Return every trial's parameters, in grid order (the trial's index is its place here)."""
    return parameter_grid(space)


def run_trial(data: SweepData, index: int, params: Params) -> TrialResult:
    """Run one trial: scan with params once, then trade each fold's in-sample and out-of-sample window."""
    signals = scan(data.history, [data.strategy], params)[data.strategy]
    ins, outs, trades = [], [], 0
    for fold in data.folds:
        inside = simulate(data.history, signals, data.config, strategy=data.strategy,
                          window=(fold.in_start, fold.in_end), params=params)
        out = simulate(data.history, signals, data.config, strategy=data.strategy,
                       window=(fold.out_start, fold.out_end), params=params)
        ins.append(inside.metrics.total_return_pct)
        outs.append(out.metrics.total_return_pct)
        trades += out.metrics.trades
    return TrialResult(index, tuple(sorted(params.items())), tuple(ins), tuple(outs), trades)


def chosen_out_of_sample(results: Sequence[TrialResult]) -> tuple[float, list[int]]:
    """Return the walk-forward over the trials: per fold the best in-sample trial, traded out of sample.

    Returns the compounded out-of-sample return in percent and the trial index chosen in each fold.
    """
    if not results:
        return 0.0, []
    growth, chosen = 1.0, []
    for k in range(len(results[0].in_sample_pct)):
        best = max(results, key=lambda r: (r.in_sample_pct[k], -r.index))
        growth *= 1 + best.out_of_sample_pct[k] / 100
        chosen.append(best.index)
    return (growth - 1) * 100, chosen


def fold_matrix(results: Sequence[TrialResult]) -> np.ndarray:
    """Return the (folds x trials) out-of-sample returns, for the overfitting statistics."""
    return np.array([r.out_of_sample_pct for r in results], dtype=float).T
