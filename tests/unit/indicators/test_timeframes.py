import numpy as np

from tests.fakes.shared_data import load_candles
from trading.domain.candles import Candles, Timeframe
from trading.indicators.timeframes import resample, visible_index

H = Timeframe.H1.ms
M = Timeframe.M1.ms


def test_resample_aggregates_ohlcv_and_drops_the_forming_bucket():
    rows = [(i * M, 10 + i, 20 + i, 5 - i, 11 + i, 1.0) for i in range(75)]
    hourly = resample(Candles.from_rows(rows), Timeframe.H1)
    assert len(hourly) == 1  # minutes 60..74 are a forming hour
    bar = hourly.at(0)
    assert (bar.open_ms, bar.open, bar.high, bar.low, bar.close, bar.volume) == (0, 10, 79, -54, 70, 60)


def test_resample_keeps_the_last_bucket_once_its_final_minute_closed():
    rows = [(i * M, 1, 1, 1, 1, 1) for i in range(120)]
    assert len(resample(Candles.from_rows(rows), Timeframe.H1)) == 2


def test_resampled_real_1m_equals_binance_1h_bar_for_bar():
    minute = load_candles("BTCUSDT-1m.csv.gz")
    hourly = load_candles("BTCUSDT-1h.csv.gz")
    ours = resample(minute, Timeframe.H1)
    start = np.searchsorted(hourly.open_ms, ours.open_ms[0])
    theirs = hourly[start:start + len(ours)]
    assert len(ours) > 2000
    assert ours.equals(theirs)


def test_higher_bar_becomes_visible_only_at_the_lower_bar_that_closes_it():
    higher = np.array([0, H, 2 * H], dtype=np.int64)
    lower = np.arange(0, 3 * H, 15 * M, dtype=np.int64)
    idx = visible_index(higher, Timeframe.H1, lower, Timeframe.M15)
    # bars 0-2 of the first hour see nothing; bar 3 (45:00-60:00) closes hour 0
    assert idx.tolist() == [-1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 2]
