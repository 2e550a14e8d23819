"""An entry hold (live paused, the user's /pause) is the first rule of the one entry gate, for every origin."""
from trading.engine.entry_gate import EntryOrigin
from trading.engine.trading_engine import TradingEngine
from trading.risk.verdicts import RiskRule

HELD = "New entries are paused by user:7. /resume lifts it."


def test_a_hold_refuses_every_origin_by_name_and_lifting_it_allows_them_again():
    engine = TradingEngine()
    engine.hold_entries(HELD)
    verdicts = [engine.vet_new_position(60_000, origin, "BTC/USDT") for origin in EntryOrigin]
    engine.hold_entries("")
    assert [(v.rule, v.reason) for v in verdicts] == [(RiskRule.ENTRY_HOLD, HELD)] * len(EntryOrigin)
    assert all(engine.vet_new_position(60_000, origin, "BTC/USDT").allowed for origin in EntryOrigin)


def test_a_hold_is_not_saved_with_the_engine_and_survives_its_restore():
    engine = TradingEngine()
    engine.hold_entries(HELD)
    saved = engine.snapshot()
    fresh = TradingEngine()
    fresh.restore(saved)
    engine.restore(saved)
    assert saved["entry_hold"] == "" and fresh.vet_new_position(1, EntryOrigin.MANUAL).allowed
    assert engine.vet_new_position(1, EntryOrigin.MANUAL).reason == HELD
    assert not engine.risk_status(1).entries_allowed and engine.risk_status(1).blocked_because == HELD
