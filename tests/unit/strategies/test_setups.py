from decimal import Decimal

import pytest

from trading.domain.positions import PositionSide
from trading.strategies.setups import Setup, price, stop_buffer, structural_stop, to_signals

LONG, SHORT = PositionSide.LONG, PositionSide.SHORT


def setup(key: str, known_at_ms: int, stop: str = "99", side=LONG) -> Setup:
    return Setup(side, Decimal("100"), Decimal(stop), Decimal("110") if side is LONG else Decimal("90"),
                 known_at_ms, "why", key)


def test_price_keeps_the_exchange_decimal_of_a_float():
    assert price(0.1 + 0.2) == Decimal("0.30000000000000004")
    assert price(104523.12) == Decimal("104523.12")


def test_structural_stop_sits_beyond_the_far_side_by_the_buffer_exactly():
    assert structural_stop(LONG, 101.0, 102.0, 0.002) == Decimal("100.798")
    assert structural_stop(SHORT, 99.8, 103.8, 0.002) == Decimal("104.0076")


def test_stop_buffer_defaults_to_two_tenths_of_a_percent_and_refuses_nonsense():
    assert stop_buffer({}) == 0.002
    assert stop_buffer({"stop_buffer": 0.003}) == 0.003
    with pytest.raises(ValueError, match="stop_buffer"):
        stop_buffer({"stop_buffer": 0.2})


def test_the_same_setup_found_twice_in_one_scan_becomes_one_signal_the_first():
    signals = to_signals([setup("zone-1", 2_000), setup("zone-1", 1_000), setup("zone-2", 3_000)], "BTC/USDT",
                         "A", "1m")
    assert [(s.setup_id, s.known_at_ms) for s in signals] == [("A:BTC/USDT:zone-1", 1_000),
                                                              ("A:BTC/USDT:zone-2", 3_000)]


def test_a_setup_with_its_stop_on_the_wrong_side_of_the_entry_is_dropped():
    assert to_signals([setup("bad", 1, stop="101"), setup("bad-short", 2, stop="99", side=SHORT)],
                      "BTC/USDT", "C", "15m") == []
