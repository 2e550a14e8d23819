"""Plain JSON-able forms of engine state: Decimals as strings, enums as their values, dataclasses as dicts."""
from __future__ import annotations

import dataclasses
import types
import typing
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any


def to_plain(value: Any) -> Any:
    """Return value as JSON-able data: dataclasses become dicts, Decimals strings, enums their values."""
    kind = type(value)
    if kind in _AS_IS:          # the common leaves first: every fill of a backtest goes through here
        return value
    if kind is Decimal:
        return str(value)
    if isinstance(value, Enum):
        return value.value
    names = _field_names(kind)
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


_AS_IS = frozenset({str, int, float, bool, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """Return the field names of a dataclass type, None for any other type (remembered per type)."""
    if kind not in _FIELD_NAMES:
        is_data = dataclasses.is_dataclass(kind)
        _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind)) if is_data else None
    return _FIELD_NAMES[kind]


def from_plain(kind: Any, data: Any) -> Any:
    """Return data (from to_plain) rebuilt as kind, following the type hints of dataclass fields."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        return from_plain(inner[0], data)
    if origin in (tuple, list):
        item = typing.get_args(kind)[0]
        return origin(from_plain(item, v) for v in data)
    if origin is dict:
        key, item = typing.get_args(kind)
        return {from_plain(key, k): from_plain(item, v) for k, v in data.items()}
    if kind is Decimal:
        return Decimal(data)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{name: from_plain(hints[name], value) for name, value in data.items()})
    return data


@lru_cache(maxsize=64)
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
