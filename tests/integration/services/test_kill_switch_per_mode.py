"""/status reads the kill switch of the mode it runs: paper and live each mirror their own engine's switch.

The switch that refuses entries lives in each mode's engine state (account_keys.engine_state_key); the copy
/status reads was one key for both, written by whichever loop saved last. A paper bot killed by the user then
run live had its kill copy overwritten by live's start ("off"), so a paper /status said off while paper's engine
still refused entries; and a live /status before live's loop saved showed paper's kill while live traded.
A paper kill is never carried into live (a paper /kill flat must not close real positions at market), and
switching modes never releases either: each stays on until /resume in its own mode.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_futures_loop import PERP, perp_minutes, start_live_loop
from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import SELL_OFF, minutes_around
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import MINUTE_MS
from trading.services.account_keys import (KILL_SWITCH_KEY, LIVE_KILL_SWITCH_KEY, LIVE_STATE_KEY, STATE_KEY,
                                           PAPER_ACCOUNT_KEY)
from trading.services.assistant import Assistant, Profile
from trading.services.event_bus import EventBus


async def status_shows_kill(folder: Path, mode: str) -> bool:
    """Return whether /status of a bot in mode, opening the database now, shows the kill switch on."""
    clock = ManualClock(SELL_OFF)
    store = SqliteStore(folder / "trading.sqlite", clock)
    await store.open()
    market = ReplayMarketData({PERP: minutes_around(SELL_OFF)}, clock)
    assistant = Assistant(Profile(mode, "binance", "futures", (PERP,)), clock, market, EventBus(store), store, folder)
    try:
        return (await assistant.status()).kill_switch_active
    finally:
        await store.close()


def state_keys(folder: Path) -> set[str]:
    with sqlite3.connect(folder / "trading.sqlite") as db:
        return {key for (key,) in db.execute("SELECT key FROM state")}


async def killed_paper_run(folder: Path) -> None:
    paper = await build_rig(folder, minutes_around(SELL_OFF), PERP, SELL_OFF - 5 * MINUTE_MS, [], futures=True)
    assert await paper.loop.kill(False, "chat:1", "/kill")
    await paper.close()


async def test_a_paper_kill_neither_shows_in_live_nor_is_released_by_a_live_run(tmp_path: Path) -> None:
    await killed_paper_run(tmp_path)
    assert await status_shows_kill(tmp_path, "live") is False      # before: paper's kill, while live traded
    clock = ManualClock(SELL_OFF)
    async with FakeExchange([perp_minutes(minutes_around(SELL_OFF))], clock) as fake:
        live = await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF), [])
        live_engaged = live.engine.state.kill_switch.engaged
        await live.close()

    assert live_engaged is False                   # live's engine never had the paper kill (it did not before either)
    assert await status_shows_kill(tmp_path, "live") is False
    # before: live's start overwrote the shared copy with "off" while paper's engine state still had it on
    assert await status_shows_kill(tmp_path, "paper") is True
    again = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF, [], futures=True)
    assert again.engine.state.kill_switch.engaged and not again.loop.risk_status().entries_allowed
    await again.close()
    assert await status_shows_kill(tmp_path, "paper") is True


async def test_a_live_kill_neither_shows_in_paper_nor_is_released_by_a_paper_run(tmp_path: Path) -> None:
    clock = ManualClock(SELL_OFF)
    async with FakeExchange([perp_minutes(minutes_around(SELL_OFF))], clock) as fake:
        live = await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF), [])
        assert await live.loop.kill(False, "chat:1", "/kill")
        await live.close()
        paper = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF, [], futures=True)
        paper_engaged = paper.engine.state.kill_switch.engaged
        await paper.close()
        assert paper_engaged is False
        assert await status_shows_kill(tmp_path, "paper") is False
        # before: paper's start overwrote the shared copy: a live /status said off with live's engine killed
        assert await status_shows_kill(tmp_path, "live") is True
        again = await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF), [])
        still = again.engine.state.kill_switch.engaged
        await again.close()
    assert still and await status_shows_kill(tmp_path, "live") is True


def as_before_live_had_its_own_keys(folder: Path) -> None:
    with sqlite3.connect(folder / "trading.sqlite") as db:
        db.execute("UPDATE state SET key = ? WHERE key = ?", (STATE_KEY, LIVE_STATE_KEY))
        db.execute("UPDATE state SET key = ? WHERE key = ?", (KILL_SWITCH_KEY, LIVE_KILL_SWITCH_KEY))


async def test_the_shared_copy_saved_by_a_live_run_of_an_earlier_version_is_live_s(tmp_path: Path) -> None:
    clock = ManualClock(SELL_OFF)
    async with FakeExchange([perp_minutes(minutes_around(SELL_OFF))], clock) as fake:
        live = await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF), [])
        assert await live.loop.kill(False, "chat:1", "/kill")
        await live.close()
    as_before_live_had_its_own_keys(tmp_path)

    assert await status_shows_kill(tmp_path, "live") is True      # live ran last: the old copy is its own
    assert LIVE_KILL_SWITCH_KEY in state_keys(tmp_path) and KILL_SWITCH_KEY not in state_keys(tmp_path)
    assert await status_shows_kill(tmp_path, "paper") is False    # moved: paper no longer reads live's kill


async def test_the_shared_copy_saved_by_a_paper_run_stays_paper_s(tmp_path: Path) -> None:
    await killed_paper_run(tmp_path)
    clock = ManualClock(SELL_OFF)
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()
    await store.save_state(PAPER_ACCOUNT_KEY, {"written": "by a paper bot"})     # paper ran last
    await store.save_state("live_account:live-binance-futures", {})                # (live had run before it)
    await store.save_state(PAPER_ACCOUNT_KEY, {"written": "by a paper bot, again"})
    await store.close()

    assert await status_shows_kill(tmp_path, "live") is False
    assert await status_shows_kill(tmp_path, "paper") is True and KILL_SWITCH_KEY in state_keys(tmp_path)
