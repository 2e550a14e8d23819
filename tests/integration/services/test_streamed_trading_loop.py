"""The trading loop on the streaming feed: what the strategies see is exactly the exchange's closed candles.

The loop runs as the bot runs it (its candle job on every poll, the candle windows read back from the SQLite
cache), on the real ccxt.pro client and the fake Binance, through repeated, reordered and made-up messages,
a reconnect in the middle of a candle and a silent connection.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import spot_market
from tests.fakes.exchange_streams import StreamFaults
from tests.fakes.recording_notifier import RecordingNotifier
from tests.fakes.recording_strategy import RecordingStrategy
from tests.fakes.stream_rig import FAST, StreamRig, eventually, stream_rig
from trading.adapters.candle_backfill import between, merged
from trading.adapters.clocks import ManualClock
from trading.adapters.paper_broker import PaperBroker
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import Candles, Timeframe
from trading.engine.rules_decider import RulesDecider
from trading.engine.trading_engine import TradingEngine
from trading.services.event_bus import EventBus
from trading.services.trading_loop import LoopSettings, TradingLoop

SYMBOL, M1, WINDOW = "BTC/USDT", Timeframe.M1, 30
JULY_1_2025_MS = 1_751_328_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(JULY_1_2025_MS + 30_000)


@pytest.fixture
async def fake_binance(clock: ManualClock) -> AsyncIterator[FakeExchange]:
    async with FakeExchange([spot_market("BTC")], clock) as fake:
        yield fake


async def candle_job(rig: StreamRig, loop: TradingLoop, handed: list[Candles], due: bool = True) -> None:
    """Run the bot's candle job once: poll (when the stream says so), then hand the batches to the loop."""
    polled = await rig.poll_when_due([SYMBOL], [M1]) if due else {
        (s, t): c for s, t, c in await rig.feed.poll([SYMBOL], [M1])}
    batches = [(s, t, c) for (s, t), c in polled.items()]
    handed.extend(c for _, _, c in batches)
    await loop.on_candles_closed(batches)


async def test_the_strategies_see_exactly_the_exchanges_closed_candles_through_faults(
        tmp_path: Path, fake_binance: FakeExchange, clock: ManualClock) -> None:
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()
    rig = await stream_rig(fake_binance, clock, cache=store)
    strategy, handed = RecordingStrategy(), []
    try:
        instruments = await rig.feed.instruments()
        events = EventBus(store)
        events.attach(RecordingNotifier())
        loop = TradingLoop(clock, rig.feed, PaperBroker.spot(instruments, Decimal(10_000), clock=clock),
                           [strategy], RulesDecider(), TradingEngine(), events, store, instruments,
                           LoopSettings(symbols=(SYMBOL,), windows={M1: WINDOW}))
        await rig.feed.candles(SYMBOL, M1, WINDOW)
        await rig.feed.poll([SYMBOL], [M1])
        await loop.start()
        await rig.subscribed("btcusdt@kline_1m")
        start, streams = rig.feed.rest.emitted_through(SYMBOL, M1), fake_binance.streams
        market = fake_binance.board.markets[0]

        await rig.close_and_push()
        await candle_job(rig, loop, handed)
        streams.faults = StreamFaults(reorder=True, duplicate=True)
        await rig.close_and_push(minutes=2)
        await eventually(lambda: len(rig.feed.pending(SYMBOL, M1)) == 2, what="both final klines")
        await candle_job(rig, loop, handed)
        forming = clock.now_ms() - clock.now_ms() % M1.ms
        await streams.send_kline(market, M1, (forming, 1.0, 1.0, 1.0, 1.0, 1.0), closed=False)
        handshakes = streams.handshakes
        await streams.drop()                               # in the middle of that candle
        clock.advance(90_000)                              # it and the next close while reconnecting
        await streams.wait_until(lambda: streams.handshakes >= handshakes + 2 and
                                 streams.subscribers("btcusdt@kline_1m"))
        await candle_job(rig, loop, handed, due=False)     # the scheduler's interval run: REST refills
        handshakes = streams.handshakes
        streams.mute()
        await streams.wait_until(lambda: streams.handshakes >= handshakes + 2 and
                                 streams.subscribers("btcusdt@kline_1m"), timeout=FAST.stall_s + 3)
        await rig.close_and_push()
        await candle_job(rig, loop, handed)

        exchange = market.closed(M1, clock.now_ms())
        emitted = merged(handed)
        assert sum(len(c) for c in handed) == len(emitted)              # no candle twice
        assert emitted.equals(between(exchange, start + 1, clock.now_ms()))     # every close once, in order
        assert len(strategy.seen) == 4                                  # one scan per candle job
        for frame in strategy.seen:
            newest = int(frame.open_ms[-1])
            expected = between(exchange, newest - (WINDOW - 1) * M1.ms, newest)
            assert frame.equals(expected)
    finally:
        await rig.feed.close()
        await store.close()
