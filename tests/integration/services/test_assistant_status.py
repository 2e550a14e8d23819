"""/status reads the kill switch the trading loop saved, and a state it cannot read does not break the reply."""
from __future__ import annotations

from pathlib import Path

from tests.fakes.shared_data import load_candles
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_store import SqliteStore
from trading.services.assistant import Assistant, Profile
from trading.services.event_bus import EventBus
from trading.services.loop_controls import KILL_SWITCH_KEY

JULY_1_NOON_MS = 1_751_371_200_000


async def _status_with(tmp_path: Path, saved: object) -> bool:
    clock = ManualClock(JULY_1_NOON_MS)
    store = SqliteStore(tmp_path / "db.sqlite", clock)
    await store.open()
    market = ReplayMarketData({"BTC/USDT": load_candles("BTCUSDT-1m.csv.gz")}, clock)
    assistant = Assistant(Profile("paper", "replay", "spot", ("BTC/USDT",)), clock, market, EventBus(store), store,
                          tmp_path)
    if saved is not None:
        await store.save_state(KILL_SWITCH_KEY, saved)
    try:
        return (await assistant.status()).kill_switch_active
    finally:
        await store.close()


async def test_status_shows_the_kill_switch_the_loop_saved(tmp_path):
    assert await _status_with(tmp_path / "on", {"active": True, "by": "chat"}) is True
    assert await _status_with(tmp_path / "off", {"active": False}) is False
    assert await _status_with(tmp_path / "never", None) is False


async def test_status_answers_when_the_saved_kill_switch_is_not_the_loops_mapping(tmp_path):
    assert await _status_with(tmp_path, True) is False       # not a state the loop writes: /status still replies
