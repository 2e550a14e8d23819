import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from tests.fakes.shared_data import load_candles
from trading.domain.candles import Candles
from trading.indicators.classic import _ewm_in_python, atr, crossed_above, ema, ema_from_first, rsi, true_range

# Wilder's RSI worked example as printed by StockCharts ("RSI", ChartSchool), closes to 4 decimals
TEXTBOOK_CLOSES = [
    44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931,
    46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521,
    45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
]
TEXTBOOK_RSI = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46,
    41.87, 45.46, 37.30, 33.08, 37.77,
]


def candles(rows: list[tuple[float, float, float]]) -> Candles:
    return Candles.from_rows([(i * 60_000, c, h, l, c, 1.0) for i, (h, l, c) in enumerate(rows)])


def test_ema_is_seeded_with_the_simple_mean_then_smoothed_with_two_over_n_plus_one():
    # period 3: alpha 0.5; seed (2+4+6)/3 = 4; then 4 + .5*(8-4) = 6; 6 + .5*(4-6) = 5
    out = ema(np.array([2.0, 4.0, 6.0, 8.0, 4.0]), 3)
    assert np.isnan(out[:2]).all()
    assert out[2:].tolist() == pytest.approx([4.0, 6.0, 5.0])


def test_ema_of_a_series_shorter_than_its_period_is_all_warm_up():
    assert np.isnan(ema(np.array([1.0, 2.0]), 3)).all()


def test_rsi_matches_wilders_textbook_example():
    out = rsi(np.array(TEXTBOOK_CLOSES), 14)
    assert np.isnan(out[:14]).all()
    assert np.round(out[14:], 2).tolist() == TEXTBOOK_RSI


def test_rsi_is_100_when_price_only_rises_and_50_when_flat():
    assert rsi(np.arange(1.0, 6.0), 3)[3:].tolist() == [100.0, 100.0]
    assert rsi(np.full(6, 7.0), 3)[3:].tolist() == [50.0, 50.0, 50.0]


def test_true_range_reaches_back_to_the_previous_close_across_a_gap():
    # bar 1 gaps up: high-low is 1, but from the previous close 10 to the high 14 is 4
    tr = true_range(candles([(11.0, 9.0, 10.0), (14.0, 13.0, 13.5), (13.6, 12.0, 12.5)]))
    assert tr.tolist() == pytest.approx([2.0, 4.0, 1.6])


def test_atr_seeds_with_the_mean_true_range_of_bars_1_to_n_then_uses_wilder_smoothing():
    rows = [(11.0, 9.0, 10.0), (14.0, 13.0, 13.5), (13.6, 12.0, 12.5), (13.0, 12.0, 12.2), (15.2, 12.2, 15.0)]
    # true ranges 2, 4, 1.6, 1.0, 3.0; ATR(3) at bar 3 = (4 + 1.6 + 1)/3 = 2.2; bar 4 = 2.2 + (3 - 2.2)/3
    out = atr(candles(rows), 3)
    assert np.isnan(out[:3]).all()
    assert out[3:].tolist() == pytest.approx([2.2, 2.2 + 0.8 / 3])


def test_crossed_above_marks_only_the_bar_of_the_cross():
    fast = np.array([np.nan, 1.0, 2.0, 3.0, 3.0, 1.0, 2.0])
    slow = np.array([np.nan, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    assert np.flatnonzero(crossed_above(fast, slow)).tolist() == [3]


@settings(max_examples=15, deadline=None)
@given(cut=st.integers(min_value=1, max_value=5_000))
def test_classic_indicators_on_a_prefix_equal_the_full_history_cut_to_it(cut):
    full = load_candles("BTCUSDT-1m.csv.gz")[:5_000]
    prefix = full[:cut]
    for name, compute in (("ema", lambda c: ema(c.close, 200)), ("rsi", lambda c: rsi(c.close, 14)),
                          ("atr", lambda c: atr(c, 14))):
        assert np.array_equal(compute(prefix), compute(full)[:cut], equal_nan=True), name


@pytest.mark.parametrize("period", [3, 9, 12, 26, 200])
def test_the_python_ema_gives_pandas_ewm_bit_for_bit_on_real_closes(period):
    # the EMA-cross command line computes ema_from_first without pandas: it must be pandas' very numbers
    close = load_candles("BTCUSDT-1m.csv.gz").close
    alpha = 2.0 / (period + 1)

    expected = pd.Series(close).ewm(alpha=alpha, adjust=False).mean().to_numpy()

    assert np.array_equal(_ewm_in_python(close, alpha), expected)
    assert np.array_equal(ema_from_first(close, period), expected)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), max_size=40),
       period=st.integers(1, 30))
def test_the_python_ema_follows_pandas_through_gaps_flat_runs_and_any_period(values, period):
    # a missing value ages the weight; a flat run keeps the mean exactly; alpha 1 is the series itself
    array = np.array(values + values[:5], np.float64)
    gapless = np.nan_to_num(array, nan=1.5)
    alpha = 2.0 / (period + 1)

    expected = pd.Series(array, dtype=np.float64).ewm(alpha=alpha, adjust=False).mean().to_numpy()

    assert np.array_equal(_ewm_in_python(array, alpha), expected, equal_nan=True)
    assert np.array_equal(_ewm_in_python(gapless, alpha),
                          pd.Series(gapless).ewm(alpha=alpha, adjust=False).mean().to_numpy())
