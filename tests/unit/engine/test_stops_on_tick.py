"""A stop goes onto the market's tick toward the entry: the risk taken is never more than the risk sized.

PERP_BTC's tick is 0.1, SPOT_BTC's 0.01 (tests/fakes/trading_setups.py). Rounding to the nearest tick could put
the stop up to half a tick further away than sized; toward the entry it is at most a tick nearer.
"""
from __future__ import annotations

from decimal import Decimal as D

from tests.fakes.trading_setups import ENTER, PERP, PERP_BTC, T0, account, signal
from tests.unit.engine.markets import stop as stop_intent
from trading.domain.decisions import Action, Decision, OrderKind, TradeAction, TradeIdea
from trading.domain.orders import OrderIntent, OrderType, Side
from trading.domain.positions import PositionSide
from trading.engine.entry_pipeline import EntryPlan, EntryRule, Rejection
from trading.engine.llm_orders import capped_plan, idea_signal
from trading.engine.order_intake import accept_intent
from trading.engine.trading_engine import TradingEngine

LAST = D(60_000)


def test_a_long_s_stop_goes_up_onto_the_tick_toward_the_entry():
    # 48,000.04 -> 48,000.1, not the nearest 48,000.0 (0.04 more risk per BTC than sized)
    plan = TradingEngine().plan_entry(signal(PERP, stop="48000.04"), ENTER, account("100000"), T0)
    assert isinstance(plan, EntryPlan) and plan.stop == D("48000.1")


def test_a_short_s_stop_goes_down_onto_the_tick_toward_the_entry_and_the_target_to_the_nearest():
    # 52,000.06 -> 52,000.0, not the nearest 52,000.1; the target 45,000.06 stays on the nearest tick, 45,000.1
    short = signal(PERP, PositionSide.SHORT, stop="52000.06", take_profit="45000.06")
    plan = TradingEngine().plan_entry(short, ENTER, account("100000"), T0)
    assert isinstance(plan, EntryPlan) and (plan.stop, plan.take_profit) == (D("52000.0"), D("45000.1"))


def test_a_stop_already_on_the_tick_stays_where_it_is():
    plan = TradingEngine().plan_entry(signal(PERP, stop="48000.3"), ENTER, account("100000"), T0)
    assert isinstance(plan, EntryPlan) and plan.stop == D("48000.3")


def test_a_stop_that_would_reach_the_entry_on_the_tick_is_refused_with_how_far_to_put_it():
    # entry 50,000.05, stop 50,000.01: up onto the tick it is 50,000.1, past the entry: nothing left at risk
    plan = TradingEngine().plan_entry(signal(PERP, entry="50000.05", stop="50000.01", take_profit="50100"),
                                      ENTER, account("100000"), T0)
    assert isinstance(plan, Rejection) and plan.rule == EntryRule.STOP_ON_TICK
    assert plan.reason == ("the stop 50000.01 is less than one price tick (0.1) from the entry 50000.05: on the "
                           "tick toward the entry it would be 50000.1, at or past the entry, with nothing left to "
                           "risk. Put the stop at least one tick (0.1) below the entry")


def test_a_short_s_stop_that_would_land_on_the_entry_is_refused_too():
    # entry 50,000.0 short, stop 50,000.07: down onto the tick it is 50,000.0, the entry itself
    plan = TradingEngine().plan_entry(signal(PERP, PositionSide.SHORT, entry="50000", stop="50000.07",
                                             take_profit="49000"), ENTER, account("100000"), T0)
    assert isinstance(plan, Rejection) and plan.rule == EntryRule.STOP_ON_TICK
    assert plan.reason.endswith("Put the stop at least one tick (0.1) above the entry")


def test_a_stop_on_the_wrong_side_is_left_to_sizing_to_explain():
    plan = TradingEngine().plan_entry(signal(PERP, stop="52000"), ENTER, account("100000"), T0)
    assert isinstance(plan, Rejection) and plan.rule != EntryRule.STOP_ON_TICK
    assert "wrong side" in plan.reason


def test_a_signal_shows_its_stop_as_it_is_placed():
    # long: 48,000.04 -> 48,000.1 (up); short: 52,000.06 -> 52,000.0 (down); entries and targets to the nearest
    long = signal(PERP, entry="50000.04", stop="48000.04", take_profit="56000.06").on_tick(PERP_BTC)
    short = signal(PERP, PositionSide.SHORT, stop="52000.06", take_profit="45000.04").on_tick(PERP_BTC)
    assert (long.entry, long.stop, long.take_profit) == (D("50000.0"), D("48000.1"), D("56000.1"))
    assert (short.stop, short.take_profit) == (D("52000.0"), D("45000.0"))


def test_a_reduce_only_stop_order_goes_onto_the_tick_in_the_position_s_favour():
    # a long's protective sell 55,000.04 -> 55,000.1; a short's protective buy 65,000.06 -> 65,000.0
    sell = accept_intent(stop_intent(PERP, Side.SELL, "0.1", "55000.04"), PERP_BTC, "P-1", 0, LAST, D(0))
    buy = accept_intent(stop_intent(PERP, Side.BUY, "0.1", "65000.06"), PERP_BTC, "P-2", 0, LAST, D(0))
    assert (sell.order.stop_price, buy.order.stop_price) == (D("55000.1"), D("65000.0"))


def test_a_stop_order_that_opens_keeps_the_nearest_tick():
    # a buy stop entering above the price is no protective stop: 65,000.06 -> the nearest 65,000.1
    intent = OrderIntent(PERP, Side.BUY, OrderType.STOP_MARKET, amount=D("0.1"), stop_price=D("65000.06"))
    assert accept_intent(intent, PERP_BTC, "P-1", 0, LAST, D(0)).order.stop_price == D("65000.1")


def llm_limit_plan(side: PositionSide, limit: str, stop: str, target: str) -> EntryPlan:
    action = TradeAction.BUY if side is PositionSide.LONG else TradeAction.SHORT
    decision = Decision(Action.ENTER, 0.8, "test idea", "test-model",
                        idea=TradeIdea(action, D(100), OrderKind.LIMIT, D(limit), D(stop), D(target)))
    plan = TradingEngine().plan_entry(idea_signal(PERP, decision, D("50000"), T0, D(10)), decision,
                                      account("100000"), T0)
    assert isinstance(plan, EntryPlan)
    capped = capped_plan(plan, decision, D("100000"), PERP_BTC)
    assert isinstance(capped, EntryPlan)
    return capped


def test_an_llm_limit_entry_goes_onto_the_tick_away_from_its_stop():
    # a long's limit buy 49,900.06 -> 49,900.0 (down: the nearest 49,900.1 would be further from the stop than
    # sized); a short's limit sell 50,100.04 -> 50,100.1 (up); the stops go toward the entries as above
    long = llm_limit_plan(PositionSide.LONG, "49900.06", "48000.04", "55000")
    short = llm_limit_plan(PositionSide.SHORT, "50100.04", "52000.06", "45000")
    assert (long.intent.price, long.stop) == (D("49900.0"), D("48000.1"))
    assert (short.intent.price, short.stop) == (D("50100.1"), D("52000.0"))
