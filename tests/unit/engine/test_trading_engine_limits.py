"""Account limits through the engine, /risk figures, and the state surviving a restart."""
from __future__ import annotations

import json
from decimal import Decimal as D

from tests.fakes.trading_setups import DAY_MS, ENTER, T0, account, position, signal
from trading.domain.candles import MINUTE_MS
from trading.engine.engine_state import EngineSettings, EngineState
from trading.engine.entry_pipeline import EntryPlan, Rejection
from trading.engine.trading_engine import TradingEngine
from trading.risk.kill_switch import KillMode
from trading.risk.limits import LimitSettings
from trading.risk.verdicts import RiskRule


def test_the_daily_loss_limit_blocks_the_next_entry_until_the_next_local_day():
    # Day start 10,000; 6% = 600. Equity 9,400 at 10:00 is a 600 loss: limit hit, entries blocked today.
    engine = TradingEngine()
    engine.mark_equity(D("10000"), T0)
    breaches = engine.mark_equity(D("9400"), T0 + 600 * MINUTE_MS)
    today = engine.plan_entry(signal(), ENTER, account("9400"), T0 + 601 * MINUTE_MS)
    engine.mark_equity(D("9400"), T0 + DAY_MS)
    tomorrow = engine.plan_entry(signal(setup="s2"), ENTER, account("9400"), T0 + DAY_MS + MINUTE_MS)
    assert [b.rule for b in breaches] == [RiskRule.DAILY_LOSS]
    assert isinstance(today, Rejection) and today.rule == RiskRule.DAILY_LOSS
    assert isinstance(tomorrow, EntryPlan)


def test_the_day_boundary_follows_the_configured_time_zone():
    # T0 is 00:00 UTC = 02:00 in Berlin. 23:30 UTC is already the next day there (01:30 local).
    engine = TradingEngine(EngineSettings(limits=LimitSettings(timezone="Europe/Berlin")))
    engine.mark_equity(D("10000"), T0)
    engine.mark_equity(D("9000"), T0 + 600 * MINUTE_MS)
    engine.mark_equity(D("9000"), T0 + 1410 * MINUTE_MS)
    allowed = engine.plan_entry(signal(), ENTER, account("9000"), T0 + 1411 * MINUTE_MS)
    assert isinstance(allowed, EntryPlan)


def test_the_drawdown_limit_halts_trading_across_days_until_resumed():
    # Peak 10,000; 8,000 is a 20% drawdown. The daily limit is set out of the way (50%).
    engine = TradingEngine(EngineSettings(limits=LimitSettings(daily_loss_pct=D(50))))
    engine.mark_equity(D("10000"), T0)
    breaches = engine.mark_equity(D("8000"), T0 + MINUTE_MS)
    engine.mark_equity(D("8000"), T0 + 3 * DAY_MS)
    halted = engine.plan_entry(signal(), ENTER, account("8000"), T0 + 3 * DAY_MS)
    lifted = engine.resume("chat:1", T0 + 3 * DAY_MS)
    resumed = engine.plan_entry(signal(setup="s2"), ENTER, account("8000"), T0 + 3 * DAY_MS)
    assert [b.rule for b in breaches] == [RiskRule.MAX_DRAWDOWN]
    assert isinstance(halted, Rejection) and halted.rule == RiskRule.MAX_DRAWDOWN
    assert lifted == ["drawdown halt"] and isinstance(resumed, EntryPlan)


def test_resume_lifts_the_kill_switch_and_says_so():
    engine = TradingEngine()
    engine.kill(True, "file:KILL", "KILL file found", T0)
    assert engine.resume("chat:1", T0 + 1) == ["kill switch"]
    assert engine.resume("chat:1", T0 + 2) == []


def test_risk_status_shows_todays_loss_against_the_limit_and_the_drawdown():
    # Day start 10,000, now 9,700: -300 of a 600 limit (50% used); 3% below the peak.
    engine = TradingEngine()
    engine.mark_equity(D("10000"), T0)
    engine.mark_equity(D("9700"), T0 + MINUTE_MS)
    engine.on_position_opened(position(), T0)
    status = engine.risk_status(T0 + MINUTE_MS)
    assert (status.daily_pnl, status.daily_loss_limit, status.daily_loss_used_pct) == (D(-300), D(600), D(50))
    assert (status.drawdown_pct, status.open_positions, status.entries_allowed) == (D(3), 1, True)
    assert status.kill_switch.mode is KillMode.OFF and not status.breaker_tripped


def test_risk_status_names_what_blocks_entries():
    engine = TradingEngine()
    engine.observe_price("BTC/USDT", T0, D("100"))
    engine.observe_price("BTC/USDT", T0 + MINUTE_MS, D("90"))
    status = engine.risk_status(T0 + 2 * MINUTE_MS)
    assert status.breaker_tripped and status.breaker_minutes_left == 29
    assert not status.entries_allowed and status.blocked_because.startswith("Circuit breaker is on: BTC/USDT fell")


def test_the_state_survives_a_restart_as_json():
    engine = TradingEngine()
    plan = engine.plan_entry(signal(), ENTER, account(), T0)
    assert isinstance(plan, EntryPlan)
    engine.on_entry_placed(plan, T0)
    engine.on_position_opened(position("ETH/USDT", entry="3000", amount="1"), T0)
    engine.kill(False, "chat:1", "pause", T0)
    engine.mark_equity(D("10000"), T0)
    engine.accept_signal(signal())
    saved = json.loads(json.dumps(engine.snapshot()))
    restored = TradingEngine()
    restored.restore(saved)
    assert restored.state == engine.state
    assert EngineState.restore(saved).kill_switch.engaged
