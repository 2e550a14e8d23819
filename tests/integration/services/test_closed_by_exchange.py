"""A live futures position the exchange closed itself, or that paid funding, while the bot was down.

The rig is test_closed_outside.py's: the loop trades the fake Binance over ccxt on real BTCUSDT 1m candles, the
bot dies with a long 0.081 BTC open (bought at 121,144.20, fee 4.9063401), something happens on the exchange,
and the restarted bot reads the closing trades. Here the exchange liquidates the long (a force order
'autoclose-...' in /fapi/v1/forceOrders) or auto-deleverages it ('adl_autoclose'), funding was booked in
/fapi/v1/income while the bot was away, or the income endpoint does not answer.
Fees: 0.05% taker, charged by the fake and estimated alike by the bot for its own fills.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_auto_close import auto_close, pay_funding
from tests.fakes.exchange_markets import FakeMarket
from tests.fakes.live_futures_loop import LiveLoopRig, perp_minutes, start_live_loop
from tests.fakes.market_stretches import SELL_OFF, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from tests.integration.services.test_closed_outside import PERP_LONG, TIGHT
from trading.adapters.clocks import ManualClock
from trading.domain.candles import MINUTE_MS
from trading.domain.events import EventKind
from trading.domain.instruments import MarketKind
from trading.engine.entry_gate import EntryOrigin
from trading.risk.verdicts import RiskRule

ENTRY_FEE = D("4.9063401")         # 0.05% of 0.081 x 121,144.20


@asynccontextmanager
async def _bot_down_with_a_long(tmp_path: Path) -> AsyncIterator[tuple[FakeExchange, ManualClock, FakeMarket]]:
    """Serve the fake (0.05% fees), run the bot until it holds the long 0.081 BTC, kill it; yield the perpetual."""
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(minutes_around(SELL_OFF))], clock) as fake:
        fake.account.fee_rate = D("0.0005")
        first = await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF),
                                      [ScriptedStrategy([PERP_LONG])], TIGHT)
        await first.run_until(SELL_OFF)
        assert fake.account.position("BTCUSDT") == D("0.081")
        await first.kill()
        yield fake, clock, fake.board.by_id(MarketKind.PERP, "BTCUSDT")


async def _restart(tmp_path: Path, fake: FakeExchange, clock: ManualClock) -> LiveLoopRig:
    clock.set(SELL_OFF + 3 * MINUTE_MS)
    return await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF), [ScriptedStrategy([PERP_LONG])],
                                 TIGHT)


async def _recorded(rig: LiveLoopRig) -> list[tuple[int, D]]:
    return [(e.ts_ms, D(e.data["result"])) for e in await rig.store.events(limit=80)
            if e.kind is EventKind.POSITION_CLOSED and "result" in e.data]


async def _record_reason(rig: LiveLoopRig) -> str:
    """Return the reason the venue recorded with the closed position (the trade record's why)."""
    closes = [e for e in await rig.store.events(limit=80) if e.kind is EventKind.POSITION_CLOSED and "why" in e.data]
    assert len(closes) == 1
    return str(closes[0].data["why"])


async def test_a_liquidation_while_down_is_named_with_its_funding_and_counted_like_any_loss(tmp_path: Path) -> None:
    async with _bot_down_with_a_long(tmp_path) as (fake, clock, perp):
        pay_funding(fake.account, perp, D("-1.23456789"), SELL_OFF + 20_000)      # the long paid funding
        pay_funding(fake.account, perp, D("-0.5"), SELL_OFF - 3_600_000)          # before it opened: not its own
        clock.set(SELL_OFF + MINUTE_MS)
        auto_close(fake.account, perp, D("109100"), clock.now_ms())
        assert fake.account.position("BTCUSDT") == 0

        again = await _restart(tmp_path, fake, clock)

        # (109,100 - 121,144.20) x 0.081 = -975.5802; exit fee 0.05% of 8,837.1 = 4.41855; funding paid 1.23456789
        # net -975.5802 - 4.9063401 - 4.41855 - 1.23456789 = -986.13965799; 1R 92.6802 -> -10.64R
        assert again.notified("EXIT") == [
            "EXIT long BTC/USDT:USDT [scripted]: liquidated by the exchange at 109,100.0 (1 trade(s) on the "
            "exchange, fees 4.41855, funding paid 1.23456789; no order of ours). Result -986.14 (-10.64R)."]
        assert await _recorded(again) == [(SELL_OFF + MINUTE_MS, D("-986.13965799"))]
        assert "liquidated by the exchange, 1 trade(s) on the exchange" in await _record_reason(again)
        closed = await again.venue.ledger.closed_positions()
        assert [(c.realized_pnl, c.fees_paid, c.funding_paid) for c in closed] == [
            (D("-975.5802"), ENTRY_FEE + D("4.41855"), D("1.23456789"))]
        assert again.engine.state.risk.consecutive_losses == 1 and again.engine.state.positions == {}
        await again.run_until(SELL_OFF + 4 * MINUTE_MS)
        verdict = again.engine.vet_new_position(clock.now_ms(), EntryOrigin.MANUAL, PERP_LONG.symbol)
        assert verdict.rule is RiskRule.DAILY_LOSS
        await again.close()


async def test_an_auto_deleveraged_position_is_named_so_with_the_funding_it_received(tmp_path: Path) -> None:
    async with _bot_down_with_a_long(tmp_path) as (fake, clock, perp):
        pay_funding(fake.account, perp, D("0.75"), SELL_OFF + 20_000)             # the long received funding
        clock.set(SELL_OFF + MINUTE_MS)
        auto_close(fake.account, perp, D("122000"), clock.now_ms(), adl=True)

        again = await _restart(tmp_path, fake, clock)

        # (122,000 - 121,144.20) x 0.081 = 69.3198; exit fee 0.05% of 9,882 = 4.941; funding received 0.75
        # net 69.3198 - 4.9063401 - 4.941 + 0.75 = 60.2224599; 1R 92.6802 -> +0.65R
        assert again.notified("EXIT") == [
            "EXIT long BTC/USDT:USDT [scripted]: auto-deleveraged by the exchange at 122,000.0 (1 trade(s) on the "
            "exchange, fees 4.941, funding received 0.75; no order of ours). Result +60.22 (+0.65R)."]
        assert await _recorded(again) == [(SELL_OFF + MINUTE_MS, D("60.2224599"))]
        assert "auto-deleveraged by the exchange" in await _record_reason(again)
        assert again.engine.state.risk.consecutive_losses == 0
        await again.close()


async def test_funding_the_exchange_does_not_tell_is_said_not_included_and_the_close_still_recorded(
        tmp_path: Path) -> None:
    async with _bot_down_with_a_long(tmp_path) as (fake, clock, perp):
        pay_funding(fake.account, perp, D("-1.5"), SELL_OFF + 20_000)
        clock.set(SELL_OFF + MINUTE_MS)
        fake.account.trade_by_hand(perp, "SELL", D("0.081"), D("120500"), clock.now_ms())
        fake.inject_server_error(count=10, path="/fapi/v1/income")

        again = await _restart(tmp_path, fake, clock)

        # the figures of the close by hand in test_closed_outside.py: -61.9667901, without the funding
        assert again.notified("EXIT") == [
            "EXIT long BTC/USDT:USDT [scripted]: closed outside the bot at 120,500.0 (1 trade(s) on the exchange, "
            "fees 4.88025; funding not included: the exchange's funding history could not be read; no order of "
            "ours). Result -61.97 (-0.67R)."]
        assert await _recorded(again) == [(SELL_OFF + MINUTE_MS, D("-61.9667901"))]
        assert "funding not included" in await _record_reason(again)
        assert again.engine.state.risk.consecutive_losses == 1
        await again.close()


async def test_a_reversal_in_one_order_realises_the_closing_part_and_the_new_short_is_adopted(
        tmp_path: Path) -> None:
    async with _bot_down_with_a_long(tmp_path) as (fake, clock, perp):
        clock.set(SELL_OFF + MINUTE_MS)
        # the user sells 0.1 in the app at 120,500: 0.081 close the long, 0.019 open a short
        fake.account.trade_by_hand(perp, "SELL", D("0.1"), D("120500"), clock.now_ms(), reduce_only=False)
        assert fake.account.position("BTCUSDT") == D("-0.019")

        again = await _restart(tmp_path, fake, clock)

        # the closing 0.081 of the 0.1: its fee is 0.081/0.1 of 0.05% x 12,050 = 6.025 -> 4.88025, and the result
        # is the close by hand's: (120,500 - 121,144.20) x 0.081 - 4.9063401 - 4.88025 = -61.9667901 (-0.67R)
        assert again.notified("EXIT") == [
            "EXIT long BTC/USDT:USDT [scripted]: closed outside the bot at 120,500.0 (1 trade(s) on the exchange, "
            "fees 4.88025; the same order opened a short of 0.019, left for reconciliation to adopt; no order of "
            "ours). Result -61.97 (-0.67R)."]
        assert await _recorded(again) == [(SELL_OFF + MINUTE_MS, D("-61.9667901"))]
        assert again.engine.state.risk.consecutive_losses == 1
        # the short the same order opened is the bot's to guard now, at its price and amount
        short = again.venue.broker.book.get(PERP_LONG.symbol)
        assert short is not None and (short.side.value, short.amount, short.entry_price) == (
            "short", D("0.019"), D("120500"))
        guard = again.engine.state.positions[PERP_LONG.symbol]
        assert (guard.side.value, guard.amount) == ("short", D("0.019"))
        await again.close()


async def test_a_reversal_during_a_stream_outage_is_recorded_at_the_reconcile_and_the_short_guarded(
        tmp_path: Path) -> None:
    # the bot runs; while its user stream is down the user sells 0.1 in the app: the reconcile after the outage
    # (LiveVenue.reconcile) closes the long at its trade and adopts the short; the loop's next step tells it once
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(minutes_around(SELL_OFF))], clock) as fake:
        fake.account.fee_rate = D("0.0005")
        rig = await start_live_loop(tmp_path, fake, clock, minutes_around(SELL_OFF), [ScriptedStrategy([PERP_LONG])])
        await rig.run_until(SELL_OFF)
        clock.set(SELL_OFF + 30_000)
        fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL", D("0.1"), D("120500"),
                                   clock.now_ms(), reduce_only=False)

        report = await rig.venue.reconcile()
        await rig.run_until(SELL_OFF + 2 * MINUTE_MS)

        assert [p.symbol for p in report.positions.closed] == [PERP_LONG.symbol]
        assert [(p.side.value, p.amount) for p in report.positions.adopted] == [("short", D("0.019"))]
        assert rig.notified("EXIT") == [
            "EXIT long BTC/USDT:USDT [scripted]: closed outside the bot at 120,500.0 (1 trade(s) on the exchange, "
            "fees 4.88025; the same order opened a short of 0.019, left for reconciliation to adopt; no order of "
            "ours). Result -61.97 (-0.67R)."]
        guard = rig.engine.state.positions[PERP_LONG.symbol]
        assert (guard.side.value, guard.amount) == ("short", D("0.019"))
        assert rig.engine.state.risk.consecutive_losses == 1
        await rig.close()
