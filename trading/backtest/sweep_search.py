"""How a sweep chooses its trials: every point of a grid, or TPE asking for the promising ones; then, when
asked, a second round in the region an advisor (an LLM) or the rule names around the best trial.

Whatever chooses, every trial is the same full backtest scored out of sample (run_trial), run by a
TrialRunner (this process, a pool or a cluster). The plan is checked before any data is loaded, so a bad
request costs nothing and stores nothing.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Mapping, Sequence

from trading.backtest.search_region import RegionAdvisor, next_region
from trading.backtest.strategy_specs import spec_named
from trading.backtest.sweep import MAX_TRIALS, Params, TrialResult, trials_of
from trading.backtest.sweep_execution import Progress, TrialRunner
from trading.backtest.sweep_relations import RelationCheck, relation_check, within_relations
from trading.backtest.sweep_report import SecondRound, SweepSummary
from trading.backtest.tpe_search import BATCH, distinct_trials, tpe_search
from trading.domain.errors import echoed
from trading.strategies.parameter_space import relation_words

SEARCHES = ("grid", "tpe")
MAX_BATCH = 256
Space = Mapping[str, Sequence[float]]


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """Which trials to run: the whole grid, or `trials` TPE trials from `seed`, asked `batch` at a time.

    With a strategy, only trials within its declared relations run (fast below slow); `relations` says how
    many combinations of the space that leaves (the grid's figure: a TPE run counts what it pruned).
    """

    kind: str = "grid"
    trials: int = 0
    seed: int | None = None
    batch: int = BATCH
    strategy: str = ""
    relations: RelationCheck | None = None


def search_plan(space: Space, kind: str = "grid", trials: int | None = None, seed: int = 0,
                batch: int = BATCH, strategy: str = "") -> SearchPlan:
    """Return the checked plan; raise ValueError saying what was wrong and what to type instead.

    With a strategy, a space whose every combination breaks one of its relations is refused, and only the
    combinations within them count towards the grid's size and TPE's distinct trials.
    """
    if kind not in SEARCHES:
        raise ValueError(f"--search {echoed(kind)} is not a search; use grid or tpe")
    checked = relation_check(strategy, space) if strategy else None
    grid = checked.kept if checked is not None else distinct_trials(space)
    if kind == "grid":
        if trials is not None:
            raise ValueError(f"--trials is for --search tpe; the grid runs all its {grid:,} points")
        if grid > MAX_TRIALS:
            raise ValueError(f"the grid holds {grid:,} trials, more than {MAX_TRIALS:,}; use fewer values "
                             f"or --search tpe --trials N")
        return SearchPlan(strategy=strategy, relations=checked)
    if trials is None:
        raise ValueError("--search tpe needs --trials N, how many trials to run (e.g. --trials 100)")
    if not 1 <= trials <= MAX_TRIALS:
        raise ValueError(f"--trials {trials}: use a number from 1 to {MAX_TRIALS:,}")
    if trials > grid:
        raise ValueError(f"--trials {trials}: the space holds only {grid:,} distinct trials; use --search grid, "
                         f"fewer trials or wider ranges")
    if not 1 <= batch <= MAX_BATCH:
        raise ValueError(f"--batch {batch}: use a number from 1 to {MAX_BATCH}")
    return SearchPlan("tpe", trials, seed, batch, strategy, checked)


def run_search(space: Space, plan: SearchPlan, runner: TrialRunner, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> tuple[list[TrialResult], RelationCheck | None]:
    """Run the plan's trials on the runner; return them in trial order, and what the relations kept out.

    The grid leaves out the space's combinations that break a relation (the plan's count); TPE prunes the
    samples that do, and its count is of those, whatever the space holds.
    """
    if plan.kind == "grid":
        points = trials_of(space)
        kept = within_relations(plan.strategy, points) if plan.strategy else points
        return runner.run(list(enumerate(kept)), progress, cancel), plan.relations
    done = 0

    def evaluate(batch: list[tuple[int, Params]]) -> list[TrialResult]:
        nonlocal done
        shown = None if progress is None else (lambda d, _total: progress(done + d, plan.trials))
        results = runner.run(batch, shown, cancel)
        done += len(results)
        return results

    allowed = (lambda params: spec_named(plan.strategy).broken(params) is None) if plan.strategy else None
    run = tpe_search(space, plan.trials, plan.seed or 0, evaluate, plan.batch, allowed)
    rules = plan.relations.rules if plan.relations is not None else ""
    pruned = RelationCheck(run.asked - run.pruned, run.asked, rules, sampled=True) if plan.strategy else None
    return run.results, pruned


def second_round(summary: SweepSummary, runner: TrialRunner, advisor: RegionAdvisor | None = None,
                 advisor_name: str = "advisor", progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> tuple[list[TrialResult], SecondRound]:
    """Run the grid of the next region (the advisor's, else the rule's) around the best trial's other values.

    Parameters the region leaves out stay at the best trial's values; parameter sets already tried are not
    run again. Returns the new trials (numbered after the first round's) and what the round was.
    """
    region, why = next_region(summary, advisor)
    best = dict(summary.best(1)[0].params)
    seen = {r.params for r in summary.results}
    spec = spec_named(summary.strategy)
    fresh: list[dict[str, float]] = []
    broke: dict[tuple[str, str], int] = {}
    for point in trials_of(region):
        params = best | point
        key = tuple(sorted(params.items()))
        if key in seen:
            continue
        seen.add(key)
        broken = spec.broken(params)
        if broken is None:
            fresh.append(params)
        else:                   # never run a strategy the bot itself would refuse to run
            broke[broken] = broke.get(broken, 0) + 1
    start = len(summary.results)
    results = runner.run([(start + k, p) for k, p in enumerate(fresh)], progress, cancel) if fresh else []
    chosen_by = f"advisor ({advisor_name})" if why == "advisor" else why
    return results, SecondRound(start, region, chosen_by, sum(broke.values()), relation_words(broke))


def both_rounds(space: Space, region: Space) -> dict[str, tuple[float, ...]]:
    """Return each parameter's values over the first round's space and the second round's region."""
    names = list(space) + [n for n in region if n not in space]
    return {n: tuple(sorted(set(space.get(n, ())) | set(region.get(n, ())))) for n in names}
