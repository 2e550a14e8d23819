"""A strategy's tunable parameters: each one's type and range, declared on its params dataclass.

A field declared with tunable(default, low, high) may be changed at run time (from an /optimize proposal or
/params); the others (timeframes) are fixed. A whole-number field takes whole numbers only. `below` names a
field this one must stay under (an EMA's fast period under its slow one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Mapping

from trading.domain.errors import echoed

RANGE_KEY = "tunable"


@dataclass(frozen=True, slots=True)
class Parameter:
    """One tunable parameter: its name, whether it is a whole number, its default and its allowed range."""

    name: str
    whole: bool
    default: float
    low: float
    high: float
    below: str = ""               # a parameter this one must stay strictly under

    def describe(self) -> str:
        """Return the range in words: 'a whole number from 4 to 2000'."""
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"


def tunable(default: float, low: float, high: float, *, below: str = "") -> Any:
    """Return a dataclass field with default that may be tuned at run time within [low, high]."""
    return field(default=default, metadata={RANGE_KEY: (low, high, below)})


def parameter_space(params: Any) -> dict[str, Parameter]:
    """Return the tunable parameters of a params dataclass instance, in declaration order."""
    space = {}
    for f in fields(params):
        declared = f.metadata.get(RANGE_KEY)
        if declared is None:
            continue
        low, high, below = declared
        default = getattr(params, f.name)
        space[f.name] = Parameter(f.name, isinstance(default, int), default, low, high, below)
    return space


def relations(space: Mapping[str, Parameter]) -> list[tuple[str, str]]:
    """Return the declared relations of a space as (lower, upper) pairs: lower must stay below upper."""
    return [(p.name, p.below) for p in space.values() if p.below and p.below in space]


def broken_pair(space: Mapping[str, Parameter], params: Mapping[str, float]) -> tuple[str, str] | None:
    """Return the first relation (lower, upper) params break, or None.

    params hold every value that would run (the defaults where nothing overrides them).
    """
    for lower, upper in relations(space):
        if lower in params and upper in params and not params[lower] < params[upper]:
            return lower, upper
    return None


def broken_relation(space: Mapping[str, Parameter], params: Mapping[str, float]) -> str | None:
    """Return the first relation params break in words ('fast (30) must stay below slow (21)'), or None."""
    pair = broken_pair(space, params)
    if pair is None:
        return None
    lower, upper = pair
    return f"{lower} ({params[lower]:g}) must stay below {upper} ({params[upper]:g})"


def relation_words(pairs: Iterable[tuple[str, str]]) -> str:
    """Return relations in words: 'fast must stay below slow'."""
    return "; ".join(f"{lower} must stay below {upper}" for lower, upper in pairs)


def params_text(params: Mapping[str, float] | Iterable[tuple[str, float]], sep: str = " ") -> str:
    """Return parameters as 'name=value' words ('fast=9 slow=21'), in the order given."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return sep.join(f"{name}={value:g}" for name, value in pairs)


def parsed_value(parameter: Parameter, value: object) -> float:
    """Return value (a number or its text) checked against the parameter's type and range; raise ValueError."""
    name = parameter.name
    try:     # float() of an object that is no number raises the TypeError caught here; hence the ignore
        number = float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} takes {parameter.describe()}, not {echoed(str(value))}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} takes {parameter.describe()}, not {echoed(str(value))}")
    if parameter.whole and not number.is_integer():
        raise ValueError(f"{name} takes a whole number, not {echoed(str(value))}")
    if not parameter.low <= number <= parameter.high:
        raise ValueError(f"{name} takes {parameter.describe()}; {number:g} is out of range")
    return int(number) if parameter.whole else number


def checked_values(strategy: str, space: Mapping[str, Parameter], current: Mapping[str, float],
                   changes: Mapping[str, object]) -> dict[str, float]:
    """Return changes parsed and checked against space, with current; raise ValueError naming the first fault.

    current holds every parameter's value before the change, so a relation (fast below slow) is checked on
    the values that would run.
    """
    if not changes:
        raise ValueError(f"no parameter of {strategy} given")
    unknown = [name for name in changes if name not in space]
    if unknown:
        raise ValueError(f"{strategy} has no parameter {echoed(unknown[0])}; its parameters are "
                         f"{', '.join(space)}")
    parsed = {name: parsed_value(space[name], value) for name, value in changes.items()}
    broken = broken_relation(space, {**current, **parsed})
    if broken is not None:
        raise ValueError(broken)
    return parsed
