import numpy as np
from hypothesis import given, settings, strategies as st

from tests.fakes.shared_data import load_candles
from trading.domain.candles import Candles, Timeframe
from trading.indicators.regime import Regime, daily_regime, regime_at, regime_for
from trading.indicators.timeframes import resample

D = Timeframe.D1.ms
H = Timeframe.H1.ms


def daily(closes: list[float]) -> Candles:
    return Candles.from_rows([(i * D, c, c, c, c, 1.0) for i, c in enumerate(closes)])


def test_regime_is_bull_above_the_ema_bear_at_or_below_and_unknown_while_warming_up():
    # EMA(3): seed 11 at day 2 (close 12 > 11: bull); day 3: 10 (close 9: bear); day 4: 12.5 (15: bull);
    # day 5: 12.5 + .5*(12.5-12.5) = 12.5 with close 12.5: equal is bear
    codes = daily_regime(daily([10, 11, 12, 9, 15, 12.5]), period=3)
    assert codes.tolist() == [0, 0, 1, -1, 1, -1]


def test_a_daily_regime_reaches_hourly_bars_only_at_the_close_of_its_day():
    days = daily([10, 11, 12, 9])
    hours = np.arange(0, 4 * D, H, dtype=np.int64)
    seen = regime_for(days, hours, Timeframe.H1, period=3)
    # day 2 (bull) closes at 3D: the hour opening at 3D - 1h is the first to see it; day 3 is bear from 4D - 1h
    assert seen[3 * 24 - 2] == 0
    assert seen[3 * 24 - 1] == 1
    assert seen[4 * 24 - 2] == 1
    assert seen[4 * 24 - 1] == -1


def test_regime_at_a_moment_reads_the_newest_closed_day():
    days = daily([10, 11, 12, 9])
    assert regime_at(days, 3 * D - 1, period=3) is Regime.UNKNOWN
    assert regime_at(days, 3 * D, period=3) is Regime.BULL
    assert regime_at(days, 4 * D, period=3) is Regime.BEAR


def test_btc_regime_from_real_hourly_candles_has_both_sides_after_warm_up():
    codes = daily_regime(resample(load_candles("BTCUSDT-1h.csv.gz"), Timeframe.D1))
    assert (codes[:199] == 0).all() and (codes[199:] != 0).all()
    assert 0.2 < (codes[199:] > 0).mean() < 0.8


@settings(max_examples=10, deadline=None)
@given(cut_hours=st.integers(min_value=1, max_value=24 * 400))
def test_regime_on_hourly_bars_never_depends_on_days_not_yet_closed(cut_hours):
    hourly = load_candles("BTCUSDT-1h.csv.gz")[: 24 * 400]
    days = resample(hourly, Timeframe.D1)
    full = regime_for(days, hourly.open_ms, Timeframe.H1, period=20)
    prefix = hourly[:cut_hours]
    seen = regime_for(resample(prefix, Timeframe.D1), prefix.open_ms, Timeframe.H1, period=20)
    assert np.array_equal(seen, full[:cut_hours])
