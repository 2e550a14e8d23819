"""A random-entry baseline: the strategy's own entries moved to random days, traded by the same simulation.

Each run keeps everything the strategy does not choose by skill: how many entries, their side, the
minute of the day each came at, its stop and target distances as fractions of the entry, its
confidence, and every cost and exit rule (the same config and strategy name, so the strategy's own
exits apply). Only the day moves, drawn uniformly from the days of the window that hold that minute.
Where the strategy's return sits in the spread of these runs says whether its timing adds anything:
below the 5th percentile it does worse than chance, which is a bug or a bad rule until shown otherwise.
Runs are seeded one by one (seed, run), so any run can be reproduced alone and in any order.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

import numpy as np

from trading.backtest.config import BacktestConfig
from trading.backtest.history import MarketHistory
from trading.backtest.metrics import DAY_MS
from trading.backtest.runner import BacktestResult, simulate
from trading.domain.signals import Signal

DEFAULT_RUNS = 200


@dataclass(frozen=True, slots=True, eq=False)
class RandomBaseline:
    """The returns of random-entry runs beside the strategy's own."""

    strategy: str
    seed: int
    returns_pct: np.ndarray          # one per run, in run order
    trades: np.ndarray               # trades taken per run (overlapping entries are skipped, as live)
    strategy_return_pct: float
    entries: int                     # the strategy's entries each run places

    @property
    def runs(self) -> int:
        """Return the number of random runs."""
        return len(self.returns_pct)

    def quantile(self, q: float) -> float:
        """Return the q-th percentile (0 to 100) of the runs' returns, in percent."""
        return float(np.percentile(self.returns_pct, q)) if self.runs else 0.0

    @property
    def percentile(self) -> float:
        """Return the share of runs the strategy beat, ties counted half, in percent."""
        if not self.runs:
            return 50.0
        below = np.sum(self.returns_pct < self.strategy_return_pct)
        ties = np.sum(self.returns_pct == self.strategy_return_pct)
        return float((below + ties / 2) / self.runs * 100)

    @property
    def worse_than_chance(self) -> bool:
        """Return True when the strategy sits below the baseline's 5th percentile."""
        return self.runs > 0 and self.percentile < 5


def ordinal(percentile: float) -> str:
    """Return a percentile as an English ordinal: 1st, 2nd, 3rd, 11th, 21st, 50th."""
    n = int(round(percentile))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def random_baseline(history: MarketHistory, result: BacktestResult, config: BacktestConfig,
                    window: tuple[int, int], runs: int = DEFAULT_RUNS, seed: int = 0,
                    stream: int = 0) -> RandomBaseline:
    """Return runs random-entry backtests shaped like result's entries over the same bars and costs.

    stream tells apart baselines drawn with one seed for different windows (the folds of a walk-forward).
    """
    returns, trades = np.zeros(runs), np.zeros(runs, dtype=int)
    for run in range(runs):
        signals = random_entries(history, result.entered, window, run_rng(seed, run, stream),
                                 tag=f"{seed}:{stream}:{run}")
        if not signals:
            continue
        randomised = simulate(history, signals, config, strategy=result.strategy, window=window,
                              params=result.params)
        returns[run], trades[run] = randomised.metrics.total_return_pct, randomised.metrics.trades
    return RandomBaseline(result.strategy, seed, returns, trades, result.metrics.total_return_pct,
                          len(result.entered))


def run_rng(seed: int, run: int, stream: int = 0) -> np.random.Generator:
    """Return the random generator of one run: the same for the same seed and run, wherever it runs."""
    return np.random.default_rng([seed, stream, run])


def random_entries(history: MarketHistory, template: Sequence[Signal], window: tuple[int, int],
                   rng: np.random.Generator, tag: str = "") -> list[Signal]:
    """Return template's entries each moved to a random day of window at the same minute of the day."""
    open_ms, close = history.candles.open_ms, history.candles.close
    first, end = window
    # a signal is known at a bar's close and fills at the next bar's open, which must lie in the window
    earliest, latest = int(open_ms[first]) + history.timeframe.ms, int(open_ms[end - 1])
    out = []
    for n, signal in enumerate(template):
        minute = signal.known_at_ms % DAY_MS
        days = np.arange(-(-(earliest - minute) // DAY_MS), (latest - minute) // DAY_MS + 1)
        if len(days) == 0:
            continue
        known = int(rng.choice(days)) * DAY_MS + minute
        bar = int(np.searchsorted(open_ms, known, side="left")) - 1     # the bar that closes at known
        if bar < first:
            continue
        out.append(_moved(signal, Decimal(repr(float(close[bar]))), known, f"random:{tag}:{n}"))
    return sorted(out, key=lambda s: s.known_at_ms)


def _moved(signal: Signal, entry: Decimal, known_at_ms: int, setup_id: str) -> Signal:
    """Return signal entered at entry at known_at_ms, its stop and target at the same fractions of the entry."""
    def level(price: Decimal | None) -> Decimal | None:
        return None if price is None else entry * (price / signal.entry)

    return Signal(signal.symbol, signal.strategy, signal.side, entry, level(signal.stop),
                  level(signal.take_profit), signal.confidence, known_at_ms, signal.timeframe,
                  "random entry with the strategy's distances", setup_id)
