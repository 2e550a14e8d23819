"""Frozen values changed: dataclasses.replace in about a quarter of its time, for the engine's hot paths.

A backtest changes the engine's frozen state (EngineState, RiskState, GuardedPosition, Order, Position)
some twenty times per trade; dataclasses.replace looks every field up through the dataclass machinery
each time, and a frozen class's __init__ then sets every field through object.__setattr__ by name.
changed() builds, once per class, a function that does what replace does:
- a slotted class with the __init__ dataclasses wrote and no __post_init__ (the engine's states): its
  __init__ only stores the fields, so the copy stores them straight into the slots, the old values
  through each slot's own descriptor and then the changes, skipping __init__ and nothing else;
- any other class whose fields are all plain init fields: a constructor call written for the class, every
  field passed in __init__'s order, so __init__ and a __post_init__ run as replace runs them;
- classes with init=False, InitVar or ClassVar fields: dataclasses.replace itself.
A name that is not a field raises TypeError as replace does.

quick_init gives a frozen slotted dataclass the same __init__ with the same signature, defaults, default
factories and __post_init__ call, storing each field through its slot's descriptor instead of
object.__setattr__ by name (9 fields: 1.9 -> 0.8 us); the engine builds some forty frozen values a trade.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_Maker = Callable[[Any, dict[str, Any]], Any]
_makers: dict[type, _Maker] = {}
_CHECK = ("    if not changes.keys() <= names:\n"
          "        unknown = sorted(changes.keys() - names)[0]\n"
          "        raise TypeError(f'{cls.__name__} has no field {unknown!r}')\n")


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
    namespace: dict[str, Any] = {"cls": cls, "names": frozenset(f.name for f in fields)}
    if _stores_only(cls, fields):
        namespace |= {f"set_{f.name}": getattr(cls, f.name).__set__ for f in fields}
        namespace |= {"new": object.__new__, "store": object.__setattr__}
        copies = "".join(f"    set_{f.name}(copy, value.{f.name})\n" for f in fields)
        source = (f"def rebuild(value, changes):\n{_CHECK}    copy = new(cls)\n{copies}"
                  f"    for name, field_value in changes.items():\n        store(copy, name, field_value)\n"
                  f"    return copy\n")
    else:
        # positional as __init__ lists them (faster than keywords), keyword-only ones by name
        arguments = ", ".join(f"{f.name + '=' if f.kw_only else ''}"
                              f"changes[{f.name!r}] if {f.name!r} in changes else value.{f.name}"
                              for f in sorted(fields, key=lambda f: bool(f.kw_only)))
        source = f"def rebuild(value, changes):\n{_CHECK}    return cls({arguments})\n"
    exec(source, namespace)      # noqa: S102 - built from the class's own field names, as dataclasses does
    return namespace["rebuild"]  # type: ignore[no-any-return]


def quick_init(cls: type[T]) -> type[T]:
    """Replace the __init__ dataclasses wrote for a frozen slotted cls by one that stores into the slots directly."""
    fields = dataclasses.fields(cls)   # type: ignore[arg-type]
    if not _written_init(cls) or not _plain_fields(cls, fields):
        raise TypeError(f"{cls.__name__} is not a frozen slotted dataclass of plain init fields")
    namespace: dict[str, Any] = {"FACTORY": _FACTORY}
    positional: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for f in fields:
        namespace[f"set_{f.name}"] = getattr(cls, f.name).__set__
        parameter = f.name
        if f.default is not dataclasses.MISSING:
            namespace[f"default_{f.name}"] = f.default
            parameter += f"=default_{f.name}"
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"factory_{f.name}"] = f.default_factory
            parameter += "=FACTORY"       # as dataclasses does: a fresh value for every instance
            body.append(f"    if {f.name} is FACTORY:\n        {f.name} = factory_{f.name}()\n")
        (keywords if f.kw_only else positional).append(parameter)
        body.append(f"    set_{f.name}(self, {f.name})\n")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()\n")
    signature = ", ".join(["self", *positional, *(["*", *keywords] if keywords else [])])
    exec(f"def __init__({signature}):\n{''.join(body) or '    pass'}\n", namespace)   # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {**cls.__init__.__annotations__}
    cls.__init__ = init    # type: ignore[misc,method-assign]
    return cls


class _Factory:
    """The default of a field with a default factory, shown in the signature as dataclasses shows it."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _plain_fields(cls: type, fields: tuple[dataclasses.Field, ...]) -> bool:
    params = getattr(cls, "__dataclass_params__", None)
    slotted = all(type(getattr(cls, f.name, None)).__name__ == "member_descriptor" for f in fields)
    return (params is not None and params.frozen and slotted and all(f.init for f in fields)
            and len(fields) == len(cls.__dataclass_fields__))   # type: ignore[attr-defined]


def _stores_only(cls: type, fields: tuple[dataclasses.Field, ...]) -> bool:
    """Return True when cls's __init__ is the one dataclasses (or quick_init) wrote and only stores its fields."""
    slotted = all(type(getattr(cls, f.name, None)).__name__ == "member_descriptor" for f in fields)
    return _written_init(cls) and slotted and not hasattr(cls, "__post_init__")


def _written_init(cls: type) -> bool:
    init = cls.__dict__.get("__init__")
    # dataclasses compiles its __init__ from a string; one written in a module has that module's file name
    return init is not None and getattr(getattr(init, "__code__", None), "co_filename", "") == "<string>"
