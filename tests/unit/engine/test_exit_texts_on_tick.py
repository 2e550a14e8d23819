"""The engine's exit and entry texts show prices on the market's tick and amounts on its step (BTC/USDT:USDT:
a tick of 0.1 and a step of 0.001), also for a position the engine adopted (a manual futures /buy)."""
from __future__ import annotations

from decimal import Decimal as D

from tests.fakes.trading_setups import ENTER, PERP, T0, account, bar, position, signal
from trading.adapters.reconciliation import PositionDrift, ReconciliationReport
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.domain.positions import PositionSide
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.trading_engine import TradingEngine
from trading.risk.protective_stops import ProtectionSettings, StopState, evaluate_stops
from trading.services import loop_notices as notices

TICK, STEP = D("0.1"), D("0.001")


def adopted(engine: TradingEngine, amount: str = "0.002", entry: str = "136111.1"):
    held = position(PERP, amount=amount, entry=entry)
    return held, engine.on_position_opened(held, T0, None, STEP, TICK)


def test_an_adopted_positions_hard_stop_is_told_on_the_tick():
    # the 10% hard stop of a long at 136,111.1: 136,111.1 x 0.9 = 122,499.99 -> 122,500.0 on the 0.1 tick (it used
    # to read "hard stop at 122499.990 (level 122499.990)"); the bar opens above it, so the fill is the level
    engine = TradingEngine()
    held, _ = adopted(engine)
    (plan,) = engine.on_bar(PERP, bar("123000", "123000", "122000", "122100"), held)
    assert plan.message == "BTC/USDT:USDT long: hard stop at 122,500.0 (level 122,500.0)"


def test_the_soft_stop_question_tells_the_price_on_the_tick():
    # (129,305.54 / 136,111.1 - 1) x 100 = -5.00%: the soft-stop zone; 129,305.54 -> 129,305.5
    engine = TradingEngine()
    held, _ = adopted(engine)
    (ask,) = engine.on_bar(PERP, bar("136111.1", "136111.1", "129000", "129305.54"), held)
    assert ask.message == "BTC/USDT:USDT long: position at -5.00% (soft_stop zone) at 129,305.5: exit or hold?"


def test_take_profit_and_partial_take_profit_are_told_on_the_tick():
    # take-profit 140,000.04 -> 140,000.0; the partial at 1R = 136,111.1 + 1,000.03 = 137,111.13 -> 137,111.1, half
    state = StopState(PositionSide.LONG, D("136111.1"), D("1000.03"), D("136111.1"), take_profit=D("140000.04"),
                      price_tick=TICK)
    _, (tp,) = evaluate_stops(state, bar("139000", "140500", "139000", "140100"), ProtectionSettings())
    _, (part,) = evaluate_stops(state, bar("137000", "137200", "137000", "137150"), ProtectionSettings())
    assert tp.message == "take-profit at 140,000.0"
    assert part.message == "partial take-profit: 50% at 137,111.1 (1R)"


def test_entry_reduction_and_adoption_notices_show_the_amount_on_the_step():
    engine = TradingEngine()
    plan = engine.plan_entry(signal(PERP, stop="48000.037", take_profit="55000.051"), ENTER, account("100000"), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    held = position(PERP, amount="0.12", entry="50000.04")
    guard = engine.on_position_opened(held, T0, plan.intent.client_order_id)
    # the stop 48,000.037 goes up onto the tick, toward the entry: 48,000.1 (never more risk than sized)
    # risk 0.12 x (50,000.04 - 48,000.1) = 239.9928 -> 239.99
    assert notices.position_entered(guard, held, T0).message == (
        "ENTRY long 0.120 BTC/USDT:USDT at 50,000.0 [A]: test setup s1. Stop 48,000.1, target 55,000.1, "
        "risk 239.99.")
    assert notices.position_reduced(guard, position(PERP, amount="0.06"), T0).message.endswith(" 0.060 left.")
    assert notices.position_adopted(guard, T0).message == \
        "Guarding long 0.120 BTC/USDT:USDT opened outside the engine"


def test_an_exchange_stop_fill_is_told_on_the_tick():
    leg = Order("1", "c", PERP, Side.SELL, OrderType.STOP_MARKET, D("0.002"), OrderStatus.FILLED, T0,
                filled=D("0.002"), avg_price=D("122499.98765"))
    assert notices.exchange_leg_filled(leg, TICK) == "its stop on the exchange filled at 122,500.0"


def test_the_start_up_report_shows_an_adopted_positions_entry_as_a_price():
    # Binance averages a futures entry to many digits; no market at hand in the report: separators, 2 to 8 decimals
    adopted = position(PERP, amount="0.002", entry="116473.4678571428571")
    lines = ReconciliationReport(T0, "futures", positions=PositionDrift(adopted=(adopted,))).lines()
    assert "Adopted position long 0.002 BTC/USDT:USDT at 116,473.46785714" in lines
