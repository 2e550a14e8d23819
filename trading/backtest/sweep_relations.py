"""A sweep's trials within the strategy's declared relations (an EMA's fast period below its slow one).

A trial that breaks a relation would run a strategy the bot refuses to run (/params and Apply refuse it),
so it is skipped before it runs: the grid leaves it out, TPE prunes it when sampled, a second round drops
it. How many combinations of the space break a relation is counted over the related parameters only
(numpy, so a space far larger than a grid can run is counted at once); a space whose every combination
breaks one is refused with the relation and a range that works. The grid's count is what a grid skips;
a TPE run reports the samples it really pruned instead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from trading.backtest.strategy_specs import spec_named
from trading.strategies.parameter_space import relation_words, relations

Space = Mapping[str, Sequence[float]]


@dataclass(frozen=True, slots=True)
class RelationCheck:
    """How many distinct combinations of a space keep the strategy's relations, of how many, and which ones.

    Sampled, the counts are of what TPE drew instead: its samples, and those the relations pruned.
    """

    kept: int
    total: int
    rules: str = ""                  # 'fast must stay below slow', for the report
    sampled: bool = False            # counted over TPE's samples, not over the grid's combinations

    @property
    def skipped(self) -> int:
        """Return how many combinations (or samples) break a relation (never run)."""
        return self.total - self.kept


def relation_check(strategy: str, space: Space) -> RelationCheck:
    """Return how many combinations of space keep the relations; raise ValueError when none does."""
    spec = spec_named(strategy)
    declared = spec.tunable()
    pairs = [(low, high) for low, high in relations(declared) if low in space or high in space]
    total = math.prod(len(set(v)) for v in space.values())
    if not pairs:
        return RelationCheck(total, total)
    related = list(dict.fromkeys(n for pair in pairs for n in pair if n in space))
    axes = {n: np.array(sorted(set(space[n])), dtype=float).reshape(
        [-1 if k == i else 1 for k in range(len(related))]) for i, n in enumerate(related)}
    value: dict[str, Any] = {n: axes.get(n, np.float64(declared[n].default)) for pair in pairs for n in pair}
    keep = np.ones([len(set(space[n])) for n in related], dtype=bool)
    for low, high in pairs:
        keep &= value[low] < value[high]
    rest = math.prod(len(set(v)) for n, v in space.items() if n not in related)
    check = RelationCheck(int(keep.sum()) * rest, total, relation_words(pairs))
    if check.kept == 0:
        raise ValueError(_none_kept(pairs, value, space))
    return check


def _none_kept(pairs: list[tuple[str, str]], value: Mapping[str, Any], space: Space) -> str:
    """Return why no combination runs: the first relation every combination breaks, and a range that works."""
    for low, high in pairs:
        if np.any(value[low] < value[high]):
            continue
        lows, highs = float(np.min(value[low])), float(np.max(value[high]))
        where = (f"{high} is {highs:g} (its default: add --param {high}=... to sweep it)" if high not in space
                 else f"{high} at most {highs:g}")
        low_at = f"{low} at least {lows:g}" if low in space else f"{low} is {lows:g} (its default)"
        return (f"every combination breaks the rule that {low} stays below {high}: {low_at}, {where}; "
                f"sweep {low} below {highs:g} or {high} above {lows:g}")
    return f"every combination breaks a rule between the parameters: {relation_words(pairs)}"


def within_relations(strategy: str, trials: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """Return the trials that keep the strategy's relations, in their order."""
    spec = spec_named(strategy)
    return [dict(t) for t in trials if spec.broken(t) is None]
