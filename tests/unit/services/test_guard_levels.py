"""One rule puts the guard's stop and target on the tick: /positions shows what the exchange's legs hold."""
from decimal import Decimal as D

from trading.domain.positions import PositionSide
from trading.engine.engine_state import GuardedPosition
from trading.risk.protective_stops import ProtectionSettings, StopState
from trading.services.guard_levels import GuardLevels, guard_levels

SETTINGS = ProtectionSettings()      # hard stop 10 %: 90 for the long, 110 for the short, looser than the plan's


def guard(side: PositionSide, stop: str, target: str, tick: str = "0.01") -> GuardedPosition:
    stops = StopState(side, D("100"), D("1.667"), D("100"), stop=D(stop), take_profit=D(target), price_tick=D(tick))
    return GuardedPosition("BTC/USDT", "k", "scripted", "test", stops, D("0.001"), 0, D("1.667"), D("1"), D("100"))


def test_a_long_s_stop_and_target_round_up_onto_the_tick():
    assert guard_levels(guard(PositionSide.LONG, "98.333", "110.005"), SETTINGS) == \
        GuardLevels(D("98.34"), "stop", D("110.01"))


def test_a_short_s_stop_and_target_round_down_onto_the_tick():
    assert guard_levels(guard(PositionSide.SHORT, "101.667", "89.995"), SETTINGS) == \
        GuardLevels(D("101.66"), "stop", D("89.99"))


def test_the_market_s_tick_given_wins_over_the_one_the_guard_was_opened_with():
    assert guard_levels(guard(PositionSide.LONG, "98.333", "110.005", tick="0"), SETTINGS, D("0.1")) == \
        GuardLevels(D("98.4"), "stop", D("110.1"))


def test_an_unknown_tick_leaves_the_levels_as_they_are():
    assert guard_levels(guard(PositionSide.LONG, "98.333", "110.005", tick="0"), SETTINGS) == \
        GuardLevels(D("98.333"), "stop", D("110.005"))
