"""Optuna's TPE over a sweep's space: trials asked in batches, run in parallel, told back in trial order.

TPE (the tree-structured Parzen estimator) models where good and bad out-of-sample scores fall and asks
for parameters where good ones are likelier, so it finds a good region of a large space in far fewer
trials than the grid. The sampler is seeded and, whatever runs the trials (this process, a pool, a
cluster), each batch of BATCH asks is told back in the order it was asked: the same seed and batch give
the same trials and results everywhere. Within a batch, the constant liar keeps TPE from asking for the
same point twice while the first is still running. A parameter set asked again is answered from the
trials already run (the same parameters give the same backtest), so the sweep holds distinct trials only.
A parameter set outside the strategy's relations (fast not below slow) is pruned as soon as it is asked:
never run, never a result, and TPE learns to ask elsewhere; being decided here, before any runner sees
it, it keeps the same seed giving the same trials everywhere.

A parameter given as low:high:step is searched as a number on those steps; a list a,b,c is searched as
a choice among its values. optuna is imported only here, when a TPE search runs.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from trading.backtest.sweep import Params, TrialResult
from trading.domain.errors import ConfigurationError

BATCH = 16                  # asks per round; part of the search's definition, like the seed
MAX_ASKS_PER_TRIAL = 20     # a space nearly exhausted stops the search instead of asking forever
Evaluate = Callable[[list[tuple[int, Params]]], list[TrialResult]]
Allowed = Callable[[Params], bool]
Space = Mapping[str, Sequence[float]]


@dataclass(frozen=True, slots=True)
class TpeRun:
    """A TPE search's trials in the order asked, and what it sampled: how many asks, how many of them pruned."""

    results: list[TrialResult]
    asked: int = 0          # every sample TPE drew: run, answered by an earlier trial, or pruned
    pruned: int = 0         # samples the relations refused (never run); one drawn twice is pruned twice


def distinct_trials(space: Space) -> int:
    """Return how many distinct parameter sets the space holds."""
    return math.prod(len(set(values)) for values in space.values())


def tpe_search(space: Space, trials: int, seed: int, evaluate: Evaluate, batch: int = BATCH,
               allowed: Allowed | None = None) -> TpeRun:
    """Return trials distinct TPE trials over the space, each scored by evaluate, in the order they were asked.

    A trial allowed refuses is pruned, not run (it is not one of the trials); the run counts those samples.
    """
    try:
        import optuna
    except ImportError:       # the sweeps extra: left out of requirements.lock and the Docker image
        raise ConfigurationError("sweep --search tpe needs Optuna, which this install leaves out: pip install "
                                 "'trading-assistant[sweeps]' (or -r requirements-test.lock), or search the grid "
                                 "(--search grid)") from None

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    shapes = {name: _distribution(values) for name, values in space.items()}
    known: dict[tuple, TrialResult] = {}
    results: list[TrialResult] = []
    asks = pruned = 0
    while len(results) < trials and asks < trials * MAX_ASKS_PER_TRIAL:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            asked = [study.ask(shapes) for _ in range(min(batch, trials - len(results)))]
        asks += len(asked)
        wanted = [_params(t.params) for t in asked]
        fresh, refused = _to_run(wanted, known, allowed, len(results))
        pruned += refused
        for result in evaluate(fresh):
            known[_key(dict(result.params))] = result
            results.append(result)
        for trial, params in zip(asked, wanted):          # told in the order asked, whoever ran them
            done = known.get(_key(params))
            if done is None:                              # outside the relations: pruned, never run
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            else:
                study.tell(trial, done.score)
    return TpeRun(sorted(results, key=lambda r: r.index), asks, pruned)


def _to_run(wanted: Sequence[Params], known: Mapping[tuple, TrialResult], allowed: Allowed | None,
            first: int) -> tuple[list[tuple[int, Params]], int]:
    """Return the batch's new parameter sets numbered from first, and how many samples the relations refused."""
    fresh: dict[tuple, tuple[int, Params]] = {}
    refused = 0
    for params in wanted:
        if _key(params) in known or _key(params) in fresh:
            continue
        if allowed is None or allowed(params):
            fresh[_key(params)] = (first + len(fresh), params)
        else:
            refused += 1
    return list(fresh.values()), refused


def _distribution(values: Sequence[float]) -> Any:
    """Return a number on evenly spaced steps, or a choice among irregular values."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    ordered = sorted(set(float(v) for v in values))
    if len(ordered) == 1:
        return FloatDistribution(ordered[0], ordered[0])
    step = ordered[1] - ordered[0]
    if all(math.isclose(b - a, step, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(ordered, ordered[1:])):
        return FloatDistribution(ordered[0], ordered[-1], step=step)
    return CategoricalDistribution(ordered)


def _params(asked: Mapping[str, Any]) -> dict[str, float]:
    # a step of 0.1 comes back as 0.30000000000000004: round as the grid does
    return {name: round(float(value), 10) for name, value in sorted(asked.items())}


def _key(params: Params) -> tuple:
    return tuple(sorted(params.items()))
