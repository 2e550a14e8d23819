"""Before each call, risk says what the LLM may answer: the gate's own rules, reducing always allowed."""
from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.trading_setups import T0, position
from trading.domain.decisions import TradeAction
from trading.domain.positions import PositionSide
from trading.engine.engine_state import EngineSettings, EngineState
from trading.engine.symbol_view import allowed_actions
from trading.risk.kill_switch import engage

SETTINGS = EngineSettings()


def allowed(state=EngineState(), held=None, futures=False, cash="10000", leverage=1, known=True):
    return allowed_actions(state, SETTINGS, "BTC/USDT", held, T0, futures=futures, known_market=known,
                           equity=D("10000"), cash=D(cash), max_size_pct=D("30"), leverage=leverage)


def test_flat_on_spot_offers_hold_and_buy_up_to_the_cap():
    got = allowed()
    assert got.actions == (TradeAction.HOLD, TradeAction.BUY) and got.max_size_pct == D("30") and not got.blocked


def test_futures_offer_shorts_too_and_cash_caps_the_size():
    got = allowed(futures=True, cash="500", leverage=2)       # 500 x 2 / 10000 = 10%
    assert got.actions == (TradeAction.HOLD, TradeAction.BUY, TradeAction.SHORT) and got.max_size_pct == D("10.0")


def test_a_held_position_may_only_be_reduced_even_with_the_kill_switch_on():
    switch, _ = engage(EngineState().kill_switch, False, "chat:1", "test", T0)
    killed = replace(EngineState(), kill_switch=switch)
    assert allowed(killed, position()).actions == (TradeAction.HOLD, TradeAction.SELL)
    short = position(side=PositionSide.SHORT)
    assert allowed(killed, short, futures=True).actions == (TradeAction.HOLD, TradeAction.COVER)


def test_the_kill_switch_no_cash_or_an_unknown_market_leave_only_hold_with_the_reason():
    switch, _ = engage(EngineState().kill_switch, False, "chat:1", "test", T0)
    killed = allowed(replace(EngineState(), kill_switch=switch))
    assert killed.only_hold and "kill switch is on" in killed.blocked.lower()
    assert allowed(cash="0").only_hold and "no free cash" in allowed(cash="0").blocked
    assert "not a known market" in allowed(known=False).blocked
