"""Monte Carlo of a trade list: how deep the drawdown and how far the final equity could have gone.

Each trade's result is turned into a return on the equity it was taken with (replaying the trades
in their real order from the starting equity), and the runs compound those returns in a new order.
This models sizing in proportion to equity, which is how our strategies size.

With SHUFFLE (a permutation of the same trades) the final equity is identical in every run, since a
product does not depend on its order: only the path, hence the drawdown, changes. BOOTSTRAP draws
the trades with replacement, so the final equity spreads as well.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Sequence

import numpy as np

from trading.backtest.trades import ClosedTrade


class Resampling(StrEnum):
    """How each run reorders the trades."""

    SHUFFLE = "shuffle"
    BOOTSTRAP = "bootstrap"


@dataclass(frozen=True, slots=True)
class Percentiles:
    """The 5th, 50th and 95th percentiles of a simulated figure."""

    p5: float
    p50: float
    p95: float


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """The spread of outcomes over all runs; drawdown in percent of the running peak."""

    runs: int
    trades: int
    resampling: Resampling
    max_drawdown_pct: Percentiles
    final_equity: Percentiles


def trade_returns(trades: Sequence[ClosedTrade], start_equity: Decimal | float) -> np.ndarray:
    """Return each trade's net result as a fraction of the equity before it, replaying in exit order."""
    ordered = sorted(trades, key=lambda t: t.exit_ms)
    pnl = np.array([float(t.pnl) for t in ordered], dtype=np.float64)
    before = float(start_equity) + np.concatenate(([0.0], np.cumsum(pnl)[:-1]))
    if np.any(before <= 0):
        raise ValueError("equity reached zero during the trades; returns after ruin are undefined")
    return pnl / before


def monte_carlo(trades: Sequence[ClosedTrade], start_equity: Decimal | float, *, runs: int = 1000,
                seed: int = 0, resampling: Resampling = Resampling.SHUFFLE) -> MonteCarloResult:
    """Return the percentiles of maximum drawdown and final equity over runs reordered trade sequences."""
    return simulate_returns(trade_returns(trades, start_equity), float(start_equity), runs=runs,
                            seed=seed, resampling=resampling)


def simulate_returns(returns: np.ndarray, start_equity: float, *, runs: int = 1000, seed: int = 0,
                     resampling: Resampling = Resampling.SHUFFLE) -> MonteCarloResult:
    """Return the percentiles over runs of compounding per-trade returns in a reordered sequence."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    rng = np.random.default_rng(seed)
    if returns.size == 0:
        flat = Percentiles(start_equity, start_equity, start_equity)
        return MonteCarloResult(runs, 0, resampling, Percentiles(0.0, 0.0, 0.0), flat)
    if resampling is Resampling.SHUFFLE:
        paths = rng.permuted(np.broadcast_to(returns, (runs, returns.size)), axis=1)
    else:
        paths = rng.choice(returns, size=(runs, returns.size), replace=True)
    equity = start_equity * np.cumprod(1.0 + paths, axis=1)
    peaks = np.maximum(np.maximum.accumulate(equity, axis=1), start_equity)
    drawdown = np.max(1.0 - equity / peaks, axis=1) * 100
    return MonteCarloResult(runs, int(returns.size), resampling, _percentiles(drawdown),
                            _percentiles(equity[:, -1]))


def _percentiles(values: np.ndarray) -> Percentiles:
    """Return the 5th, 50th and 95th percentiles of values."""
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return Percentiles(float(p5), float(p50), float(p95))
