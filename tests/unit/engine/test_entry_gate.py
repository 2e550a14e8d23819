"""The one entry gate: every brake refuses every origin, with the rule, the reason and the way to lift it."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.fakes.trading_setups import DAY_MS, ENTER, T0, account, position, signal
from trading.domain.candles import MINUTE_MS
from trading.engine.entry_gate import EntryOrigin
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.trading_engine import TradingEngine
from trading.risk.verdicts import RiskRule

ORIGINS = list(EntryOrigin)


def engine_at_limit(rule: RiskRule) -> TradingEngine:
    """Return an engine whose state trips rule at T0 + 10 min."""
    engine = TradingEngine()
    if rule is RiskRule.KILL_SWITCH:
        engine.kill(False, "chat:1", "/kill", T0 + 3 * MINUTE_MS)
    elif rule is RiskRule.CIRCUIT_BREAKER:
        engine.observe_price("BTC/USDT", T0, D("100"))
        engine.observe_price("BTC/USDT", T0 + MINUTE_MS, D("90"))
    elif rule is RiskRule.MAX_DRAWDOWN:
        # peak 10,000 -> 8,000 is 20%: the default limit; 8,000 is also past the 6% daily loss, which comes second
        engine.mark_equity(D("10000"), T0 - DAY_MS)
        engine.mark_equity(D("8000"), T0)
    elif rule is RiskRule.DAILY_LOSS:
        engine.mark_equity(D("10000"), T0)
        engine.mark_equity(D("9400"), T0 + MINUTE_MS)
    elif rule is RiskRule.LOSS_STREAK:
        engine.on_position_opened(position(), T0)
        for _ in range(3):
            engine.on_position_opened(position(), T0)
            engine.on_position_closed("BTC/USDT", T0, mark=D("49000"))
    return engine


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("rule, lift", [
    (RiskRule.KILL_SWITCH, "Kill switch is on (by /kill at 00:03 UTC). New positions are refused; /resume lifts it."),
    (RiskRule.CIRCUIT_BREAKER, "it lifts by itself in 21 min if no new trigger comes."),
    (RiskRule.MAX_DRAWDOWN, "New positions are refused; /resume lifts it."),
    (RiskRule.DAILY_LOSS, "New positions are refused until midnight UTC, in 23 h 50 min, or at once by a limit "
                          "above today's loss (/set DAILY_LOSS_LIMIT_PCT 6.01 or more)."),
    (RiskRule.LOSS_STREAK, "110 min left. New positions are refused until then; /unlock or /resume lifts it now."),
])
def test_each_brake_refuses_every_origin_and_says_how_to_lift_it(origin, rule, lift):
    verdict = engine_at_limit(rule).vet_new_position(T0 + 10 * MINUTE_MS, origin, "BTC/USDT")
    assert verdict.rule is rule and verdict.reason.endswith(lift)
    assert "chat:" not in verdict.reason


def test_the_drawdown_halt_names_the_figures():
    verdict = engine_at_limit(RiskRule.MAX_DRAWDOWN).vet_new_position(T0, EntryOrigin.MANUAL)
    assert verdict.reason == ("Drawdown halt: equity 8,000.00 is 20.00% below its peak 10,000.00, the limit is 20%. "
                              "New positions are refused; /resume lifts it.")


def test_the_daily_loss_refusal_names_todays_loss_and_the_limit():
    verdict = engine_at_limit(RiskRule.DAILY_LOSS).vet_new_position(T0 + 10 * MINUTE_MS, EntryOrigin.MANUAL)
    assert verdict.reason.startswith("Daily loss limit hit: -600.00 today, the limit is 600.00 (6% of 10,000.00).")


def test_resume_lifts_the_kill_switch_the_halt_and_a_cooldown_but_not_the_daily_limit():
    for rule, lifted in ((RiskRule.KILL_SWITCH, ["kill switch"]), (RiskRule.MAX_DRAWDOWN, ["drawdown halt"]),
                         (RiskRule.LOSS_STREAK, ["loss-streak cooldown"]), (RiskRule.DAILY_LOSS, [])):
        engine = engine_at_limit(rule)
        assert engine.resume("chat:1", T0 + 10 * MINUTE_MS) == lifted
        still = engine.vet_new_position(T0 + 10 * MINUTE_MS, EntryOrigin.MANUAL)
        assert still.allowed == (rule is not RiskRule.DAILY_LOSS)


def test_a_manual_order_may_add_to_an_open_position_when_the_count_is_full_but_not_open_a_new_one():
    engine = TradingEngine()
    for symbol in ("BTC/USDT", "ETH/USDT", "SOL/USDT"):
        engine.on_position_opened(position(symbol), T0)
    new = engine.vet_new_position(T0, EntryOrigin.MANUAL, "XRP/USDT")
    adding = engine.vet_new_position(T0, EntryOrigin.MANUAL, "BTC/USDT")
    assert new.rule is RiskRule.MAX_OPEN_POSITIONS and "Close one to open another" in new.reason
    assert adding.allowed


def test_a_resting_order_at_its_fill_counts_the_open_positions_not_its_own_pending_entry():
    engine = TradingEngine()
    for symbol in ("ETH/USDT", "SOL/USDT"):
        engine.on_position_opened(position(symbol), T0)
    plan = engine.plan_entry(signal(setup="s1"), ENTER, account(), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)          # 2 open + 1 pending = 3, the default maximum
    assert engine.vet_new_position(T0, EntryOrigin.FILL, "BTC/USDT").allowed      # 2 open < 3: it may fill
    engine.on_position_opened(position("XRP/USDT"), T0)
    full = engine.vet_new_position(T0, EntryOrigin.FILL, "BTC/USDT")
    assert (full.rule, full.reason) == (RiskRule.MAX_OPEN_POSITIONS, "3 positions open, the maximum is 3 "
                                        "(MAX_OPEN_POSITIONS). Close one to open another.")
    assert engine.vet_new_position(T0, EntryOrigin.FILL, "ETH/USDT").allowed       # adding to a held one


def test_the_entry_rate_paces_the_autonomous_loop_only():
    engine = TradingEngine()
    for n in range(6):
        plan = engine.plan_entry(signal(setup=f"s{n}", symbol="BTC/USDT"), ENTER, account(), T0 + n)
        engine.on_entry_placed(plan, T0 + n)
        engine.on_entry_ended(plan.intent.client_order_id)
    engine_verdict = engine.vet_new_position(T0 + MINUTE_MS, EntryOrigin.ENGINE, "ETH/USDT")
    assert engine_verdict.rule is RiskRule.ENTRY_RATE and "next one is allowed in 59 min" in engine_verdict.reason
    assert engine.vet_new_position(T0 + MINUTE_MS, EntryOrigin.MANUAL, "ETH/USDT").allowed


def test_a_reset_account_forgets_limits_streaks_and_guards_but_not_the_kill_switch():
    engine = engine_at_limit(RiskRule.LOSS_STREAK)
    engine.kill(False, "file:KILL", "KILL file", T0)
    engine.on_position_opened(position("ETH/USDT"), T0)
    engine.reset_account()
    state = engine.state
    assert (state.positions, state.pending, state.risk.cooldown_until_ms, state.r_multiples) == ({}, {}, 0, {})
    assert engine.vet_new_position(T0 + MINUTE_MS, EntryOrigin.MANUAL).rule is RiskRule.KILL_SWITCH


def test_the_gate_judges_the_limits_on_the_equity_now_without_recording_it():
    # marked 10,000 at T0; the account is at 9,400 now (6% down: the default daily limit) before any tick marked it
    engine = TradingEngine()
    engine.mark_equity(D("10000"), T0)
    later = T0 + MINUTE_MS
    assert engine.vet_new_position(later, EntryOrigin.MANUAL, "BTC/USDT").allowed
    verdict = engine.vet_new_position(later, EntryOrigin.MANUAL, "BTC/USDT", equity=D("9400"))
    assert verdict.rule is RiskRule.DAILY_LOSS and verdict.reason.startswith("Daily loss limit hit: -600.00 today")
    assert engine.vet_new_position(later, EntryOrigin.FILL, "BTC/USDT", equity=D("9401")).allowed
    # not recorded: the mark that records it tells the breach, once
    assert engine.state.risk.equity == D("10000") and engine.state.risk.daily_limit_day == ""
    assert [b.rule for b in engine.mark_equity(D("9400"), later)] == [RiskRule.DAILY_LOSS]


def test_the_gate_does_not_judge_an_account_not_read_yet():
    engine = TradingEngine()
    assert engine.vet_new_position(T0, EntryOrigin.MANUAL, equity=D("9000")).allowed       # never marked: no day
    engine.mark_equity(D("10000"), T0)
    assert engine.vet_new_position(T0, EntryOrigin.MANUAL, equity=D("0")).allowed          # no balance read
