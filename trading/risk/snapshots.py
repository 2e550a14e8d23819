"""JSON-able snapshots of risk state, so limits, halts and the kill switch survive a restart."""
from __future__ import annotations

import types
import typing
from dataclasses import fields
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping, Self, TypeVar

T = TypeVar("T")


class Restorable:
    """Mixin for state dataclasses that are saved as JSON and restored after a restart."""

    __slots__ = ()

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-able dict (Decimals as strings)."""
        return to_snapshot(self)

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild from snapshot()."""
        return from_snapshot(cls, data)


def to_snapshot(value: Any) -> dict[str, Any]:
    """Return a dataclass value as a JSON-able dict: Decimals as strings, tuples as lists, enums as values."""
    return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}


def from_snapshot(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a dataclass from to_snapshot's dict; missing keys take defaults, unknown ones are ignored."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{name: _typed(hints[name], raw) for name, raw in data.items() if name in known})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)      # a float would lose the exact amount
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _typed(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _typed(inner[0], raw)
    if origin is tuple:
        return tuple(_typed(typing.get_args(hint)[0], v) for v in raw)
    if hint is Decimal:
        return Decimal(raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    return raw
