"""A live bot killed between an order's fill and saving what followed from it: the restart knows what happened.

The loop trades the fake Binance over ccxt (tests/fakes/live_futures_loop.py) on real BTCUSDT 1m candles; the
bot's database is copied at the moment an order reaches the exchange (tests/fakes/killed_bot.py) and a bot
restarted on the copy: its engine state is the one saved before the order left. Futures are wired with their
stops on the exchange, spot without. Fees: 0.05% taker on futures, 0.1% on spot, charged by the fake.
"""
from __future__ import annotations

import sqlite3
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.killed_bot import kill_at_order
from tests.fakes.live_futures_loop import PERP, SPOT, LiveLoopRig, perp_minutes, spot_minutes, start_live_loop
from tests.fakes.market_stretches import SELL_OFF, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.adapters.clocks import ManualClock
from trading.domain.candles import MINUTE_MS
from trading.domain.events import EventKind
from trading.domain.instruments import MarketKind

ALGO = "/fapi/v1/algoOrder"
# the plan: long from about 121,143.67, stop 120,000, target 124,000 (the default exits would be a hard stop only)
PLANS = {True: long_signal(SELL_OFF, "121143.67", "120000", "124000", "sell-off", PERP),
         False: long_signal(SELL_OFF, "121143.67", "120000", "124000", "sell-off", SPOT)}

ENTERED = {True: "ENTRY long 0.081 BTC/USDT:USDT at 121,144.2 [scripted]: scripted setup sell-off. Stop 120,000.0, "
                 "target 124,000.0, risk 92.68.",
           False: "ENTRY long 0.08163 BTC/USDT at 121,143.72 [scripted]: scripted setup sell-off. Stop 120,000.00, "
                  "target 124,000.00, risk 93.36."}


def exchange(futures: bool, clock: ManualClock) -> FakeExchange:
    candles = minutes_around(SELL_OFF)
    fake = FakeExchange([perp_minutes(candles) if futures else spot_minutes(candles)], clock)
    fake.account.fee_rate = D("0.0005") if futures else D("0.001")
    return fake


async def bot(folder: Path, fake: FakeExchange, clock: ManualClock, futures: bool) -> LiveLoopRig:
    """Start a bot trading the plan's market in folder (a second one on a copied database is a restart)."""
    return await start_live_loop(folder, fake, clock, minutes_around(SELL_OFF), [ScriptedStrategy([PLANS[futures]])],
                                 futures=futures)


def killed_at(tmp_path: Path, fake: FakeExchange, futures: bool, side: str) -> list[dict[str, str]]:
    """Copy the first bot's database to tmp_path/killed when its first order on side reaches the exchange."""
    return kill_at_order(fake, "/fapi/v1/order" if futures else "/api/v3/order", tmp_path / "first" / "trading.sqlite",
                         tmp_path / "killed" / "trading.sqlite", lambda params: params.get("side") == side)


def journaled(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT client_order_id FROM entry_plans")]


@pytest.mark.parametrize("futures", [True, False], ids=["futures", "spot"])
async def test_a_bot_killed_before_saving_its_filled_entry_guards_it_with_the_plan_s_exits_after_the_restart(
        tmp_path: Path, futures: bool) -> None:
    clock, plan, killed = ManualClock(SELL_OFF - 5 * MINUTE_MS), PLANS[futures], tmp_path / "killed" / "trading.sqlite"
    async with exchange(futures, clock) as fake:
        taken = killed_at(tmp_path, fake, futures, "BUY")
        fake.inject_server_error(count=1000, path=ALGO)      # the killed bot sent nothing after its entry
        first = await bot(tmp_path / "first", fake, clock, futures)
        await first.run_until(SELL_OFF)
        assert journaled(tmp_path / "first" / "trading.sqlite") == []     # dropped once the state was saved
        await first.kill()
        fake.faults.clear()
        assert taken[0]["side"] == "BUY" and fake.account.algo_orders == []
        assert journaled(killed) == [taken[0]["newClientOrderId"]]        # written before the order left

        again = await bot(killed.parent, fake, clock, futures)

        guard = again.engine.state.positions[plan.symbol]
        assert (guard.key, guard.strategy, guard.reason) == (taken[0]["newClientOrderId"], "scripted",
                                                             "scripted setup sell-off")
        assert (guard.stops.stop, guard.stops.take_profit) == (D("120000"), D("124000"))
        # futures: 0.081 at 121,144.20, 1R = 1,144.20 x 0.081 = 92.68; spot: 0.08163 at 121,143.72, 1R = 1,143.72
        # x 0.08163 = 93.36
        assert again.notified("ENTRY") == [ENTERED[futures] + " Found after a restart: the plan saved before its "
                                                              "order left guards it (not the default exits)."]
        if futures:                # the exchange holds the plan's stop and target, not the hard stop
            assert [(a.type, a.trigger_price) for a in again.legs()] == [("STOP_MARKET", D("120000")),
                                                                          ("TAKE_PROFIT_MARKET", D("124000"))]
        assert journaled(killed) == []
        await again.close()


# the kill switch's exit sold at once: futures 0.081 at 121,143.10 after buying at 121,144.20: -1.10 x 0.081 =
# -0.0891, fees 4.9063401 + 4.90629555 -> -9.90173565 (1R 92.68: -0.11R); spot 0.08163 at 121,143.62 after
# 121,143.72: -0.008163, fees 9.8889618636 + 9.8889537006 -> -19.7860785642 (1R 93.36: -0.21R)
# the exit was the bot's own (the kill switch's '<entry key>-x1'), not a close outside the bot: said so
CLOSED = {True: ("EXIT long BTC/USDT:USDT [scripted]: closed by the bot's exit order {cid} (the kill switch) while "
                 "the bot was down at 121,143.1. Result -9.90 (-0.11R).", D("-9.90173565")),
          False: ("EXIT long BTC/USDT [scripted]: closed by the bot's exit order {cid} (the kill switch) while the "
                  "bot was down at 121,143.62. Result -19.79 (-0.21R).", D("-19.7860785642"))}


@pytest.mark.parametrize("futures", [True, False], ids=["futures", "spot"])
async def test_a_position_the_bot_s_exit_closed_before_it_was_saved_is_recorded_with_its_real_result_once(
        tmp_path: Path, futures: bool) -> None:
    # the saved engine state still guards the position the exchange no longer holds: with stops on the exchange
    # (futures) the restart used to record it at its entry price (-4.91, the entry's fee), without them (spot)
    # to forget it silently
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with exchange(futures, clock) as fake:
        taken = killed_at(tmp_path, fake, futures, "SELL")
        first = await bot(tmp_path / "first", fake, clock, futures)
        await first.run_until(SELL_OFF)
        await first.loop.kill(True, "owner", "closing all")
        await first.kill()
        assert taken[0]["side"] == "SELL" and fake.account.position("BTCUSDT") == 0

        again = await bot(tmp_path / "killed", fake, clock, futures)
        await again.run_until(SELL_OFF + 2 * MINUTE_MS)

        told, result = CLOSED[futures]
        assert taken[0]["newClientOrderId"].endswith("-x1")
        assert again.notified("EXIT") == [told.format(cid=taken[0]["newClientOrderId"])]   # once, at its fill
        closed = [e for e in await again.store.events(EventKind.POSITION_CLOSED, limit=50) if "result" in e.data]
        assert [D(e.data["result"]) for e in closed] == [result]
        assert again.engine.state.positions == {} and again.engine.state.risk.consecutive_losses == 1
        assert [a.status for a in again.legs("NEW")] == []        # the legs of the closed position went too
        await again.close()


@pytest.mark.parametrize("futures", [True, False], ids=["futures", "spot"])
async def test_an_entry_resumed_at_the_restart_whose_position_was_sold_by_hand_is_recorded_as_a_trade_once(
        tmp_path: Path, futures: bool) -> None:
    # killed as the entry reached the exchange; while the bot was down the user sold it in the exchange's app at
    # 120,500: the restart takes the entry back from its journaled plan and finds its position gone. It used to
    # leave an audit line only (no result, no notice, the day's loss blind to it)
    clock, plan, killed = ManualClock(SELL_OFF - 5 * MINUTE_MS), PLANS[futures], tmp_path / "killed" / "trading.sqlite"
    async with exchange(futures, clock) as fake:
        killed_at(tmp_path, fake, futures, "BUY")
        fake.inject_server_error(count=1000, path=ALGO)
        first = await bot(tmp_path / "first", fake, clock, futures)
        await first.run_until(SELL_OFF)
        bought = fake.account.position("BTCUSDT") if futures else first.venue.broker.book.get(SPOT).amount
        await first.kill()
        fake.faults.clear()
        clock.set(SELL_OFF + MINUTE_MS)
        market = fake.board.by_id(MarketKind.PERP if futures else MarketKind.SPOT, "BTCUSDT")
        fake.account.trade_by_hand(market, "SELL", bought, D("120500"), clock.now_ms())
        clock.set(SELL_OFF + 3 * MINUTE_MS)

        again = await bot(killed.parent, fake, clock, futures)

        # futures: bought 0.081 at 121,144.20 (fee 4.9063401), sold at 120,500 (fee 0.05% of 9,760.5 = 4.88025):
        # -644.20 x 0.081 - 4.9063401 - 4.88025 = -61.9667901, 1R 92.6802 -> -0.67R; spot: 0.08163 at 121,143.72
        # (fee 9.8889618636), sold at 120,500 (fee 0.1% of 9,836.415 = 9.836415): -643.72 x 0.08163 = -52.5468636,
        # - 9.8889618636 - 9.836415 = -72.2722404636, 1R 93.36 -> -0.77R
        fee, result, r = ((D("4.88025"), D("-61.9667901"), "-0.67R") if futures
                          else (D("9.836415"), D("-72.2722404636"), "-0.77R"))
        assert again.notified("EXIT") == [f"EXIT long {plan.symbol} [scripted]: closed outside the bot at 120,500."
                                          f"{'0' if futures else '00'} (1 trade(s) on the exchange, fees {fee}; no "
                                          f"order of ours). Result {result:+,.2f} ({r})."]
        assert again.notified("ENTRY") == []             # one notice for the trade: its exit, with its result
        closed = [e for e in await again.store.events(EventKind.POSITION_CLOSED, limit=50) if "result" in e.data]
        assert [(e.ts_ms, D(e.data["result"])) for e in closed] == [(SELL_OFF + MINUTE_MS, result)]
        assert again.engine.state.positions == {} and again.engine.state.pending == {}
        assert again.engine.state.risk.consecutive_losses == 1
        await again.run_until(SELL_OFF + 4 * MINUTE_MS)
        assert len(again.notified("EXIT")) == 1 and journaled(killed) == []
        await again.close()
