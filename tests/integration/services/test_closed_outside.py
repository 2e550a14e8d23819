"""A live position closed outside the bot while it was down: its result is read from the exchange's trades.

The loop trades the fake Binance over ccxt (tests/fakes/live_futures_loop.py) on real BTCUSDT 1m candles; the
bot dies with a long open, the user closes it in the exchange's app (the fake's trade_by_hand), and the
restarted bot finds the closing trades (/fapi/v1/userTrades, /api/v3/myTrades), records the close with its
fees at the time and price it happened, and the daily loss and the losing streak see it. When the trades
are gone from the exchange's history the result is unknown: said so, and its worst case weighs on the day.
Fees: 0.05% taker on futures, 0.1% on spot, charged by the fake and estimated alike by the bot for its fills.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_futures_loop import PERP, SPOT, at_1x, perp_minutes, spot_minutes, start_live_loop
from tests.fakes.market_stretches import SELL_OFF, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.adapters.clocks import ManualClock
from trading.domain.candles import MINUTE_MS
from trading.domain.events import EventKind
from trading.domain.instruments import MarketKind
from trading.engine.engine_state import EngineSettings
from trading.engine.entry_gate import EntryOrigin
from trading.risk.limits import LimitSettings
from trading.risk.verdicts import RiskRule

PERP_LONG = long_signal(SELL_OFF, "121143.67", "120000", "124000", "sell-off", PERP)
SPOT_LONG = long_signal(SELL_OFF, "121143.67", "120000", "124000", "sell-off", SPOT)
# a 0.5% daily limit: 50 of the 10,000 USDT the day starts with
TIGHT = at_1x(EngineSettings(limits=LimitSettings(daily_loss_pct=D("0.5"))))


async def test_a_futures_position_closed_by_hand_while_down_is_recorded_with_its_fills_and_fees(
        tmp_path: Path) -> None:
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        fake.account.fee_rate = D("0.0005")
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])], TIGHT)
        await first.run_until(SELL_OFF)
        assert fake.account.position("BTCUSDT") == D("0.081")
        await first.kill()

        # 12:31: the user sells the 0.081 BTC in the exchange's app at 120,500 (the stop 120,000 is not reached)
        clock.set(SELL_OFF + MINUTE_MS)
        hand = fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL",
                                          D("0.081"), D("120500"), clock.now_ms())
        assert fake.account.position("BTCUSDT") == 0 and hand.status == "FILLED"
        clock.set(SELL_OFF + 3 * MINUTE_MS)

        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])], TIGHT)

        # bought 0.081 at 121,144.20 (fee 0.05% of 9,812.6802 = 4.9063401), sold at 120,500 (fee 0.05% of
        # 9,760.5 = 4.88025): (120,500 - 121,144.20) x 0.081 = -52.1802; net -52.1802 - 4.9063401 - 4.88025
        # = -61.9667901; 1R = (121,144.20 - 120,000) x 0.081 = 92.6802 -> -0.67R
        exits = again.notified("EXIT")
        assert exits == ["EXIT long BTC/USDT:USDT [scripted]: closed outside the bot at 120,500.0 (1 trade(s) on the "
                         "exchange, fees 4.88025; no order of ours). Result -61.97 (-0.67R)."]
        closed = [e for e in await again.store.events(limit=50) if e.kind is EventKind.POSITION_CLOSED
                  and "result" in e.data]
        assert [(e.ts_ms, D(e.data["result"])) for e in closed] == [(SELL_OFF + MINUTE_MS, D("-61.9667901"))]
        assert again.engine.state.positions == {} and again.venue.broker.book.all() == []
        assert again.engine.state.risk.consecutive_losses == 1

        await again.run_until(SELL_OFF + 4 * MINUTE_MS)      # the loop marks the equity: the day's loss is seen
        risk = again.engine.state.risk
        assert risk.daily_pnl <= D("-61.9667901")
        verdict = again.engine.vet_new_position(clock.now_ms(), EntryOrigin.MANUAL, PERP)
        assert verdict.rule is RiskRule.DAILY_LOSS and verdict.reason.startswith("Daily loss limit hit:")
        assert len(again.notified("EXIT")) == 1                # told once
        await again.close()


async def test_spot_coins_sold_outside_the_bot_are_recorded_with_their_fills_and_fees(tmp_path: Path) -> None:
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([spot_minutes(candles)], clock) as fake:
        fake.account.fee_rate = D("0.001")
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([SPOT_LONG])], TIGHT,
                                      futures=False)
        await first.run_until(SELL_OFF)
        position = first.venue.broker.book.get(SPOT)
        assert position is not None
        bought, entry, entry_fee = position.amount, position.entry_price, position.fees_paid
        await first.kill()

        clock.set(SELL_OFF + MINUTE_MS)
        fake.account.trade_by_hand(fake.board.by_id(MarketKind.SPOT, "BTCUSDT"), "SELL", bought,
                                   D("120500"), clock.now_ms())
        clock.set(SELL_OFF + 3 * MINUTE_MS)

        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([SPOT_LONG])], TIGHT,
                                      futures=False)

        exit_fee = bought * D("120500") * D("0.001")
        expected = (D("120500") - entry) * bought - exit_fee - entry_fee
        closed = [e for e in await again.store.events(limit=50) if e.kind is EventKind.POSITION_CLOSED
                  and "result" in e.data]
        assert [(e.ts_ms, D(e.data["result"])) for e in closed] == [(SELL_OFF + MINUTE_MS, expected)]
        assert expected < D("-50")
        exits = again.notified("EXIT")
        assert len(exits) == 1 and "closed outside the bot at 120,500.0" in exits[0] and f"{expected:+,.2f}" in exits[0]
        assert again.engine.state.positions == {} and again.venue.broker.book.all() == []
        await again.run_until(SELL_OFF + 4 * MINUTE_MS)
        verdict = again.engine.vet_new_position(clock.now_ms(), EntryOrigin.MANUAL, SPOT)
        assert verdict.rule is RiskRule.DAILY_LOSS
        await again.close()


async def test_a_close_whose_trades_are_not_found_is_unknown_told_and_its_worst_case_counted(
        tmp_path: Path) -> None:
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    loose = at_1x(EngineSettings(limits=LimitSettings(daily_loss_pct=D("0.8"))))     # 80 of 10,000
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])], loose)
        await first.run_until(SELL_OFF)
        await first.kill()

        clock.set(SELL_OFF + MINUTE_MS)
        fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL", D("0.081"),
                                   D("121100"), clock.now_ms())
        fake.account.trades.clear()              # older than the exchange keeps
        clock.set(SELL_OFF + 3 * MINUTE_MS)

        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])], loose)

        # worst case: its stop, 1R = 92.6802, plus the entry fee 4.9063401 the bot estimated = 97.5865401
        told = again.notified("UNKNOWN")
        assert told == ["EXIT long BTC/USDT:USDT [scripted]: closed outside the bot; its RESULT IS UNKNOWN: no "
                        "trades on the exchange add up to its amount (0 of 0.081 found). Check the exchange's trade "
                        "history for BTC/USDT:USDT. Until you confirm with /resume (or midnight) its worst case, "
                        "its loss at the stop of 97.59, counts against today's loss limit."]
        assert again.notified("EXIT") == told                   # no made-up result
        risk = again.engine.state.risk
        assert risk.unconfirmed_loss == D("97.5865401") and risk.consecutive_losses == 0
        verdict = again.engine.vet_new_position(clock.now_ms(), EntryOrigin.MANUAL, PERP)
        assert verdict.rule is RiskRule.DAILY_LOSS

        again.engine.resume("owner", clock.now_ms())             # the user checked and confirms
        assert again.engine.state.risk.unconfirmed_loss == 0
        assert again.engine.vet_new_position(clock.now_ms(), EntryOrigin.MANUAL, PERP).allowed
        await again.close()


async def test_a_position_closed_by_hand_during_a_stream_outage_is_recorded_at_the_reconcile(
        tmp_path: Path) -> None:
    # the bot runs; its user stream is down while the user sells in the app at 120,500; the reconcile after the
    # outage (LiveVenue.reconcile) finds the trade, and the loop's next step records the exit once
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        fake.account.fee_rate = D("0.0005")
        rig = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([PERP_LONG])])
        await rig.run_until(SELL_OFF)
        clock.set(SELL_OFF + 30_000)
        fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL", D("0.081"),
                                   D("120500"), clock.now_ms())

        report = await rig.venue.reconcile()
        await rig.run_until(SELL_OFF + 2 * MINUTE_MS)

        assert [p.symbol for p in report.positions.closed] == [PERP]
        # the same figures as the restart above: -61.97, -0.67R
        assert rig.notified("EXIT") == ["EXIT long BTC/USDT:USDT [scripted]: closed outside the bot at 120,500.0 (1 "
                                        "trade(s) on the exchange, fees 4.88025; no order of ours). Result -61.97 "
                                        "(-0.67R)."]
        assert rig.engine.state.risk.consecutive_losses == 1
        await rig.close()
