"""Protective exits through the engine: hard stop, trailing, partial, zones, kill switch, one exit at a time."""
from __future__ import annotations

from decimal import Decimal as D

from tests.fakes.trading_setups import (ENTER, EXIT, HOLD, PERP, SPOT_BTC, T0, account, bar, position, signal)
from trading.domain.candles import MINUTE_MS
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.domain.positions import PositionSide
from trading.engine.engine_state import EngineSettings
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.exit_pipeline import AskDecision, ExitPlan, ForcedExit
from trading.engine.trading_engine import TradingEngine
from trading.risk.protective_stops import ProtectionSettings, Zone
from trading.risk.verdicts import RiskRule

TRAILING_ONLY = ProtectionSettings(take_profit_zone_pct=None, trailing_activation_pct=D(2), trailing_activation_r=None,
                                   trailing_callback_pct=D(1), partial_take_profit_r=None, break_even_r=None)


def guarded(engine: TradingEngine, stop: str = "48000", take_profit: str | None = None,
            leverage: int = 1, symbol: str = "BTC/USDT"):
    """Enter 0.1 BTC long at 50,000 through the engine and return the position the broker holds."""
    plan = engine.plan_entry(signal(symbol, stop=stop, take_profit=take_profit), ENTER, account("100000"), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    held = position(symbol, leverage=leverage)
    engine.on_position_opened(held, T0, plan.intent.client_order_id)
    return held, plan.intent.client_order_id


def test_the_hard_stop_of_a_5x_long_exits_on_the_first_bar_past_it():
    # -10% on the position at 5x is -2% in price: 50,000 x 0.98 = 49,000 (above the structural 48,000).
    # Bar 1 closes at 49,450: (49,450 / 50,000 - 1) x 5 = -5.5%, the soft-stop zone, low 49,400 above 49,000.
    # Bar 2 opens 49,450 and trades down to 48,900: exit at the level, 49,000.
    engine = TradingEngine()
    held, key = guarded(engine, leverage=5, symbol=PERP)
    first = engine.on_bar(PERP, bar("50000", "50100", "49400", "49450"), held)
    second = engine.on_bar(PERP, bar("49450", "49500", "48900", "49100"), held)
    assert [type(p) for p in first] == [AskDecision] and first[0].zone is Zone.SOFT_STOP
    assert len(second) == 1 and isinstance(second[0], ExitPlan)
    exit_plan = second[0]
    assert (exit_plan.reason, exit_plan.price, exit_plan.fraction) == ("hard_stop", D("49000"), D(1))
    assert (exit_plan.intent.side, exit_plan.intent.type, exit_plan.intent.amount) == (Side.SELL, OrderType.MARKET,
                                                                                       D("0.1"))
    assert exit_plan.intent.reduce_only and exit_plan.intent.client_order_id == f"{key}-x1"


def test_the_trailing_stop_follows_the_high_and_exits_at_the_callback():
    # Activation at +2%: 51,000. Bar 1 high 51,000 arms it at 51,000 x 0.99 = 50,490.
    # Bar 2 low 50,600 stays above; its high 52,000 lifts the trail to 51,480.
    # Bar 3 opens 51,800 and dips to 51,400: exit at 51,480.
    engine = TradingEngine(EngineSettings(protection=TRAILING_ONLY))
    held, _ = guarded(engine)
    bars = [bar("50000", "51000", "49900", "50900"), bar("50900", "52000", "50600", "51800"),
            bar("51800", "51900", "51400", "51500")]
    plans = [engine.on_bar("BTC/USDT", b, held) for b in bars]
    assert plans[:2] == [[], []]
    assert engine.state.positions["BTC/USDT"].stops.trailing_stop == D("51480.00")
    assert [(p.reason, p.price) for p in plans[2]] == [("trailing_stop", D("51480.00"))]


def test_half_the_position_is_taken_at_one_r():
    # 1R = 2,000: the partial level is 52,000; half of 0.1 BTC is 0.05, sent reduce-only.
    engine = TradingEngine()
    held, key = guarded(engine)
    plans = engine.on_bar("BTC/USDT", bar("51500", "52100", "51400", "52000"), held)
    assert [(p.reason, p.intent.amount, p.fraction, p.intent.client_order_id) for p in plans] == [
        ("partial_take_profit", D("0.05"), D("0.5"), f"{key}-x1")]


def test_the_decision_maker_is_asked_only_when_a_zone_is_entered():
    # Spot: the soft-stop zone starts at -5% (47,500), the hard stop at -10% (45,000); structural stop 44,000.
    engine = TradingEngine()
    held, _ = guarded(engine, stop="44000")
    normal = engine.on_bar("BTC/USDT", bar("50000", "50200", "49000", "49100"), held)
    entering = engine.on_bar("BTC/USDT", bar("49100", "49100", "47300", "47400"), held)
    staying = engine.on_bar("BTC/USDT", bar("47400", "47600", "47200", "47300"), held)
    assert normal == [] and staying == []
    assert [(type(p), p.zone) for p in entering] == [(AskDecision, Zone.SOFT_STOP)]


def test_an_exit_decision_in_a_zone_closes_the_whole_position_and_hold_keeps_it():
    engine = TradingEngine()
    held, key = guarded(engine, stop="44000")
    [ask] = engine.on_bar("BTC/USDT", bar("49100", "49100", "47300", "47400"), held)
    assert isinstance(ask, AskDecision)
    assert engine.exit_on_decision(ask, HOLD, held) == []
    [plan] = engine.exit_on_decision(ask, EXIT, held)
    assert (plan.reason, plan.intent.amount, plan.intent.client_order_id) == ("decision", D("0.1"), f"{key}-x1")
    assert plan.message.endswith("soft-stop zone, test exits: test says exit")


def test_the_kill_switch_blocks_entries_but_lets_the_hard_stop_exit():
    engine = TradingEngine()
    held, _ = guarded(engine, stop="44000")
    engine.kill(False, "chat:1", "enough", T0)
    blocked = engine.plan_entry(signal(PERP, setup="s2"), ENTER, account(), T0)
    plans = engine.on_bar("BTC/USDT", bar("46000", "46000", "44900", "45000"), held)
    assert getattr(blocked, "rule", None) == RiskRule.KILL_SWITCH
    assert [(p.reason, p.price) for p in plans if isinstance(p, ExitPlan)] == [("hard_stop", D("45000.0"))]


def test_a_flat_kill_switch_closes_the_position_on_the_next_price():
    engine = TradingEngine()
    held, _ = guarded(engine)
    engine.kill(True, "signal:SIGTERM", "shutdown", T0)
    plans = engine.on_bar("BTC/USDT", bar("50100", "50100", "50100", "50100"), held)
    assert [(p.reason, p.price, p.intent.amount) for p in plans] == [("kill_switch", D("50100"), D("0.1"))]


def test_no_second_exit_is_planned_while_one_is_on_its_way():
    engine = TradingEngine()
    held, key = guarded(engine)
    past_stop = bar("48500", "48500", "47900", "48000")
    first = engine.on_bar("BTC/USDT", past_stop, held)
    while_sent = engine.on_bar("BTC/USDT", past_stop, held)
    engine.on_exit_settled("BTC/USDT")      # e.g. the order was rejected: try again
    again = engine.on_bar("BTC/USDT", past_stop, held)
    assert [p.intent.client_order_id for p in first] == [f"{key}-x1"]
    assert while_sent == []
    assert [p.intent.client_order_id for p in again] == [f"{key}-x2"]


def test_a_closed_trade_counts_its_fees_and_its_r_and_three_losses_start_a_cooldown():
    # Entry fee 2.50 seen on the position; exit 0.1 at 49,000 with a 2.45 fee:
    # -2.50 + (49,000 - 50,000) x 0.1 - 2.45 = -104.95, i.e. -0.52475R of the 200 risked.
    engine = TradingEngine()
    results = []
    for n in range(3):
        plan = engine.plan_entry(signal(setup=f"s{n}"), ENTER, account("100000"), T0 + n * MINUTE_MS)
        assert isinstance(plan, EntryPlan)
        engine.on_entry_placed(plan, T0)
        engine.on_position_opened(position(fees="2.50"), T0, plan.intent.client_order_id)
        exit_order = Order("P-9", "x", "BTC/USDT", Side.SELL, OrderType.MARKET, D("0.1"), OrderStatus.FILLED, T0,
                           filled=D("0.1"), avg_price=D("49000"), fee=D("2.45"))
        results.append(engine.on_position_closed("BTC/USDT", T0 + n * MINUTE_MS, exit_order))
    assert [r[1] for r in results] == [D("-104.95")] * 3
    assert engine.state.r_multiples["A"] == (D("-0.52475"),) * 3
    assert [b.rule for b in results[2][2]] == [RiskRule.LOSS_STREAK]
    blocked = engine.plan_entry(signal(setup="s9"), ENTER, account(), T0 + 3 * MINUTE_MS)
    assert getattr(blocked, "rule", None) == RiskRule.LOSS_STREAK


def test_a_position_closed_outside_the_engine_is_valued_at_the_last_mark():
    # Short 0.1 at 50,000 closed elsewhere with the mark at 49,000: +100 gross, less the 2.50 entry fee.
    engine = TradingEngine()
    engine.on_position_opened(position(PERP, PositionSide.SHORT, leverage=5, fees="2.50"), T0)
    guard, result, _ = engine.on_position_closed(PERP, T0, None, D("49000"))
    assert result == D("97.50") and guard is not None and guard.strategy == "manual"


def test_the_daily_loss_flattening_closes_each_guarded_position_once():
    # Two positions; the BTC one already has an exit on its way, so only ETH gets a market exit, at its mark.
    engine = TradingEngine()
    held, _ = guarded(engine)
    engine.on_bar("BTC/USDT", bar("48500", "48500", "47900", "48000"), held)
    eth = position("ETH/USDT", entry="3000", amount="1")
    engine.on_position_opened(eth, T0)
    plans = engine.flatten({"BTC/USDT": held, "ETH/USDT": eth}, ForcedExit.DAILY_LOSS, "daily loss limit hit",
                           {"ETH/USDT": D("2900")})
    assert [(p.symbol, p.reason, p.price, p.intent.amount, p.intent.reduce_only) for p in plans] == [
        ("ETH/USDT", "daily_loss", D("2900"), D("1"), True)]


def test_the_users_settled_exits_are_remembered_by_client_id_and_the_engines_by_their_number():
    # /sell manual-1 settles, then the engine's x1: only the user's id is kept (the engine's is told by exits_sent)
    engine = TradingEngine()
    held, key = guarded(engine)
    engine.on_user_exit("BTC/USDT", "manual-1", "/sell")
    engine.on_exit_settled("BTC/USDT")
    (plan,) = engine.flatten({"BTC/USDT": held}, ForcedExit.KILL_SWITCH, "flat", {"BTC/USDT": D("50000")})
    engine.on_exit_settled("BTC/USDT")
    guard = engine.state.positions["BTC/USDT"]
    assert plan.intent.client_order_id == f"{key}-x1"
    assert (guard.user_exits, guard.exits_sent, guard.exit_in_flight) == (("manual-1",), 1, "")


def test_only_the_last_twenty_user_exits_are_remembered():
    engine = TradingEngine()
    guarded(engine)
    for n in range(1, 23):
        engine.on_user_exit("BTC/USDT", f"manual-{n}", "/sell")
        engine.on_exit_settled("BTC/USDT")
    assert engine.state.positions["BTC/USDT"].user_exits == tuple(f"manual-{n}" for n in range(3, 23))


def tiny_spot(engine: TradingEngine, amount: str):
    """Guard a spot long of amount BTC at 50,000 (stop 48,000: 1R = 2,000)."""
    plan = engine.plan_entry(signal("BTC/USDT", stop="48000"), ENTER, account("100000"), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    held = position("BTC/USDT", amount=amount)
    engine.on_position_opened(held, T0, plan.intent.client_order_id)
    return held


def test_the_partial_take_profit_of_a_position_too_small_to_halve_is_skipped():
    # 0.00015 BTC at 52,000 (1R): half is 0.00007 on the step = 3.64 USDT, below the 5 USDT minimum (the smallest
    # sell at 52,000 is 5 / 52,000 = 0.0000961 -> 0.0001 on the step): no order, nothing waits on one
    engine = TradingEngine()
    held = tiny_spot(engine, "0.00015")
    assert engine.on_bar("BTC/USDT", bar("51500", "52100", "51400", "52000"), held, SPOT_BTC) == []
    assert engine.state.positions["BTC/USDT"].exit_in_flight == ""


def test_a_partial_take_profit_skipped_below_the_minimum_is_done_and_not_weighed_again_at_each_bar():
    # as above: the part (3.64 USDT) is below the 5 USDT minimum; the rule is spent at its level as if taken,
    # so the next bars at the level plan nothing (and a later rise does not halve the position after all)
    engine = TradingEngine()
    held = tiny_spot(engine, "0.00015")
    first = engine.on_bar("BTC/USDT", bar("51500", "52100", "51400", "52000"), held, SPOT_BTC)
    stops = engine.state.positions["BTC/USDT"].stops
    later = [engine.on_bar("BTC/USDT", bar("52000", high, "51900", high), held, SPOT_BTC) for high in
             ("52100", "52050", "52100")]
    assert first == [] and stops.partial_taken
    assert later == [[], [], []] and engine.state.positions["BTC/USDT"].stops.partial_taken


def test_a_partial_take_profit_that_would_strand_the_rest_takes_it_all():
    # 90% of 0.0002 BTC at 52,000 is 0.00018, leaving 0.00002 (1.04 USDT), below the smallest sell 0.0001
    engine = TradingEngine(EngineSettings(protection=ProtectionSettings(partial_take_profit_fraction=D("0.9"))))
    held = tiny_spot(engine, "0.0002")
    plans = engine.on_bar("BTC/USDT", bar("51500", "52100", "51400", "52000"), held, SPOT_BTC)
    assert [(p.reason, p.intent.amount, p.fraction) for p in plans] == [("partial_take_profit", D("0.0002"), D(1))]
    assert plans[0].message.endswith("(the rest, 0.00002 BTC, would be below the smallest order 0.0001 BTC: the "
                                     "whole position exits)")


def test_an_llm_sell_of_90_percent_that_would_strand_the_rest_sells_it_all():
    # 0.0002 BTC; 90% = 0.00018 leaves 0.00002 (1 USDT at 50,000), below the smallest sell 0.0001: all of it
    engine = TradingEngine()
    held = tiny_spot(engine, "0.0002")
    plans = engine.exit_on_review("BTC/USDT", EXIT, held, D(50_000), D("0.9"), SPOT_BTC)
    assert [(p.intent.amount, p.fraction) for p in plans] == [(D("0.0002"), D(1))]


def test_an_llm_sell_below_the_smallest_order_is_skipped():
    engine = TradingEngine()
    held = tiny_spot(engine, "0.0002")
    assert engine.exit_on_review("BTC/USDT", EXIT, held, D(50_000), D("0.1"), SPOT_BTC) == []
    assert engine.state.positions["BTC/USDT"].exit_in_flight == ""        # nothing waits on an order never sent
