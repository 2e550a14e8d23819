"""quick_init keeps a frozen dataclass's __init__ as dataclasses wrote it: signature, defaults, factories, checks."""
import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.frozen import changed, quick_init


@dataclass(frozen=True, slots=True)
class Written:
    price: Decimal
    note: str = "n"
    tags: list[str] = field(default_factory=list)
    size: int = field(default=1, kw_only=True)
    owner: str = field(kw_only=True, default="me")

    def __post_init__(self) -> None:
        if self.price < 0:
            raise ValueError("the price must not be negative")


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    price: Decimal
    note: str = "n"
    tags: list[str] = field(default_factory=list)
    size: int = field(default=1, kw_only=True)
    owner: str = field(kw_only=True, default="me")

    def __post_init__(self) -> None:
        if self.price < 0:
            raise ValueError("the price must not be negative")


def fields_of(value: object) -> tuple:
    return tuple(getattr(value, name) for name in ("price", "note", "tags", "size", "owner"))


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.none() | st.text(max_size=4),
       st.none() | st.lists(st.text(max_size=2), max_size=2), st.none() | st.integers(), st.booleans())
def test_it_builds_what_the_dataclass_init_builds(price, note, tags, size, as_keyword):
    given_args = {k: v for k, v in (("note", note), ("tags", tags), ("size", size)) if v is not None}
    if as_keyword:
        quick, written = Quick(price=price, **given_args), Written(price=price, **given_args)
    else:
        positional = [v for v in (note, tags) if v is not None] if note is not None else []
        rest = {k: v for k, v in given_args.items() if k == "size" or (k == "tags" and note is None)}
        quick, written = Quick(price, *positional, **rest), Written(price, *positional, **rest)
    assert fields_of(quick) == fields_of(written)


def test_the_signature_checks_and_factories_stay():
    assert str(inspect.signature(Quick)) == str(inspect.signature(Written))
    assert Quick(Decimal(1)).tags is not Quick(Decimal(1)).tags          # a fresh list each time
    with pytest.raises(ValueError, match="negative"):
        Quick(Decimal(-1))
    with pytest.raises(TypeError):
        Quick(Decimal(1), "n", [], 3)        # size is keyword-only
    with pytest.raises(TypeError):
        Quick()                               # price is required
    with pytest.raises(FrozenInstanceError):
        Quick(Decimal(1)).note = "x"          # type: ignore[misc]


def test_equality_copies_and_pickles_are_untouched():
    value = Quick(Decimal(2), "a", ["t"], size=3)
    assert value == Quick(Decimal(2), "a", ["t"], size=3) and value != Quick(Decimal(2))
    assert changed(value, note="b") == Quick(Decimal(2), "b", ["t"], size=3)
    assert pickle.loads(pickle.dumps(value)) == value


def test_it_refuses_what_it_cannot_copy_faithfully():
    @dataclass
    class Mutable:
        x: int

    with pytest.raises(TypeError):
        quick_init(Mutable)
