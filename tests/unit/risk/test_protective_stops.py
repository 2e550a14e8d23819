"""Protective exits of one position: hard stop, zones, stop and target, trailing, partial, break-even."""
from __future__ import annotations

import json
from decimal import Decimal as D

from hypothesis import given, settings as hyp_settings, strategies as st

from trading.domain.positions import Position, PositionSide
from trading.engine.simulator import PriceBar
from trading.risk.protective_stops import (ExitAction, ExitReason, ProtectionSettings, StopState, Zone,
                                           effective_stop, evaluate_stops, hard_stop_price, open_stops)

LONG, SHORT = PositionSide.LONG, PositionSide.SHORT
# Only the hard stop and the zones: every other rule switched off.
PLAIN = ProtectionSettings(take_profit_zone_pct=None, trailing_activation_pct=None, trailing_activation_r=None,
                           partial_take_profit_r=None, break_even_r=None)
TRAILING = ProtectionSettings(take_profit_zone_pct=None, trailing_activation_pct=D(2), trailing_activation_r=None,
                              trailing_callback_pct=D(1), partial_take_profit_r=None, break_even_r=None)


def stops(side: PositionSide = LONG, stop: str | None = None, take_profit: str | None = None,
          leverage: int = 1, settings: ProtectionSettings = PLAIN) -> StopState:
    position = Position("BTC/USDT", side, D(1), D(100), 0, leverage,
                        stop_price=None if stop is None else D(stop),
                        take_profit=None if take_profit is None else D(take_profit))
    return open_stops(position, settings)


def tick(price: str) -> PriceBar:
    return PriceBar.tick(0, D(price))


def bar(o: str, h: str, low: str, c: str) -> PriceBar:
    return PriceBar(0, D(o), D(h), D(low), D(c))


def run(state: StopState, bars: list[PriceBar], settings: ProtectionSettings = PLAIN):
    exits = []
    for b in bars:
        state, found = evaluate_stops(state, b, settings)
        exits.append(found)
    return state, exits


def test_hard_stop_exits_at_minus_ten_percent_on_a_spot_long():
    # 100 x (1 - 10%) = 90
    state = stops()
    assert hard_stop_price(state, PLAIN) == D(90)
    _, [above, at] = run(state, [tick("90.01"), tick("90")])
    assert all(e.action is not ExitAction.CLOSE for e in above)
    assert (at[0].action, at[0].reason, at[0].price, at[0].fraction) == (
        ExitAction.CLOSE, ExitReason.HARD_STOP, D(90), D(1))


def test_hard_stop_is_ten_percent_of_margin_at_five_times_leverage():
    # -10% on the position / 5x = -2% price: 100 x 0.98 = 98
    state = stops(leverage=5)
    assert hard_stop_price(state, PLAIN) == D(98)
    _, [[first], [second]] = run(state, [tick("98.01"), tick("98")])
    assert first.action is ExitAction.ASK                 # -1.99% x 5 = -9.95%: soft zone
    assert (second.reason, second.price) == (ExitReason.HARD_STOP, D(98))


def test_short_hard_stop_is_mirrored_above_entry():
    # 100 x (1 + 10%) = 110
    _, [[exit_]] = run(stops(SHORT), [tick("110")])
    assert (exit_.reason, exit_.price) == (ExitReason.HARD_STOP, D(110))


def test_candle_gapping_through_the_hard_stop_fills_at_its_open():
    _, [[through], ] = run(stops(), [bar("92", "93", "88", "89")])
    assert through.price == D(90)                          # opened above the stop: filled at the level
    _, [[gapped]] = run(stops(), [bar("89", "91", "87", "88")])
    assert gapped.price == D(89)                           # opened below it: filled at the open


def test_soft_stop_zone_asks_once_per_entry_into_the_zone():
    # -4% normal, -5% enters the zone (ask), -6% stays (silent), -3% leaves, -5.5% re-enters (ask)
    state, exits = run(stops(), [tick("96"), tick("95"), tick("94"), tick("97"), tick("94.5")])
    assert [len(e) for e in exits] == [0, 1, 0, 0, 1]
    ask = exits[1][0]
    assert (ask.action, ask.reason, ask.fraction) == (ExitAction.ASK, ExitReason.SOFT_STOP_ZONE, D(0))
    assert state.zone is Zone.SOFT_STOP


def test_soft_stop_zone_counts_leverage():
    # -1% price x 5 = -5% on the position
    _, [[ask]] = run(stops(leverage=5), [tick("99")])
    assert ask.reason is ExitReason.SOFT_STOP_ZONE


def test_take_profit_zone_asks_for_long_and_short():
    settings = ProtectionSettings(trailing_activation_pct=None, trailing_activation_r=None, partial_take_profit_r=None,
                                  break_even_r=None)
    _, [[long_ask]] = run(stops(), [tick("110")], settings)      # +10%
    _, [[short_ask]] = run(stops(SHORT), [tick("90")], settings)  # +10% for a short
    assert long_ask.reason is short_ask.reason is ExitReason.TAKE_PROFIT_ZONE


def test_structural_stop_and_take_profit_from_the_signal():
    _, [[stopped]] = run(stops(stop="95", take_profit="110"), [bar("99", "100", "95", "96")])
    _, [[target]] = run(stops(stop="95", take_profit="110"), [bar("104", "110", "103", "109")])
    assert (stopped.reason, stopped.price) == (ExitReason.STOP_LOSS, D(95))
    assert (target.reason, target.price, target.action) == (ExitReason.TAKE_PROFIT, D(110), ExitAction.CLOSE)


def test_candle_touching_stop_and_target_exits_at_the_stop():
    _, [[long_exit]] = run(stops(stop="95", take_profit="110"), [bar("100", "111", "94", "100")])
    _, [[short_exit]] = run(stops(SHORT, stop="105", take_profit="90"), [bar("100", "106", "89", "100")])
    assert (long_exit.reason, long_exit.price) == (ExitReason.STOP_LOSS, D(95))
    assert (short_exit.reason, short_exit.price) == (ExitReason.STOP_LOSS, D(105))


def test_candle_gapping_above_the_take_profit_fills_at_its_open():
    _, [[target]] = run(stops(stop="95", take_profit="110"), [bar("112", "113", "111", "112")])
    assert target.price == D(112)


def test_long_trailing_stop_follows_the_best_price_and_exits_at_callback():
    # activation 100 x 1.02 = 102; at 102 the trail is 102 x 0.99 = 100.98; best 105 -> 103.95;
    # 104 is above it (no exit, trail unchanged); 103.95 exits
    prices = ["101.5", "102", "105", "104", "103.95"]
    state, exits = run(stops(settings=TRAILING), [tick(p) for p in prices[:2]], TRAILING)
    assert state.trailing_stop == D("100.98")
    state, exits = run(state, [tick(p) for p in prices[2:]], TRAILING)
    assert (state.best_price, state.trailing_stop) == (D(105), D("103.95"))
    assert exits[:2] == [(), ()]
    assert (exits[2][0].reason, exits[2][0].price) == (ExitReason.TRAILING_STOP, D("103.95"))


def test_long_trailing_stop_waits_for_activation():
    state, exits = run(stops(settings=TRAILING), [tick("101.99")], TRAILING)
    assert state.trailing_stop is None and exits == [()]


def test_short_trailing_stop_is_mirrored():
    # activation 98; at 98 the trail is 98 x 1.01 = 98.98; best 95 -> 95.95; 96 is below it; 95.95 exits
    state, exits = run(stops(SHORT, settings=TRAILING), [tick(p) for p in ("98", "95", "95.5", "95.95")],
                       TRAILING)
    assert exits[:3] == [(), (), ()]
    assert (exits[3][0].reason, exits[3][0].price) == (ExitReason.TRAILING_STOP, D("95.95"))
    assert state.best_price == D(95)


def test_trail_raised_by_a_candle_high_is_checked_from_the_next_candle():
    # bar 1's high 105 sets the trail to 103.95 but its low 103 may have come first: no exit on bar 1
    state, exits = run(stops(settings=TRAILING), [bar("100", "105", "103", "104"),
                                                  bar("104", "104.5", "103", "103.5")], TRAILING)
    assert exits[0] == ()
    assert (exits[1][0].reason, exits[1][0].price) == (ExitReason.TRAILING_STOP, D("103.95"))


def test_partial_take_profit_at_1r_then_break_even_stop():
    # stop 95: 1R = 5; 1R target 105 closes half; the stop moves to entry 100; a later touch of 100 exits
    settings = ProtectionSettings(trailing_activation_pct=None, trailing_activation_r=None)
    state, exits = run(stops(stop="95", settings=settings), [bar("101", "105", "100.5", "104")], settings)
    [[half]] = exits
    assert (half.action, half.reason, half.price, half.fraction) == (
        ExitAction.CLOSE_PART, ExitReason.PARTIAL_TAKE_PROFIT, D(105), D("0.5"))
    assert effective_stop(state, settings) == (D(100), ExitReason.BREAK_EVEN)
    state, exits = run(state, [bar("104", "106", "101", "102"), bar("102", "102", "100", "101")], settings)
    assert exits[0] == ()                                   # 106: no second partial
    assert (exits[1][0].reason, exits[1][0].price) == (ExitReason.BREAK_EVEN, D(100))


def test_short_partial_take_profit_and_break_even_are_mirrored():
    # stop 104: 1R = 4; target 96
    settings = ProtectionSettings(trailing_activation_pct=None, trailing_activation_r=None)
    state, [[half]] = run(stops(SHORT, stop="104", settings=settings), [tick("96")], settings)
    assert (half.reason, half.price) == (ExitReason.PARTIAL_TAKE_PROFIT, D(96))
    assert effective_stop(state, settings) == (D(100), ExitReason.BREAK_EVEN)


def test_default_rules_take_half_at_1r_then_trail_the_rest_from_2r():
    # stop 95, 1R = 5: bar high 105 closes half at 105 and moves the stop to the entry 100; the trail arms
    # at 2R = 110, 1R behind the best price: a high of 112 trails at 107, the tightest stop from then on
    settings = ProtectionSettings()
    state, [[half]] = run(stops(stop="95", settings=settings), [bar("101", "105", "101", "104")], settings)
    assert half.reason is ExitReason.PARTIAL_TAKE_PROFIT
    assert effective_stop(state, settings) == (D(100), ExitReason.BREAK_EVEN)
    state, _ = run(state, [bar("104", "112", "104", "109")], settings)
    assert effective_stop(state, settings) == (D(107), ExitReason.TRAILING_STOP)


def test_break_even_moves_the_stop_to_the_entry_plus_the_cost_of_closing():
    # entry 100 and closing costs of 0.25 per unit (two fees and the exit's slippage): at 1R the stop
    # moves to 100.25, so a trade stopped at break-even nets nothing instead of a loss
    settings = ProtectionSettings(trailing_activation_r=None, trailing_activation_pct=None, partial_take_profit_r=None)
    position = Position("BTC/USDT", LONG, D(1), D(100), 0, 1, stop_price=D(95))
    state, _ = run(open_stops(position, settings, D("0.25")), [tick("105")], settings)
    assert effective_stop(state, settings) == (D("100.25"), ExitReason.BREAK_EVEN)
    short = Position("BTC/USDT", SHORT, D(1), D(100), 0, 1, stop_price=D(105))
    state, _ = run(open_stops(short, settings, D("0.25")), [tick("95")], settings)
    assert effective_stop(state, settings) == (D("99.75"), ExitReason.BREAK_EVEN)


def test_trailing_activation_and_distance_are_in_r_for_a_position_with_a_stop():
    # stop 98: 1R = 2; activation 1.5R = 103; callback 0.5R = 1: a high of 103 trails at 102, 104 at 103
    settings = ProtectionSettings(take_profit_zone_pct=None, partial_take_profit_r=None, break_even_r=None,
                                  trailing_activation_r=D("1.5"), trailing_callback_r=D("0.5"))
    state, exits = run(stops(stop="98", settings=settings), [tick("102.9"), tick("103"), tick("104")], settings)
    assert exits == [(), (), ()] and state.trailing_stop == D(103)
    state, [[out]] = run(state, [tick("103")], settings)
    assert (out.reason, out.price) == (ExitReason.TRAILING_STOP, D(103))


def test_break_even_without_partial_take_profit():
    settings = ProtectionSettings(trailing_activation_pct=None, trailing_activation_r=None, partial_take_profit_r=None)
    state, exits = run(stops(stop="95", settings=settings), [tick("105")], settings)
    assert exits == [()] and state.stop == D(100) and state.at_break_even


def test_one_r_comes_from_the_hard_stop_without_a_structural_stop():
    # hard stop at 5x: 98, so 1R = 2
    assert stops(leverage=5).risk_per_unit == D(2)


def test_stop_state_survives_a_restart_through_json():
    # after the 1R partial at 105 and a high of 112: stop at break-even 100, trail armed at 112 - 1R = 107
    settings = ProtectionSettings()
    state, _ = run(stops(stop="95", settings=settings), [tick("105"), tick("112")], settings)
    restored = StopState.restore(json.loads(json.dumps(state.snapshot())))
    assert restored == state and restored.partial_taken and restored.trailing_stop == D(107)


@st.composite
def price_walks(draw) -> list[PriceBar]:
    # a random walk of candles around the entry at 100, each step and wick up to 1.5%
    steps = draw(st.lists(st.integers(-150, 150), max_size=40))
    bars, close = [], D(100)
    for step in steps:
        open_, close = close, close + D(step) / 100
        up, down = (D(draw(st.integers(0, 150))) / 100 for _ in range(2))
        bars.append(PriceBar(0, open_, max(open_, close) + up, min(open_, close) - down, close))
    return bars


@given(side=st.sampled_from([LONG, SHORT]), leverage=st.integers(1, 10),
       stop=st.one_of(st.none(), st.integers(1, 40)), activation=st.integers(0, 10),
       callback=st.integers(1, 5), bars=price_walks())
@hyp_settings(max_examples=300, deadline=None)
def test_stop_never_loosens(side, leverage, stop, activation, callback, bars):
    settings = ProtectionSettings(trailing_activation_pct=D(activation), trailing_activation_r=None,
                                  trailing_callback_pct=D(callback))
    structural = None if stop is None else str(100 - side.sign * stop)
    state = stops(side, stop=structural, leverage=leverage, settings=settings)
    for price_bar in bars:
        before, _ = effective_stop(state, settings)
        state, exits = evaluate_stops(state, price_bar, settings)
        if any(e.action is ExitAction.CLOSE for e in exits):
            break
        after, _ = effective_stop(state, settings)
        assert (after >= before) if side is LONG else (after <= before)
