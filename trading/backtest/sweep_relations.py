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


Region = dict[str, tuple[float, ...]]


def region_within(strategy: str, region: Space, fixed: Mapping[str, float]) -> tuple[Region, str]:
    """Return region clipped to the strategy's relations, and what was done to it ('' when nothing).

    A value no trial of the region can pair within a relation is dropped (fast 40 when slow reaches 35 at
    most); fixed holds the values of what the region leaves out (the best trial's, else the defaults). When
    no trial of the region keeps a relation, the nearest region that does is returned: the upper side moved
    up just far enough for each of its values and the lower side's to have a partner (the lower side moved
    down when the upper cannot move within its allowed range).
    """
    declared = spec_named(strategy).tunable()
    values: Region = {n: tuple(sorted(set(float(x) for x in v))) for n, v in region.items()}
    pairs = [(low, high) for low, high in relations(declared) if low in values or high in values]
    notes: list[str] = []
    for _ in range(len(pairs) + 1):           # a move may break another relation of a chain: settle them all
        changed = False
        for low, high in pairs:
            side = {n: values[n] if n in values else (float(fixed.get(n, declared[n].default)),) for n in (low, high)}
            lows, highs = side[low], side[high]
            if lows[0] < highs[-1]:
                values, note = _clipped(low, high, lows, highs, values)
            else:
                moved = _moved(low, high, lows, highs, values, declared)
                if moved is None:
                    return {n: values[n] for n in region}, _nowhere(low, high, lows, highs)
                values, note = moved
            if note:
                notes.append(note)
                changed = True
        if not changed:
            break
    return {n: values[n] for n in region}, "; ".join(notes)


def _clipped(low: str, high: str, lows: tuple[float, ...], highs: tuple[float, ...],
             values: Region) -> tuple[Region, str]:
    """Return the region without the values of a relation's swept sides that no trial can pair, and the note."""
    side = {low: lows, high: highs}
    kept = {low: tuple(v for v in lows if v < highs[-1]), high: tuple(v for v in highs if v > lows[0])}
    dropped = [f"{n} {_listed(tuple(v for v in side[n] if v not in kept[n]))}" for n in (low, high)
               if n in values and kept[n] != side[n]]
    values = values | {n: kept[n] for n in (low, high) if n in values}
    return values, (f"clipped to keep {low} below {high}: {' and '.join(dropped)} dropped" if dropped else "")


def _moved(low: str, high: str, lows: tuple[float, ...], highs: tuple[float, ...], values: Region,
           declared: Mapping[str, Any]) -> tuple[Region, str] | None:
    """Return the region with one side of a wholly broken relation moved the least, and the note; None: cannot."""
    for name, sign in ((high, 1.0), (low, -1.0)):
        if name not in values:
            continue
        parameter, own = declared[name], values[name]
        gaps = [b - a for a, b in zip(own, own[1:])]
        step = 1.0 if parameter.whole else (min(gaps) if gaps else 1.0)
        # just past the distance at which the smallest and the largest value of each side find a partner
        shift = max(lows[-1] - highs[-1], lows[0] - highs[0]) + step
        shift = float(math.ceil(shift)) if parameter.whole else shift
        shifted = tuple(round(v + sign * shift, 10) for v in own)
        if parameter.low <= shifted[0] and shifted[-1] <= parameter.high:
            where = "up" if sign > 0 else "down"
            return values | {name: shifted}, (
                f"no trial of {low} {_span(lows)} with {high} {_span(highs)} keeps {low} below {high}: "
                f"the nearest region that does moves {name} {where} by {shift:g}")
    return None


def _nowhere(low: str, high: str, lows: tuple[float, ...], highs: tuple[float, ...]) -> str:
    return (f"no trial of {low} {_span(lows)} with {high} {_span(highs)} keeps {low} below {high}, and no region "
            f"near it does within their allowed ranges: sweep {low} below {highs[-1]:g} or {high} above {lows[0]:g}")


def _span(values: tuple[float, ...]) -> str:
    return f"{values[0]:g}" if len(values) == 1 else f"{values[0]:g} to {values[-1]:g}"


def _listed(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)
