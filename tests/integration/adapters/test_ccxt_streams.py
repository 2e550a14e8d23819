"""The streaming market feed: the real ccxt.pro binance client on the fake Binance's WebSocket and REST servers.

Whatever the stream does (repeats, reorders, drops, goes silent, reconnects in the middle of a candle), every
closed candle reaches poll() exactly once, in order, equal to the exchange's own.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_streams import StreamFaults
from tests.fakes.stream_rig import FAST, StreamRig, eventually, stream_rig
from trading.adapters.candle_backfill import between, merged
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import Candles, Timeframe

SPOT, PERP = "BTC/USDT", "BTC/USDT:USDT"
M1, H1 = Timeframe.M1, Timeframe.H1
KLINES_1M, TICKER = "btcusdt@kline_1m", "btcusdt@ticker"


@pytest.fixture
async def cache(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "cache.sqlite", ManualClock(1))
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def rig(fake_binance: FakeExchange, clock: ManualClock, cache: SqliteStore) -> AsyncIterator[StreamRig]:
    rig = await stream_rig(fake_binance, clock, cache=cache)
    await rig.feed.candles(SPOT, M1, 10)             # the backfill is the baseline of polling
    assert await rig.feed.poll([SPOT], [M1]) == []   # the first poll subscribes
    await rig.subscribed(KLINES_1M, TICKER)
    yield rig
    await rig.feed.close()


def exchange_closed(fake: FakeExchange, timeframe: Timeframe, after_ms: int, kind: int = 0) -> Candles:
    """Return the exchange's closed candles of timeframe opened after after_ms, up to its clock."""
    market = fake.board.markets[kind]
    closed = market.closed(timeframe, fake.clock.now_ms())
    return between(closed, after_ms + 1, int(closed.open_ms[-1]) if len(closed) else after_ms)


async def test_streamed_closes_reach_the_poll_at_once_without_a_rest_download(rig: StreamRig) -> None:
    start, downloads, seen = rig.feed.rest.emitted_through(SPOT, M1), rig.klines_requested(), []
    for _ in range(4):
        await rig.close_and_push()
        seen.append((await rig.poll_when_due([SPOT], [M1]))[(SPOT, M1)])

    assert [len(c) for c in seen] == [1, 1, 1, 1]
    assert merged(seen).equals(exchange_closed(rig.fake, M1, start))
    assert rig.klines_requested() == downloads         # the stream said which candle closed, and how


async def test_repeated_and_reordered_messages_give_each_closed_candle_once_in_order(rig: StreamRig) -> None:
    start, downloads = rig.feed.rest.emitted_through(SPOT, M1), rig.klines_requested()
    rig.fake.streams.faults = StreamFaults(reorder=True, duplicate=True)
    await rig.close_and_push(minutes=3)                 # three closes at once, newest first, each sent twice
    await eventually(lambda: len(rig.feed.pending(SPOT, M1)) == 3, what="the three final klines")
    first = await rig.poll_when_due([SPOT], [M1])
    await rig.close_and_push()
    second = await rig.poll_when_due([SPOT], [M1])

    candles = merged([first[(SPOT, M1)], second[(SPOT, M1)]])
    assert len(first[(SPOT, M1)]) == 3 and len(second[(SPOT, M1)]) == 1
    assert candles.equals(exchange_closed(rig.fake, M1, start))
    assert rig.klines_requested() == downloads


async def test_a_forming_candle_that_changes_never_reaches_the_poll_or_the_cache(rig: StreamRig) -> None:
    start, market = rig.feed.rest.emitted_through(SPOT, M1), rig.fake.board.markets[0]
    forming_open = rig.clock.now_ms() - rig.clock.now_ms() % M1.ms
    for price in (1.0, 2.0, 3.0):                       # updates of the bar still forming, none final
        assert await rig.fake.streams.send_kline(market, M1, (forming_open, price, 2 * price, price / 2, price,
                                                              9.0), closed=False) == 1
    await rig.close_and_push()
    polled = await rig.poll_when_due([SPOT], [M1])

    assert polled[(SPOT, M1)].equals(exchange_closed(rig.fake, M1, start))
    assert int(polled[(SPOT, M1)].open_ms[-1]) == forming_open
    cached = await rig.feed.candles(SPOT, M1, 3)
    assert cached.equals(market.closed(M1, rig.clock.now_ms())[-3:])


async def test_a_reconnect_in_the_middle_of_a_candle_refills_what_closed_meanwhile(rig: StreamRig) -> None:
    start, streams = rig.feed.rest.emitted_through(SPOT, M1), rig.fake.streams
    await rig.close_and_push()
    seen = [(await rig.poll_when_due([SPOT], [M1]))[(SPOT, M1)]]
    handshakes = streams.handshakes
    streams.refuse(True)
    await streams.drop()                                 # cut in the middle of a candle: no close frame
    await eventually(lambda: not rig.feed.supervisor.up, what="the streams to be seen down")
    rig.clock.advance(140_000)                           # two candles close while the server is down
    seen += [c for _, _, c in await rig.feed.poll([SPOT], [M1])]       # over REST meanwhile
    rig.clock.advance(30_000)                            # and one more while it is coming back
    streams.refuse(False)
    await streams.wait_until(lambda: streams.handshakes >= handshakes + 2 and streams.subscribers(KLINES_1M))
    await rig.close_and_push()
    seen.append((await rig.poll_when_due([SPOT], [M1]))[(SPOT, M1)])

    assert [len(c) for c in seen] == [1, 2, 2]
    assert merged(seen).equals(exchange_closed(rig.fake, M1, start))
    assert sum(len(c) for c in seen) == len(exchange_closed(rig.fake, M1, start))      # none twice
    await eventually(lambda: rig.links.kinds() == ["down", "up"], what="one down and one up")   # each said once


async def test_a_silent_connection_is_cut_and_reconnected(rig: StreamRig) -> None:
    streams, handshakes, start = rig.fake.streams, rig.fake.streams.handshakes, rig.feed.rest.emitted_through(SPOT, M1)
    assert streams.mute() == 2                           # klines and ticker go quiet: no data, no pongs
    await streams.wait_until(lambda: streams.handshakes >= handshakes + 2 and streams.subscribers(KLINES_1M),
                             timeout=FAST.stall_s + 10)
    await rig.close_and_push()
    polled = await rig.poll_when_due([SPOT], [M1])

    assert polled[(SPOT, M1)].equals(exchange_closed(rig.fake, M1, start))
    # ccxt times each connection's pongs on its own: on a loaded machine the ticker's connection can be cut,
    # reopened and told up before the klines' one is cut too, a second outage of its own. Each outage is told
    # once: down and up alternate, and the feed ends up
    await eventually(lambda: rig.links.kinds()[-1:] == ["up"], what="the streams back up")
    kinds = rig.links.kinds()
    assert kinds == ["down", "up"] * (len(kinds) // 2) and len(kinds) <= 4, kinds


async def test_a_server_that_comes_back_is_reconnected_within_the_backoff_cap(rig: StreamRig) -> None:
    streams, handshakes = rig.fake.streams, rig.fake.streams.handshakes
    streams.refuse(True)
    await streams.drop(clean=True)
    await eventually(lambda: streams.refused >= 10, what="attempts while the server is down")  # backoff at its cap
    back = asyncio.get_running_loop().time()
    streams.refuse(False)
    await streams.wait_until(lambda: streams.handshakes >= handshakes + 2, timeout=5)

    # uncapped, the wait after 10 refusals would be 0.02 s x 2^9 = 10.24 s, jittered to at least 5.12 s; the
    # 2 s of slack over the cap is for a loaded machine
    assert asyncio.get_running_loop().time() - back < FAST.max_backoff_s + 2.0


async def test_perpetual_klines_stream_from_the_futures_endpoint(fake_binance: FakeExchange,
                                                                  clock: ManualClock) -> None:
    rig = await stream_rig(fake_binance, clock)
    try:
        await rig.feed.candles(PERP, H1, 5)
        await rig.feed.poll([PERP], [H1])
        await rig.subscribed("btcusdt@kline_1h")
        start, downloads = rig.feed.rest.emitted_through(PERP, H1), rig.klines_requested()
        await rig.close_and_push(minutes=60)
        polled = await rig.poll_when_due([PERP], [H1])

        assert polled[(PERP, H1)].equals(exchange_closed(fake_binance, H1, start, kind=1))
        assert rig.klines_requested() == downloads
    finally:
        await rig.feed.close()
