"""Whether an edge is real: bootstrap confidence intervals, the deflated Sharpe ratio, overfitting probability.

- Bootstrap: resample with replacement (seeded), recompute the statistic, take the percentile interval.
- Deflated Sharpe ratio (Bailey and Lopez de Prado, 2014): the probability that the true Sharpe ratio
  exceeds the best one expected from n_trials variants of pure noise, given the sample's length, skew
  and kurtosis. Sharpe ratios here are per period (not annualised), as the formula needs.
- Probability of backtest overfitting (Bailey, Borwein, Lopez de Prado and Zhu, 2015), by combinatorially
  symmetric cross-validation: split the periods into blocks; for every half of the blocks, pick the
  variant best in that half and see where it ranks in the other half; PBO is the share of splits where
  it ranks at or below the median.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Callable

import numpy as np

EULER_GAMMA = 0.5772156649015329
NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Interval:
    """A statistic with its bootstrap percentile interval (None where it is undefined)."""

    value: float | None
    low: float | None
    high: float | None


def per_period_sharpe(returns: np.ndarray) -> float | None:
    """Return mean / sample standard deviation of returns (None for fewer than two or no spread)."""
    r = np.asarray(returns, dtype=float)
    if r.size < 2:
        return None
    sd = float(np.std(r, ddof=1))
    return None if sd == 0 else float(np.mean(r)) / sd


def profit_factor(pnl: np.ndarray) -> float | None:
    """Return gross wins / gross losses (inf with no losses, None without trades)."""
    p = np.asarray(pnl, dtype=float)
    if p.size == 0:
        return None
    losses = -float(p[p < 0].sum())
    wins = float(p[p > 0].sum())
    return math.inf if losses == 0 and wins > 0 else (0.0 if losses == 0 else wins / losses)


def bootstrap_interval(sample: np.ndarray, statistic: Callable[[np.ndarray], float | None], *,
                       runs: int = 1000, seed: int = 0, level: float = 0.95) -> Interval:
    """Return statistic(sample) with its percentile interval over runs resamples with replacement."""
    values = np.asarray(sample, dtype=float)
    point = statistic(values) if values.size else None
    if values.size < 2:
        return Interval(point, None, None)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, values.size, size=(runs, values.size))
    found = [statistic(values[row]) for row in picks]
    finite = np.array([v for v in found if v is not None and math.isfinite(v)])
    if finite.size == 0:
        return Interval(point, None, None)
    tail = (1 - level) / 2 * 100
    return Interval(point, float(np.percentile(finite, tail)), float(np.percentile(finite, 100 - tail)))


def expected_max_sharpe(trials: int, sharpe_variance: float) -> float:
    """Return the Sharpe ratio the best of trials variants of noise is expected to reach (per period)."""
    if trials <= 1 or sharpe_variance <= 0:
        return 0.0
    return math.sqrt(sharpe_variance) * ((1 - EULER_GAMMA) * NORMAL.inv_cdf(1 - 1 / trials)
                                         + EULER_GAMMA * NORMAL.inv_cdf(1 - 1 / (trials * math.e)))


def deflated_sharpe(returns: np.ndarray, trials: int, sharpe_variance: float) -> float | None:
    """Return the probability that the true per-period Sharpe of returns beats the best of trials noise runs."""
    r = np.asarray(returns, dtype=float)
    sharpe = per_period_sharpe(r)
    if sharpe is None or r.size < 3:
        return None
    centred = r - r.mean()
    sd = float(np.sqrt(np.mean(centred ** 2)))
    skew = float(np.mean(centred ** 3)) / sd ** 3
    kurtosis = float(np.mean(centred ** 4)) / sd ** 4
    benchmark = expected_max_sharpe(trials, sharpe_variance)
    spread = 1 - skew * sharpe + (kurtosis - 1) / 4 * sharpe ** 2
    if spread <= 0:
        return None
    return NORMAL.cdf((sharpe - benchmark) * math.sqrt(r.size - 1) / math.sqrt(spread))


def overfitting_probability(performance: np.ndarray, blocks: int = 8) -> float | None:
    """Return the PBO of a (periods x variants) matrix of returns by CSCV over blocks (None if undefined)."""
    m = np.unique(np.asarray(performance, dtype=float), axis=1)      # variants that traded alike are one
    periods, variants = m.shape
    blocks = min(blocks, periods) - min(blocks, periods) % 2
    if variants < 2 or blocks < 2:
        return None
    parts = np.array_split(np.arange(periods), blocks)
    logits = []
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        inside = np.concatenate([parts[b] for b in chosen])
        outside = np.concatenate([parts[b] for b in range(blocks) if b not in chosen])
        scores = _mean_over(m[inside])
        best = int(np.argmax(scores))
        if np.sum(scores == scores[best]) > 1:
            continue                    # no single best variant in-sample: nothing was chosen to overfit
        omega = _rank(_mean_over(m[outside]), best) / (variants + 1)
        logits.append(math.log(omega / (1 - omega)))
    return float(np.mean(np.array(logits) <= 0)) if logits else None


def _mean_over(rows: np.ndarray) -> np.ndarray:
    """Return each variant's mean return over rows (the score CSCV ranks by)."""
    return rows.mean(axis=0)


def _rank(scores: np.ndarray, k: int) -> float:
    """Return the rank of scores[k] from 1 (worst), ties sharing the average of their ranks."""
    below, equal = float(np.sum(scores < scores[k])), float(np.sum(scores == scores[k]))
    return below + (equal + 1) / 2
