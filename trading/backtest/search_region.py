"""Where to search next after a sweep: around the best trial, or where an advisor (an LLM) suggests.

The advisor is a plain function boundary: it receives the results so far as JSON-able data and returns a
grid ({parameter: [values]}). Its answer is checked (known parameters only, finite numbers within the
swept range widened by its width each side, never below zero when the sweep was not, a small grid);
anything else falls back to the rule, so the lab works the same without it: each swept parameter is
searched again between the neighbours of the best trial's value, at five points, kept within the
strategy's relations (fast below slow): clipped, or moved to the nearest region that keeps them.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from trading.backtest.strategy_specs import spec_named
from trading.backtest.sweep_relations import region_within
from trading.backtest.sweep_report import SweepSummary, sweep_record
from trading.backtest.walkforward import parameter_grid
from trading.domain.decisions import DecisionSource, LlmFailure

Region = dict[str, tuple[float, ...]]
RegionAdvisor = Callable[[Mapping[str, Any]], Mapping[str, Sequence[float]]]
POINTS = 5
MAX_POINTS = 8              # an advisor's values per parameter
MAX_ROUND_TRIALS = 64       # and trials in its region


class AdviceRefused(ValueError):
    """An advisor's answer is not a usable region; the message says why, in our words (never the advisor's)."""


def next_region(summary: SweepSummary, advisor: RegionAdvisor | None = None) -> tuple[Region, str]:
    """Return the next grid to search and who chose it ('advisor' or why the rule was used)."""
    if advisor is not None:
        try:
            proposed = advisor(sweep_record(summary))
            checked = _checked(proposed, summary.space)
            checked = _declared(summary.strategy, checked) if not isinstance(checked, str) else checked
            checked = _related(summary, checked) if not isinstance(checked, str) else checked
        except LlmFailure as exc:
            if exc.source is DecisionSource.BUDGET:     # not a failure: the day's LLM budget is spent
                return _by_rule(summary, str(exc))
            return _by_rule(summary, f"the advisor failed: {_failure(exc)}")
        except Exception as exc:  # noqa: BLE001 - an advisor's failure of any kind falls back to the rule
            return _by_rule(summary, f"the advisor failed: {_failure(exc)}")
        if isinstance(checked, str):
            return _by_rule(summary, f"the advisor's grid was refused: {checked}")
        return checked, "advisor"
    return _by_rule(summary)


def region_hint(summary: SweepSummary) -> str:
    """Return the rule's next region as the sweep command's arguments, with what keeping the relations did to it."""
    region, note = rule_region(summary)
    return region_arguments(region) + (f" ({note})" if note else "")


def _by_rule(summary: SweepSummary, why: str = "") -> tuple[Region, str]:
    region, note = rule_region(summary)
    reasons = "; ".join(r for r in (why, note) if r)
    return region, f"rule ({reasons})" if reasons else "rule"


def _declared(strategy: str, region: Region) -> Region | str:
    """Return region within what the strategy accepts (whole numbers where it counts bars), or why not."""
    space = spec_named(strategy).tunable()
    for name, values in region.items():
        parameter = space.get(name)
        if parameter is not None and not all(parameter.low <= v <= parameter.high for v in values):
            return f"{name} outside its allowed {parameter.low:g} to {parameter.high:g}"
        if parameter is not None and parameter.whole and not all(float(v).is_integer() for v in values):
            return f"{name} takes whole numbers"
    return region


def _related(summary: SweepSummary, region: Region) -> Region | str:
    """Return region when at least one of its trials keeps the strategy's relations (fast below slow), or why not."""
    spec = spec_named(summary.strategy)
    best = dict(summary.best(1)[0].params) if summary.results else {}
    broken = [spec.broken(best | point) for point in parameter_grid(region)]
    if all(pair is not None for pair in broken):
        low, high = next(pair for pair in broken if pair is not None)
        return f"every trial breaks the rule that {low} stays below {high}"
    return region


def around_best(summary: SweepSummary) -> Region:
    """Return the rule's region around the best trial (within the strategy's relations)."""
    return rule_region(summary)[0]


def rule_region(summary: SweepSummary) -> tuple[Region, str]:
    """Return, per parameter, POINTS values between the neighbours of the best trial's value, and the clip note.

    The region keeps the strategy's relations with the best trial's other values: a value no trial of it
    could run with is dropped, and a region none of whose trials keeps them is moved to the nearest that does.
    """
    best = dict(summary.best(1)[0].params) if summary.results else {}
    declared = spec_named(summary.strategy).tunable()
    region: Region = {}
    for name, values in summary.space.items():
        # a best trial off the grid (/optimize's current parameters) is searched around where it lies
        ordered = sorted(set(values) | ({best[name]} if name in best else set()))
        value = best.get(name, ordered[0])
        k = ordered.index(value)
        low, high = ordered[max(0, k - 1)], ordered[min(len(ordered) - 1, k + 1)]
        points = np.linspace(low, high, POINTS) if high > low else np.array([low])
        whole = name in declared and declared[name].whole
        # a bar count searched between 3 and 5 is 3, 4, 5: never 3.5, which the strategy would refuse to run
        region[name] = tuple(dict.fromkeys(float(round(p)) if whole else round(float(p), 10) for p in points))
    return region_within(summary.strategy, region, best)


def region_arguments(region: Region) -> str:
    """Return the region as the sweep command's --param arguments."""
    return " ".join(f"--param {name}={','.join(f'{v:g}' for v in values)}" for name, values in region.items())


def allowed_range(values: Sequence[float]) -> tuple[float, float]:
    """Return where an advisor's values for a parameter swept over values may lie."""
    low, high = min(values), max(values)
    width = high - low or abs(high) / 2 or 1.0
    return (max(low - width, 0.0) if low >= 0 else low - width), high + width


def _checked(proposed: Mapping[str, Sequence[float]], space: Mapping[str, Sequence[float]]) -> Region | str:
    if not isinstance(proposed, Mapping) or not proposed:
        return "not a grid of parameters"
    unknown = [name for name in proposed if name not in space]
    if unknown:
        return f"unknown parameter {unknown[0]!r}"
    region: Region = {}
    for name, values in proposed.items():
        numbers = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(float(v))]
        if not numbers or len(numbers) != len(values) or len(numbers) > MAX_POINTS:
            return f"{name} needs 1 to {MAX_POINTS} finite numbers"
        low, high = allowed_range(space[name])
        if not all(low <= v <= high for v in numbers):
            return f"{name} outside {low:g} to {high:g}"
        region[name] = tuple(dict.fromkeys(numbers))
    if math.prod(len(v) for v in region.values()) > MAX_ROUND_TRIALS:
        return f"more than {MAX_ROUND_TRIALS} trials"
    return region


def _failure(exc: Exception) -> str:
    """Return what went wrong in words that carry no secret: ours (LLM failures, refused advice) or the type."""
    return str(exc) if isinstance(exc, (LlmFailure, AdviceRefused)) else type(exc).__name__
