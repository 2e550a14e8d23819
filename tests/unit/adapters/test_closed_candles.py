"""The streamed final candles kept until a poll emits them."""
from __future__ import annotations

from trading.adapters.ccxt_streams import ClosedCandles
from trading.domain.candles import Timeframe

KEY = ("BTC/USDT", Timeframe.M1)


def row(minute: int, close: float) -> list:
    return [minute * 60_000, close, close + 1, close - 1, close, 2.0]


def test_repeated_and_reordered_candles_come_out_once_in_time_order() -> None:
    closed = ClosedCandles()
    for minute, close in ((3, 30.0), (1, 10.0), (2, 20.0), (3, 30.0), (1, 10.0)):
        assert closed.add("BTC/USDT", "1m", row(minute, close))

    candles = closed.snapshot()[KEY]
    assert candles.open_ms.tolist() == [60_000, 120_000, 180_000]
    assert candles.close.tolist() == [10.0, 20.0, 30.0] and candles.high.tolist() == [11.0, 21.0, 31.0]


def test_emitted_candles_are_forgotten_and_unknown_timeframes_refused() -> None:
    closed = ClosedCandles(limit=3)
    for minute in range(1, 6):
        closed.add("BTC/USDT", "1m", row(minute, float(minute)))
    assert closed.snapshot()[KEY].open_ms.tolist() == [180_000, 240_000, 300_000]     # the oldest beyond limit go

    closed.forget_through(KEY, 240_000)
    assert closed.snapshot()[KEY].open_ms.tolist() == [300_000]
    assert not closed.add("BTC/USDT", "3m", row(1, 1.0))
