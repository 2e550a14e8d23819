"""changed() is dataclasses.replace, faster: the same values, the same checks, the same errors."""
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.frozen import changed
from trading.engine.engine_state import EngineState
from trading.risk.limits import RiskState


@dataclass(frozen=True, slots=True)
class Checked:
    price: Decimal
    note: str = ""
    tags: tuple[str, ...] = ()
    size: int = field(default=1, kw_only=True)

    def __post_init__(self) -> None:
        if self.price <= 0:
            raise ValueError("the price must be positive")


@dataclass(frozen=True)
class Derived:
    base: int
    doubled: int = field(init=False)
    unit: ClassVar[str] = "x"

    def __post_init__(self) -> None:
        object.__setattr__(self, "doubled", self.base * 2)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**9), places=2), st.text(max_size=5),
       st.integers(1, 9), st.booleans())
def test_changed_gives_the_value_replace_gives(price, note, size, keep_note):
    before = Checked(Decimal(1), "old", ("a",), size=3)
    changes = {"price": price, "size": size} | ({} if keep_note else {"note": note})

    assert changed(before, **changes) == replace(before, **changes)
    assert changed(before) == before and changed(before) is not before


def test_changed_runs_the_checks_and_refuses_a_field_that_does_not_exist():
    with pytest.raises(ValueError, match="positive"):
        changed(Checked(Decimal(1)), price=Decimal(0))
    with pytest.raises(TypeError, match="no field 'colour'"):
        changed(Checked(Decimal(1)), colour="red")


def test_a_class_with_derived_fields_goes_through_replace_itself():
    assert changed(Derived(2), base=5) == replace(Derived(2), base=5)
    assert changed(Derived(2), base=5).doubled == 10


def test_the_engine_states_change_as_with_replace():
    risk = RiskState(day="2025-06-01", equity=Decimal("100.5"), entry_times_ms=(1, 2))
    state = EngineState(risk=risk, signal_ids=("s1",))

    assert changed(risk, equity=Decimal(90), halted=True) == replace(risk, equity=Decimal(90), halted=True)
    assert changed(state, signal_ids=("s1", "s2")) == replace(state, signal_ids=("s1", "s2"))


@dataclass(frozen=True, slots=True)
class Plain:
    price: Decimal
    note: str = ""
    size: int = field(default=1, kw_only=True)


class Counted:
    """A frozen slotted class whose own __init__ counts its calls: changed() must still call it."""

    calls = 0


@dataclass(frozen=True, slots=True, init=False)
class HandMade:
    price: Decimal

    def __init__(self, price: Decimal) -> None:
        Counted.calls += 1
        object.__setattr__(self, "price", price)


@given(st.decimals(allow_nan=False, allow_infinity=False), st.text(max_size=5), st.integers(), st.booleans())
def test_a_plain_slotted_value_is_copied_into_its_slots_as_replace_would_build_it(price, note, size, keep_note):
    before = Plain(Decimal(1), "old", size=3)
    changes = {"price": price, "size": size} | ({} if keep_note else {"note": note})

    after = changed(before, **changes)

    assert after == replace(before, **changes) and type(after) is Plain
    assert before == Plain(Decimal(1), "old", size=3)         # the original is untouched
    with pytest.raises(TypeError, match="no field 'colour'"):
        changed(before, colour="red")
    with pytest.raises(AttributeError):
        after.price = Decimal(2)                                # still frozen


def test_a_hand_written_init_still_runs():
    calls = Counted.calls

    assert changed(HandMade(Decimal(1)), price=Decimal(2)) == HandMade(Decimal(2))
    assert Counted.calls == calls + 3
