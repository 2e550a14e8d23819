"""The EMA-cross yardstick through the one engine (scan, rules decider, all-in sizing without stops, paper
broker with tick and lot rounding), checked against the vectorised oracle other backtesters agree with."""
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.fakes.ema_cross_oracle import ema_cross
from tests.fakes.shared_data import load_candles
from tests.unit.backtest.test_ema_cross_oracle import hand_built
from trading.adapters.replay_market_data import replay_instrument
from trading.backtest.config import BacktestConfig
from trading.backtest.history import history_from_candles
from trading.backtest.runner import backtest
from trading.backtest.strategy_specs import spec_named
from trading.engine.engine_state import EngineSettings
from trading.risk.limits import LimitSettings
from trading.risk.sizing import SizingSettings

MINUTE = 60_000
FEE = Decimal("0.001")


def test_hand_built_series_trades_all_in_at_the_next_opens_with_hand_computed_money():
    candles = hand_built()
    config = BacktestConfig(replay_instrument("X/USDT", 10.0), Decimal(10_000))

    result = backtest(history_from_candles("X/USDT", candles), "ema_cross", config, params={"fast": 1, "slow": 3})

    first, second = result.trades
    # bar 4's cross fills at bar 5's open 11.5: 10,000 buys floor(10,000 / (11.5 * 1.001), 0.01) = 868.69,
    # paying 9,989.935 + fee 9.989935; bar 6's cross sells at bar 7's open 9.5 for 8,252.555 - fee 8.252555
    assert (first.entry_ms, first.entry_price, first.amount) == (5 * MINUTE, Decimal("11.5"), Decimal("868.69"))
    assert (first.exit_ms, first.exit_price, first.exit_reason) == (7 * MINUTE, Decimal("9.5"), "exit_signal")
    assert first.fees == Decimal("9.989935") + Decimal("8.252555")
    assert first.pnl == Decimal("-1755.62249")
    # the 8,244.37751 left buys 748.74 at bar 9's open 11; the end of the data sells them at the last close 12
    assert (second.entry_ms, second.amount, second.exit_ms) == (9 * MINUTE, Decimal("748.74"), 10 * MINUTE)
    assert (second.exit_price, second.exit_reason, second.r_multiple) == (Decimal(12), "end_of_data", None)
    assert result.metrics.end_equity == Decimal("8975.89649")
    assert result.signals == 3 and result.rejections == {}


def test_the_real_file_gives_the_oracles_2249_trades_at_the_same_times_and_prices():
    candles = load_candles("BTCUSDT-1m.csv.gz")
    oracle = ema_cross(candles)

    result = backtest(history_from_candles("BTC/USDT", candles), "ema_cross",
                      BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0]))))

    assert result.metrics.trades == oracle.trades == 2249
    assert [t.entry_ms for t in result.trades] == candles.open_ms[oracle.entry_index].tolist()
    assert [t.exit_ms for t in result.trades] == candles.open_ms[oracle.exit_index].tolist()
    assert [float(t.entry_price) for t in result.trades] == oracle.entry_price.tolist()
    assert [float(t.exit_price) for t in result.trades] == oracle.exit_price.tolist()
    assert round(oracle.total_return * 100, 2) == -98.85
    # the lot step (0.00001 BTC, about 1.2 USDT) leaves a little cash out of each trade: -98.84%
    assert result.metrics.total_return_pct == pytest.approx(-98.85, abs=0.015)


def test_on_a_fine_lot_step_only_the_fee_convention_separates_engine_and_oracle():
    # the oracle buys (1 - fee) of the equity; the paper broker, like an exchange's quote-amount buy,
    # buys equity / (1 + fee): a round trip keeps (1 - fee) / (1 + fee) instead of (1 - fee)^2
    candles = load_candles("BTCUSDT-1m.csv.gz")
    oracle = ema_cross(candles)
    instrument = replace(replay_instrument("BTC/USDT", float(candles.close[0])), amount_step=Decimal("1E-8"),
                         min_amount=Decimal("1E-8"))

    result = backtest(history_from_candles("BTC/USDT", candles), "ema_cross", BacktestConfig(instrument))

    growth = float(result.metrics.end_equity / result.metrics.start_equity)
    convention = (1 / (1 - float(FEE) ** 2)) ** oracle.trades
    assert growth == pytest.approx((1 + oracle.total_return) * convention, rel=1e-5)


def test_the_yardstick_keeps_its_rules_whatever_the_accounts_risk_settings():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:20_000]
    strict = EngineSettings(sizing=SizingSettings(risk_per_trade_pct=Decimal("0.5")),
                            limits=LimitSettings(max_drawdown_pct=Decimal(2), loss_streak=2))
    config = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])), engine=strict)

    result = backtest(history_from_candles("BTC/USDT", candles), "ema_cross", config)

    assert result.metrics.trades == ema_cross(candles).trades and result.breaches == {}
    assert spec_named("EMA_Cross").config(config).engine.sizing.all_in
    assert all(t.exit_reason in ("exit_signal", "end_of_data") for t in result.trades)
