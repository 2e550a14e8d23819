"""Entries through the engine: every gate, then sizing to the risk per trade within the cash."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.trading_setups import (ENTER, PERP, SKIP, SPOT, T0, account, position, signal)
from trading.domain.candles import MINUTE_MS
from trading.domain.orders import OrderIntent, OrderType, Side
from trading.domain.positions import PositionSide
from trading.domain.client_ids import entry_client_id
from trading.engine.entry_pipeline import EntryPlan, EntryRule, Rejection
from trading.engine.engine_state import EngineSettings
from trading.engine.trading_engine import TradingEngine
from trading.risk.verdicts import RiskRule


def test_a_spot_signal_is_sized_to_two_percent_of_equity_at_risk():
    # 2% of 10,000 = 200 at risk; entry 50,000 - stop 48,000 = 2,000 per BTC -> 0.1 BTC (5,000 notional).
    # Cash: 0.1 x (50,000 + 0.1% fee 50) = 5,005 fits in 9,900 (10,000 less the 1% buffer).
    engine = TradingEngine()
    s = signal()
    plan = engine.plan_entry(s, ENTER, account("10000"), T0)
    assert isinstance(plan, EntryPlan)
    assert plan.intent == OrderIntent(SPOT, Side.BUY, OrderType.MARKET, amount=D("0.1"), leverage=None,
                                      client_order_id=entry_client_id(s.setup_id),
                                      reason="A long: test setup s1")
    assert (plan.size.risk, plan.size.notional, plan.size.limited_by) == (D("200"), D("5000"), "risk")


def test_a_futures_short_is_sized_by_risk_and_sent_with_the_leverage():
    # 200 / (61,200 - 60,000) = 0.1666.. -> 0.166 BTC at step 0.001; notional 9,960 at 5x: margin 1,992.
    engine = TradingEngine()
    s = signal(PERP, PositionSide.SHORT, entry="60000", stop="61200", take_profit="57000")
    plan = engine.plan_entry(s, ENTER, account("10000"), T0)
    assert isinstance(plan, EntryPlan)
    assert (plan.intent.side, plan.intent.amount, plan.intent.leverage) == (Side.SELL, D("0.166"), 5)
    assert (plan.size.notional, plan.size.margin, plan.size.risk) == (D("9960"), D("1992"), D("199.2"))


def test_the_free_cash_caps_a_spot_entry_with_room_for_the_fee():
    # Risk would buy 200 / 1,000 = 0.2 BTC = 10,000, all the equity; with the fee that is 10,010 > 9,900.
    # 9,900 / 50,050 = 0.197802.. -> 0.19780 BTC, risk 200 x 0.1978 / 0.2 = 197.80.
    plan = TradingEngine().plan_entry(signal(stop="49000"), ENTER, account("10000"), T0)
    assert isinstance(plan, EntryPlan)
    assert (plan.intent.amount, plan.size.limited_by, plan.size.risk) == (D("0.19780"), "cash", D("197.80"))


def test_the_client_order_id_is_derived_from_the_setup_and_fits_the_exchange_limit():
    first, again, other = entry_client_id("A:BTC/USDT:x"), entry_client_id("A:BTC/USDT:x"), entry_client_id("y")
    assert first == again != other
    assert len(first) <= 36 and first.startswith("ta-")


def test_a_skip_decision_is_a_rejection_naming_who_decided():
    result = TradingEngine().plan_entry(signal(), SKIP, account(), T0)
    assert isinstance(result, Rejection)
    assert (result.rule, result.reason) == (EntryRule.DECISION, "test chose skip: test says skip")


def test_the_kill_switch_blocks_entries():
    engine = TradingEngine()
    engine.kill(False, "chat:1", "stop now", T0)
    result = engine.plan_entry(signal(), ENTER, account(), T0)
    assert isinstance(result, Rejection) and result.rule == RiskRule.KILL_SWITCH
    assert result.reason.startswith("Kill switch is on (by stop now at ") and "/resume lifts it" in result.reason


def test_a_tripped_circuit_breaker_blocks_entries_until_it_resumes():
    # 50,000 -> 48,400 in 5 minutes is a 3.2% drop, beyond 3%: paused for 30 calm minutes.
    engine = TradingEngine()
    engine.observe_price(SPOT, T0, D("50000"))
    tripped = engine.observe_price(SPOT, T0 + 5 * MINUTE_MS, D("48400"))
    blocked = engine.plan_entry(signal(known_at_ms=T0 + 6 * MINUTE_MS), ENTER, account(), T0 + 6 * MINUTE_MS)
    resumed = engine.advance(T0 + 35 * MINUTE_MS)
    allowed = engine.plan_entry(signal(setup="s2"), ENTER, account(), T0 + 35 * MINUTE_MS)
    assert [t.change.value for t in tripped + resumed] == ["tripped", "resumed"]
    assert isinstance(blocked, Rejection) and blocked.rule == RiskRule.CIRCUIT_BREAKER
    assert isinstance(allowed, EntryPlan)


def test_a_symbol_with_an_entry_on_its_way_takes_no_second_entry():
    engine = TradingEngine()
    plan = engine.plan_entry(signal(), ENTER, account(), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    second = engine.plan_entry(signal(setup="s2"), ENTER, account(), T0)
    assert isinstance(second, Rejection) and second.rule == EntryRule.SYMBOL_BUSY


def test_spot_cannot_take_a_short_signal():
    s = signal(side=PositionSide.SHORT, entry="50000", stop="51000", take_profit="47000")
    result = TradingEngine().plan_entry(s, ENTER, account(), T0)
    assert isinstance(result, Rejection) and result.rule == EntryRule.SPOT_SHORT


def test_max_open_positions_counts_guarded_positions_and_entries_on_their_way():
    engine = TradingEngine()
    engine.on_position_opened(position("ETH/USDT", entry="3000", amount="1"), T0)
    engine.on_position_opened(position("SOL/USDT", entry="150", amount="10"), T0)
    plan = engine.plan_entry(signal(), ENTER, account(), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    fourth = engine.plan_entry(signal(PERP, setup="s9"), ENTER, account(), T0)
    assert isinstance(fourth, Rejection) and fourth.rule == RiskRule.MAX_OPEN_POSITIONS


def test_a_signal_is_accepted_once():
    engine = TradingEngine()
    assert [engine.accept_signal(signal()), engine.accept_signal(signal())] == [True, False]


def test_only_the_latest_remembered_setups_are_refused_again():
    engine = TradingEngine(EngineSettings(remembered_signals=2))
    seen = [engine.accept_signal(signal(setup=s)) for s in ("a", "b", "c", "b", "c", "a", "b")]
    # a is forgotten once c arrives, and accepted again; then b is the oldest and goes
    assert seen == [True, True, True, False, False, True, True]
    assert engine.state.signal_ids == (signal(setup="a").setup_id, signal(setup="b").setup_id)


def test_a_restored_state_refuses_the_setups_it_remembers():
    engine = TradingEngine()
    engine.accept_signal(signal(setup="old"))
    remembered = (signal(setup="other").setup_id,)
    engine.restore(TradingEngine(state=replace(engine.state, signal_ids=remembered)).snapshot())
    assert [engine.accept_signal(signal(setup="other")), engine.accept_signal(signal(setup="old"))] == [False, True]


def test_the_filled_entry_arms_the_signals_stop_and_target():
    # 1R = 50,000 - 48,000 = 2,000 per BTC; 0.1 BTC filled -> initial risk 200.
    engine = TradingEngine()
    plan = engine.plan_entry(signal(), ENTER, account(), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    guard = engine.on_position_opened(position(), T0 + MINUTE_MS, plan.intent.client_order_id)
    assert (guard.stops.stop, guard.stops.take_profit, guard.initial_risk) == (D("48000"), D("56000"), D("200"))
    assert (guard.strategy, guard.key, engine.state.pending) == ("A", plan.intent.client_order_id, {})


def test_entries_waiting_to_fill_claim_their_cash_before_the_next_signal_is_sized():
    from trading.domain.instruments import Instrument
    from trading.domain.orders import Order, OrderStatus, OrderType, Side
    from trading.engine.entry_pipeline import account_view
    spot = Instrument("BTC/USDT", "BTC", "USDT")
    waiting = Order("P-1", "ta-1", "BTC/USDT", Side.BUY, OrderType.MARKET, D("0.05"), OrderStatus.OPEN, 0)
    exit_ = Order("P-2", "ta-1-x1", "BTC/USDT", Side.SELL, OrderType.MARKET, D("1"), OrderStatus.OPEN, 0,
                  reduce_only=True)
    from trading.engine.account import AccountSummary
    summary = AccountSummary("USDT", D("10000"), D("0"), D("0"), D("0"))
    view = account_view(summary, [], {"BTC/USDT": D("100000")}, {"BTC/USDT": spot}, open_orders=[waiting, exit_])
    # 0.05 BTC at the 100,000 mark has claimed 5,000 of the 10,000; a reduce-only exit claims nothing
    assert view.cash == D("5000") and view.equity == D("10000")


def test_a_stop_too_tight_to_pay_the_round_trip_fees_is_skipped():
    from trading.domain.decisions import Action, Decision
    from trading.domain.instruments import Instrument
    from trading.domain.positions import PositionSide
    from trading.domain.signals import Signal
    from trading.engine.engine_state import EngineSettings, EngineState
    from trading.engine.entry_pipeline import AccountView, EntryRule, plan_entry
    spot = Instrument("BTC/USDT", "BTC", "USDT")      # 0.1% taker fee
    enter = Decision(Action.ENTER, 0.7, "test", "rules")
    account = AccountView(D("10000"), D("10000"), {}, {"BTC/USDT": spot})

    def signal(stop: str) -> Signal:
        return Signal("BTC/USDT", "A", PositionSide.LONG, D("100"), D(stop), D("110"), 0.7, 0, "1m", "test",
                      f"A:{stop}")

    # round trip 2 x 0.1% fee + 2 x 2 bps slippage = 0.24% of 100 = 0.24 per unit: a 0.30 stop pays 80% of its
    # risk in costs, a 0.70 stop 34% (above the default 30%), a 0.80 stop 30%
    tight = plan_entry(EngineState(), signal("99.70"), enter, account, 0, EngineSettings())
    assert tight.rule == EntryRule.FEES and "80% of the risk" in tight.reason
    assert "MAX_FEE_TO_RISK_PCT=30" in tight.reason
    assert plan_entry(EngineState(), signal("99.30"), enter, account, 0, EngineSettings()).rule == EntryRule.FEES
    fair = plan_entry(EngineState(), signal("99.20"), enter, account, 0, EngineSettings())
    assert fair.intent.amount > 0
    off = plan_entry(EngineState(), signal("99.70"), enter, account, 0, EngineSettings(max_fee_to_risk_pct=D(0)))
    assert off.intent.amount > 0


def test_an_entry_expires_once_it_has_waited_the_entry_timeout_and_never_with_it_off():
    # the default timeout is LIMIT_ORDER_TIMEOUT_MINUTES' default, 10 min, as the live broker's
    engine, off = TradingEngine(), TradingEngine(EngineSettings(entry_timeout_ms=0))
    for e in (engine, off):
        first = e.plan_entry(signal(setup="a"), ENTER, account("10000"), T0)
        later = e.plan_entry(signal(PERP, setup="b"), ENTER, account("10000"), T0)
        assert isinstance(first, EntryPlan) and isinstance(later, EntryPlan)
        e.on_entry_placed(first, T0)
        e.on_entry_placed(later, T0 + 3 * MINUTE_MS)
    assert engine.expired_entries(T0 + 10 * MINUTE_MS - 1) == []
    assert [p.client_order_id for p in engine.expired_entries(T0 + 10 * MINUTE_MS)] == [first.intent.client_order_id]
    assert len(engine.expired_entries(T0 + 13 * MINUTE_MS)) == 2
    assert off.expired_entries(T0 + 1_000 * MINUTE_MS) == []
