"""Parsers shared by the settings groups: numbers within a range and comma-separated lists, with clear errors."""
from __future__ import annotations

from decimal import Decimal
from typing import Any


def number_in(value: Any, above: Decimal | None, at_most: Decimal | None, expected: str) -> Decimal:
    """Return value as a Decimal within the range, or raise ValueError saying what was expected."""
    # above: the value must be greater (None: 0 or more); at_most: the largest value allowed
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"expected {expected}, got {value!r}") from None
    if not number.is_finite():       # NaN is not even comparable: it must go before the range checks
        raise ValueError(f"expected {expected}, got {value!r}")
    too_low = number <= above if above is not None else number < 0
    if too_low or (at_most is not None and number > at_most):
        raise ValueError(f"expected {expected}, got {value!r}")
    return Decimal(format(number, "f"))      # 1e1 is kept and told as 10, not 1E+1


def whole_in(value: Any, lowest: int, highest: int | None, expected: str) -> int:
    """Return value as a whole number from lowest to highest, or raise ValueError saying what was expected."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected {expected}, got {value!r}") from None
    if number < lowest or (highest is not None and number > highest):
        raise ValueError(f"expected {expected}, got {value!r}")
    return number


def split_list(value: str) -> list[str]:
    """Return the non-empty items of a comma-separated setting, stripped."""
    return [p.strip() for p in value.split(",") if p.strip()]
