"""Frozen values changed: dataclasses.replace in about 60% of its time, for the engine's hot paths.

A backtest changes the engine's frozen state (EngineState, RiskState, GuardedPosition, Order, Position)
some twenty times per trade; dataclasses.replace looks every field up through the dataclass machinery
each time. changed() does the same with a constructor call written once per class, the way dataclasses
writes __init__: every field passed in __init__'s order, so __init__ (and a __post_init__) runs as
replace runs it, and a name that is not a field raises TypeError as replace does. Classes whose fields are not all
plain init fields (init=False, InitVar, ClassVar) go through dataclasses.replace itself.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_Maker = Callable[[Any, dict[str, Any]], Any]
_makers: dict[type, _Maker] = {}


def changed(value: T, /, **changes: Any) -> T:
    """Return a copy of the frozen dataclass value with the fields in changes replaced."""
    maker = _makers.get(type(value))
    if maker is None:
        maker = _makers[type(value)] = _maker_for(type(value))
    return maker(value, changes)  # type: ignore[no-any-return]


def _maker_for(cls: type) -> _Maker:
    """Return the function that rebuilds a cls value with changes (dataclasses.replace where it must)."""
    fields = dataclasses.fields(cls)
    if len(fields) != len(cls.__dataclass_fields__) or not all(f.init for f in fields):   # type: ignore[attr-defined]
        return lambda value, changes: dataclasses.replace(value, **changes)
    # positional as __init__ lists them (faster than keywords), keyword-only ones by name
    arguments = ", ".join(f"{f.name + '=' if f.kw_only else ''}"
                          f"changes[{f.name!r}] if {f.name!r} in changes else value.{f.name}"
                          for f in sorted(fields, key=lambda f: bool(f.kw_only)))
    source = (f"def rebuild(value, changes):\n"
              f"    if not changes.keys() <= names:\n"
              f"        unknown = sorted(changes.keys() - names)[0]\n"
              f"        raise TypeError(f'{cls.__name__} has no field {{unknown!r}}')\n"
              f"    return cls({arguments})\n")
    namespace: dict[str, Any] = {"cls": cls, "names": frozenset(f.name for f in fields)}
    exec(source, namespace)      # noqa: S102 - built from the class's own field names, as dataclasses does
    return namespace["rebuild"]  # type: ignore[no-any-return]
