"""A strategy's tunable parameters: each one's type and range, declared on its params dataclass.

A field declared with tunable(default, low, high) may be changed at run time (from an /optimize proposal or
/params); the others (timeframes) are fixed. A whole-number field takes whole numbers only. `below` names a
field this one must stay under (an EMA's fast period under its slow one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

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


def parsed_value(parameter: Parameter, value: object) -> float:
    """Return value (a number or its text) checked against the parameter's type and range; raise ValueError."""
    name = parameter.name
    try:
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
    after = {**current, **parsed}
    for parameter in space.values():
        upper = parameter.below
        if upper and upper in after and parameter.name in after and not after[parameter.name] < after[upper]:
            raise ValueError(f"{parameter.name} ({after[parameter.name]:g}) must stay below {upper} "
                             f"({after[upper]:g})")
    return parsed
