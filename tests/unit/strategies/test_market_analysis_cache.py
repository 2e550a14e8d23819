from trading.domain.candles import Candles, Timeframe
from trading.indicators.ict import ICTParams
from trading.strategies.market_analysis import SnapshotCache


def bars(first_close: float) -> Candles:
    rows = [(i * 60_000, 100.0, 101.0 + i % 3, 99.0 - i % 2, 100.5, 1.0) for i in range(40)]
    rows[0] = (0, 100.0, 101.0, 99.0, first_close, 1.0)
    return Candles.from_rows(rows)


def test_the_same_candles_reuse_their_snapshot_and_any_difference_recomputes():
    cache = SnapshotCache(size=4)
    params = ICTParams(left=2, right=2)
    first = cache.compute("BTC/USDT", Timeframe.M1, bars(100.5), params)
    assert cache.compute("BTC/USDT", Timeframe.M1, bars(100.5), params) is first
    assert cache.compute("BTC/USDT", Timeframe.M1, bars(100.7), params) is not first     # an older bar differs
    assert cache.compute("ETH/USDT", Timeframe.M1, bars(100.5), params) is not first     # another market
    assert cache.compute("BTC/USDT", Timeframe.M1, bars(100.5), ICTParams()) is not first


def test_the_cache_keeps_only_the_most_recent_windows():
    cache = SnapshotCache(size=2)
    params = ICTParams(left=2, right=2)
    first = cache.compute("A/USDT", Timeframe.M1, bars(100.5), params)
    cache.compute("B/USDT", Timeframe.M1, bars(100.5), params)
    cache.compute("C/USDT", Timeframe.M1, bars(100.5), params)
    assert cache.compute("A/USDT", Timeframe.M1, bars(100.5), params) is not first
