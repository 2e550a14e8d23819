"""Paper and live share the database but not the engine state: switching modes never carries positions across.

A paper bot (tests/fakes/loop_rig.py) opens a long on real BTCUSDT 1m candles and stops with it saved; the
same database then runs live against the fake Binance (tests/fakes/live_futures_loop.py), whose account holds
nothing. Before the engine state was kept per mode, the live restart found the paper position gone from the
exchange and recorded it as "result unknown", its worst case counted against today's loss until /resume.
"""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal as D
from pathlib import Path

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_futures_loop import PERP, perp_minutes, start_live_loop
from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import SELL_OFF, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.adapters.clocks import ManualClock
from trading.domain.candles import MINUTE_MS
from trading.domain.instruments import MarketKind
from trading.engine.entry_gate import EntryOrigin
from trading.services.account_keys import LIVE_STATE_KEY, STATE_KEY

PERP_LONG = long_signal(SELL_OFF, "121143.67", "120000", "124000", "sell-off", PERP)


def saved_positions(database: Path, key: str) -> list[str] | None:
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT value_json FROM state WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    return sorted(json.loads(row[0])["positions"])


async def test_a_paper_position_saved_before_switching_to_live_stays_paper_s(tmp_path: Path) -> None:
    candles = minutes_around(SELL_OFF)
    paper = await build_rig(tmp_path, candles, PERP, SELL_OFF - 5 * MINUTE_MS, [ScriptedStrategy([PERP_LONG])],
                            futures=True)
    await paper.run_until(SELL_OFF + MINUTE_MS)
    assert list(paper.engine.state.positions) == [PERP]
    await paper.close()

    clock = ManualClock(SELL_OFF + 3 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        live = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([])])
        await live.run_until(SELL_OFF + 4 * MINUTE_MS)

        assert live.notified("UNKNOWN") == [] and live.notified("EXIT") == []
        assert live.engine.state.positions == {}
        risk = live.engine.state.risk
        assert risk.unconfirmed_loss == 0 and risk.consecutive_losses == 0
        assert live.engine.vet_new_position(clock.now_ms(), EntryOrigin.MANUAL, PERP).allowed
        await live.close()
    database = tmp_path / "trading.sqlite"
    assert saved_positions(database, STATE_KEY) == [PERP]          # still paper's, for the next paper run
    assert saved_positions(database, LIVE_STATE_KEY) == []


async def test_a_live_bot_s_state_saved_before_live_had_its_own_key_is_taken_back(tmp_path: Path) -> None:
    # a live bot of an earlier version saved under the shared key: its positions are on the exchange, so the
    # state is live's and the restart guards them with their plan (not adopted with default exits)
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])])
        await first.run_until(SELL_OFF)
        key = first.engine.state.positions[PERP].key
        await first.close()
        with sqlite3.connect(tmp_path / "trading.sqlite") as db:
            db.execute("UPDATE state SET key = ? WHERE key = ?", (STATE_KEY, LIVE_STATE_KEY))

        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])])

        guard = again.engine.state.positions[PERP]
        assert (guard.key, guard.stops.stop, guard.stops.take_profit) == (key, D("120000"), D("124000"))
        assert again.notified("UNKNOWN") == []
        await again.close()


async def test_a_live_state_of_the_shared_key_is_taken_whole_even_when_a_position_closed_while_down(
        tmp_path: Path) -> None:
    # before: a guarded position the exchange no longer held made the whole old live state look like paper's:
    # the kill switch, the day's loss and the streak were dropped with it; and paper went on reading live's state
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])])
        await first.run_until(SELL_OFF)
        amount = first.engine.state.positions[PERP].amount
        first.engine.kill(False, "owner", "stop everything", clock.now_ms())
        await first.run_until(SELL_OFF + MINUTE_MS)          # saved with the kill switch on
        await first.close()
        with sqlite3.connect(tmp_path / "trading.sqlite") as db:
            db.execute("UPDATE state SET key = ? WHERE key = ?", (STATE_KEY, LIVE_STATE_KEY))
        fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL", amount, D("120500"),
                                   clock.now_ms())           # closed in the exchange's app while the bot was down

        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([])])
        engaged = again.engine.state.kill_switch.engaged
        positions = dict(again.engine.state.positions)
        exits = again.notified("EXIT")
        await again.close()
    assert engaged and positions == {}
    assert len(exits) == 1 and "closed outside the bot at 120,500" in exits[0], exits
    assert saved_positions(tmp_path / "trading.sqlite", STATE_KEY) is None      # a paper run no longer reads it
