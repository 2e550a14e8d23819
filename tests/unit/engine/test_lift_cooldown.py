"""/unlock and /resume: a loss-streak cooldown ends at once and entries are allowed again; nothing to lift says so."""
from dataclasses import replace

from trading.engine.trading_engine import TradingEngine


def test_lifting_a_running_cooldown_allows_entries_and_a_second_lift_finds_nothing():
    engine = TradingEngine()
    engine.state = replace(engine.state, risk=replace(engine.state.risk, cooldown_until_ms=10 * 60_000,
                                                      consecutive_losses=3))
    blocked = engine.risk_status(60_000)

    lifted = engine.lift_cooldown(60_000)

    assert blocked.cooldown_minutes_left == 9 and not blocked.entries_allowed
    assert lifted and engine.risk_status(60_000).entries_allowed and not engine.lift_cooldown(60_000)
    assert engine.state.risk.consecutive_losses == 0


def test_a_cooldown_already_over_is_not_lifted():
    engine = TradingEngine()
    engine.state = replace(engine.state, risk=replace(engine.state.risk, cooldown_until_ms=60_000))

    assert not engine.lift_cooldown(60_000) and engine.resume("user:1", 60_000) == []
