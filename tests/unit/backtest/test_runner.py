"""Whole backtests: buy-and-hold through the engine equals buy-and-hold net of fees; no look-ahead on real data."""
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from tests.fakes.backtest_bars import NO_LIMITS, SPOT, long_signal, plain_config
from tests.fakes.shared_data import load_candles
from trading.backtest.config import BacktestConfig
from trading.backtest.history import MarketHistory, history_from_candles
from trading.backtest.runner import backtest, scan, simulate
from trading.domain.candles import Candles, Timeframe
from trading.engine.engine_state import EngineSettings
from trading.engine.slippage import NO_SLIPPAGE
from trading.risk.protective_stops import ProtectionSettings
from trading.risk.sizing import SizingSettings

HOLD_ONLY = ProtectionSettings(hard_stop_pct=Decimal("99"), soft_stop_pct=Decimal("98"), take_profit_zone_pct=None,
                               trailing_activation_pct=None, trailing_activation_r=None,
                               partial_take_profit_r=None, break_even_r=None)


def gapless(candles: Candles) -> Candles:
    """Return real closes as bars that open at the previous close, so a fill at the open is the signal's price."""
    opens = np.r_[candles.close[0], candles.close[:-1]]
    return Candles(candles.open_ms, opens, np.maximum(opens, candles.close), np.minimum(opens, candles.close),
                   candles.close, candles.volume)


def test_a_buy_and_hold_backtest_returns_buy_and_hold_net_of_fees():
    candles = gapless(load_candles("BTCUSDT-1m.csv.gz")[:3_000])
    history = MarketHistory("BTC/USDT", Timeframe.M1, candles)
    market = replace(SPOT, amount_step=Decimal("0.00000001"))
    all_in = EngineSettings(SizingSettings(risk_per_trade_pct=Decimal(100)), NO_LIMITS, HOLD_ONLY,
                            cash_buffer_pct=Decimal(0), slippage=NO_SLIPPAGE)
    config = replace(plain_config(market), engine=all_in)
    first_price = Decimal(repr(float(candles.close[0])))
    signal = long_signal(int(candles.open_ms[1]), str(first_price), "1", "10000000", timeframe="1m")

    result = simulate(history, [signal], config, window=(1, len(candles)))

    last = Decimal(repr(float(candles.close[-1])))
    amount = (Decimal(10_000) / (first_price * Decimal("1.001"))).quantize(Decimal("0.00000001"), "ROUND_DOWN")
    left_over = Decimal(10_000) - amount * first_price * Decimal("1.001")
    assert result.trades[0].amount == amount
    assert result.metrics.end_equity == pytest.approx(left_over + amount * last * Decimal("0.999"), abs=Decimal("1e-6"))
    # all in at the first open, out at the last close, 0.1% on the cost and on the proceeds
    net_of_fees = (float(last / first_price) * 0.999 / 1.001 - 1) * 100
    assert result.metrics.total_return_pct == pytest.approx(net_of_fees, abs=1e-6)
    # the metrics' yardstick takes the fee from the value on both sides, (1 - f)^2, where the account adds
    # it to the cost, 1 / (1 + f): the two differ by f^2 of the value, 0.0001%
    assert result.metrics.buy_hold_return_pct == pytest.approx(net_of_fees, abs=2e-4)


def test_a_backtest_on_a_prefix_trades_exactly_as_the_full_run_did_up_to_then():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:40_000]
    config = BacktestConfig(SPOT, engine=EngineSettings(limits=NO_LIMITS, max_fee_to_risk_pct=Decimal(0)))
    full = backtest(history_from_candles("BTC/USDT", candles), "A", config)
    prefix = backtest(history_from_candles("BTC/USDT", candles[:30_000]), "A", config)

    cut = int(candles.open_ms[29_999])
    settled = [t for t in prefix.trades if t.exit_ms <= cut]
    assert len(settled) >= 5
    assert settled == list(full.trades[: len(settled)])
    np.testing.assert_allclose(prefix.equity[:-2], full.equity[: prefix.equity.size - 2])


def test_the_window_trades_only_signals_known_inside_it_and_measures_only_its_bars():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:40_000]
    history = history_from_candles("BTC/USDT", candles)
    start, end = int(candles.open_ms[20_000]), int(candles.open_ms[35_000])

    result = backtest(history, "a", BacktestConfig(SPOT), start_ms=start, end_ms=end)

    assert result.strategy == "A"
    assert result.times_ms[0] == start and result.times_ms[-1] == end
    assert all(start <= t.entry_ms and t.exit_ms <= end for t in result.trades)
    inside = [s for s in scan(history, ["A"])["A"] if start <= s.known_at_ms < end]
    assert result.signals == len(inside) > 0


def test_an_unknown_strategy_is_refused_with_the_names():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:500])

    with pytest.raises(ValueError, match="use one of A, B, C, trend"):
        backtest(history, "Z", BacktestConfig(SPOT))
