"""Walk-forward optimisation: pick parameters on a past window, judge them only on the window after it.

Windows are half-open ranges of bar indices. The evaluation callable runs a backtest of one parameter
set over bars [start, end) and may read bars before start to warm up its indicators, never bars at or
after end. The optimiser sees in-sample results only to choose; the report holds out-of-sample ones.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Generic, Mapping, Sequence, TypeVar

Result = TypeVar("Result")
Params = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class WalkForwardWindow:
    """One fold: optimise on [in_start, in_end), then test on [out_start, out_end)."""

    in_start: int
    in_end: int
    out_start: int
    out_end: int


@dataclass(frozen=True, slots=True)
class WalkForwardFold(Generic[Result]):
    """The parameters chosen in-sample and what they did out-of-sample."""

    window: WalkForwardWindow
    params: Params
    out_of_sample: Result


@dataclass(frozen=True, slots=True)
class WalkForwardReport(Generic[Result]):
    """Out-of-sample results of every fold, oldest first."""

    folds: tuple[WalkForwardFold[Result], ...]

    @property
    def out_of_sample(self) -> list[Result]:
        """Return the out-of-sample results in time order."""
        return [fold.out_of_sample for fold in self.folds]


def walk_forward_windows(bars: int, in_sample: int, out_of_sample: int,
                         step: int | None = None) -> list[WalkForwardWindow]:
    """Return rolling windows over bars; each test window follows its own in-sample window directly.

    step (default out_of_sample) is how far each fold rolls; it may not be shorter than the test
    window, so test windows never overlap. Only complete folds are returned.
    """
    step = out_of_sample if step is None else step
    if in_sample < 1 or out_of_sample < 1:
        raise ValueError("in-sample and out-of-sample windows need at least one bar each")
    if step < out_of_sample:
        raise ValueError(f"step {step} is shorter than the out-of-sample window {out_of_sample}; "
                         "test windows would overlap")
    last_start = bars - in_sample - out_of_sample
    return [WalkForwardWindow(s, s + in_sample, s + in_sample, s + in_sample + out_of_sample)
            for s in range(0, last_start + 1, step)]


def parameter_grid(grid: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Return every combination of the grid's values, in the order the values are given."""
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def walk_forward(windows: Sequence[WalkForwardWindow], grid: Mapping[str, Sequence[float]],
                 evaluate: Callable[[Params, int, int], Result],
                 score: Callable[[Result], float]) -> WalkForwardReport[Result]:
    """Return, per window, the best in-sample parameters (highest score, first on ties) tested out-of-sample."""
    candidates = parameter_grid(grid)
    if not candidates:
        raise ValueError("the parameter grid is empty")
    folds = []
    for window in windows:
        scores = [score(evaluate(params, window.in_start, window.in_end)) for params in candidates]
        best = candidates[max(range(len(scores)), key=scores.__getitem__)]
        folds.append(WalkForwardFold(window, best, evaluate(best, window.out_start, window.out_end)))
    return WalkForwardReport(tuple(folds))
