"""Break-even stops on the market's tick: rounded away from the entry, so closing there nets zero or more.

Hand-computed with a 0.1 tick, a 0.1% fee both ways and 2 bps of slippage on the exit; then a property over
any entry, tick, fee and slippage, with the exit filled as the paper venue fills it (slippage, then the tick
against the taker).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, strategies as st

from trading.domain.instruments import Instrument
from trading.domain.positions import Position, PositionSide
from trading.engine.entry_costs import exit_cost_rate
from trading.engine.simulator import PriceBar, on_tick
from trading.engine.slippage import SlippageModel
from trading.risk.protective_stops import (ExitReason, ProtectionSettings, break_even_price, effective_stop,
                                           evaluate_stops, open_stops)

LONG, SHORT = PositionSide.LONG, PositionSide.SHORT
BTC = Instrument("BTC/USDT", "BTC", "USDT", price_tick=D("0.1"), taker_fee=D("0.001"))
TWO_BPS = SlippageModel(D(2), D(0), None, D(100))
BREAK_EVEN_ONLY = ProtectionSettings(take_profit_zone_pct=None, trailing_activation_pct=None,
                                     trailing_activation_r=None, partial_take_profit_r=None, break_even_r=D(1))
RATE = D("1.001") / (D("0.999") * D("0.9998")) - 1        # 0.00220244249...


def _state(side: PositionSide, stop: str, entry: str = "100", tick: D = D("0.1"), rate: D = RATE):
    position = Position("BTC/USDT", side, D(1), D(entry), 0, 1, stop_price=D(stop))
    return open_stops(position, BREAK_EVEN_ONLY, D(entry) * rate, tick)


def _net_per_unit(side: PositionSide, entry: D, stop: D, fee: D, slippage: SlippageModel, tick: D) -> D:
    """Return what closing one unit at stop nets, filled as the paper venue fills a market exit."""
    exit_side = side.entry_order_side.opposite
    fill = on_tick(slippage.price(exit_side, stop, D(1)), tick, exit_side)
    return side.sign * (fill - entry) - fee * (entry + fill)


def test_a_long_break_even_stop_is_rounded_up_to_the_tick_and_nets_more_than_nothing():
    # 100 + 100 x 0.00220244 (0.220244) + one tick grown by the rate (0.100220) = 100.320464, up: 100.4;
    # sold at 100.4 x 0.9998 = 100.37992, down to the tick: 100.3; 0.3 - 0.001 x (100 + 100.3) = +0.0997
    state = _state(LONG, "95")
    assert break_even_price(state) == D("100.4")
    assert _net_per_unit(LONG, D(100), D("100.4"), D("0.001"), TWO_BPS, D("0.1")) == D("0.0997")


def test_a_short_break_even_stop_is_rounded_down_to_the_tick_and_nets_more_than_nothing():
    # 100 - 0.220244 - 0.100220 = 99.679536, down: 99.6; bought at 99.6 x 1.0002 = 99.61992, up to the tick:
    # 99.7; 0.3 - 0.001 x (100 + 99.7) = +0.1003
    state = _state(SHORT, "105")
    assert break_even_price(state) == D("99.6")
    assert _net_per_unit(SHORT, D(100), D("99.6"), D("0.001"), TWO_BPS, D("0.1")) == D("0.1003")


def test_the_old_level_on_the_nearest_tick_lost_a_little():
    # entry + 2f + s = 100.22, on the nearest tick 100.2: sold at 100.17996 -> 100.1, 0.1 - 0.2001 = -0.1001
    assert _net_per_unit(LONG, D(100), D("100.2"), D("0.001"), TWO_BPS, D("0.1")) == D("-0.1001")


def test_without_costs_break_even_is_the_entry_itself_or_the_next_tick_away_from_it():
    assert break_even_price(_state(LONG, "95", rate=D(0))) == D(100)
    assert break_even_price(_state(LONG, "95", entry="100.04", rate=D(0))) == D("100.1")
    assert break_even_price(_state(SHORT, "105", entry="100.04", rate=D(0))) == D("100.0")


def test_without_a_tick_break_even_is_the_entry_plus_the_exact_costs():
    assert break_even_price(_state(LONG, "95", tick=D(0))) == D(100) + D(100) * RATE


def test_break_even_waits_for_the_price_to_reach_its_level_so_the_stop_is_never_above_the_price():
    # stop 99.9: 1R = 0.1, so 1R up is 100.1, below the break-even level 100.4. At 100.2 a stop at 100.4 would
    # sit above the price and sell at once below break-even: the stop stays at 99.9 until the price reaches 100.4
    state, exits = evaluate_stops(_state(LONG, "99.9"), PriceBar.tick(0, D("100.2")), BREAK_EVEN_ONLY)
    assert exits == () and effective_stop(state, BREAK_EVEN_ONLY) == (D("99.9"), ExitReason.STOP_LOSS)
    state, exits = evaluate_stops(state, PriceBar.tick(0, D("100.4")), BREAK_EVEN_ONLY)
    assert exits == () and effective_stop(state, BREAK_EVEN_ONLY) == (D("100.4"), ExitReason.BREAK_EVEN)
    state, (close,) = evaluate_stops(state, PriceBar.tick(0, D("100.4")), BREAK_EVEN_ONLY)
    assert (close.reason, close.price) == (ExitReason.BREAK_EVEN, D("100.4"))


_TICKS = st.sampled_from([D("0.00001"), D("0.001"), D("0.01"), D("0.1"), D("0.5"), D(1), D(10)])


@given(side=st.sampled_from([LONG, SHORT]), tick=_TICKS, steps=st.integers(1, 10_000_000),
       fee_bps=st.integers(0, 20), slip_bps=st.integers(0, 100), extra=st.integers(0, 9))
def test_closing_at_break_even_never_nets_below_zero(side, tick, steps, fee_bps, slip_bps, extra):
    # any entry (on the tick, or an average a tenth of a tick off it), fee and slippage: the exit at the stop,
    # moved by the slippage and put on the tick against the taker, pays both fees and keeps zero or more
    entry = steps * tick + extra * tick / 10
    fee, slippage = D(fee_bps) / 10_000, SlippageModel(D(slip_bps), D(0), None, D(100))
    instrument = replace(BTC, price_tick=tick, taker_fee=fee)
    rate = exit_cost_rate(instrument, slippage, D(1), entry)
    position = Position("X/USDT", side, D(1), entry, 0, 1)
    stop = break_even_price(open_stops(position, BREAK_EVEN_ONLY, entry * rate, tick))
    assert stop == (stop / tick).to_integral_value() * tick          # on the tick
    assert side.sign * (stop - entry) >= 0                           # on the far side of the entry
    assert _net_per_unit(side, entry, stop, fee, slippage, tick) >= 0
