"""Loading a backtest's history: its timeframe from the data, coarser bars refined by the 1m ones, windows."""
import pytest

from tests.fakes.shared_data import load_candles, shared_data_path
from trading.backtest.history import history_from_candles, read_candles, read_funding
from trading.domain.candles import Timeframe
from trading.domain.errors import ConfigurationError


def test_the_timeframe_is_read_from_the_data_and_coarser_bars_keep_the_minutes():
    minutes = load_candles("BTCUSDT-1m.csv.gz")[:3_000]

    own = history_from_candles("BTC/USDT", minutes)
    hourly = history_from_candles("BTC/USDT", minutes, Timeframe.H1)

    assert own.timeframe is Timeframe.M1 and own.minutes is None
    assert hourly.timeframe is Timeframe.H1 and len(hourly.candles) == 50 and hourly.minutes is minutes
    assert hourly.view().frames.keys() == {Timeframe.H1, Timeframe.M1}


def test_data_cannot_be_walked_on_a_finer_timeframe_than_its_own():
    hourly = load_candles("BTCUSDT-1h.csv.gz")[:100]

    with pytest.raises(ConfigurationError, match="the data is 1h candles; it cannot be backtested on the finer 15m"):
        history_from_candles("BTC/USDT", hourly, Timeframe.M15)


def test_a_window_outside_the_data_names_the_span_there_is():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:3_000])

    with pytest.raises(ValueError, match="data covers 2025-05-20 to 2025-05-22"):
        history.window(1_800_000_000_000, None)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(ConfigurationError, match="no such data file"):
        read_candles(tmp_path / "nothing.csv.gz")
    rates = read_funding(shared_data_path("BTCUSDT-PERP-funding-8h.csv.gz"))
    assert str(rates.rate_at(int(rates.times_ms[10]))) == repr(float(rates.rates[10]))
