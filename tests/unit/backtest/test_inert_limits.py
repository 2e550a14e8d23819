"""Limits that no mark can reach are not marked between events, and the backtest comes out the same."""
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from tests.fakes.shared_data import load_candles
from trading.adapters.replay_market_data import replay_instrument
from trading.backtest.config import NO_LIMITS, BacktestConfig, yardstick_config
from trading.backtest.history import history_from_candles
from trading.backtest.limit_watch import limits_inert
from trading.backtest.runner import BacktestResult, scan, simulate
from trading.risk.limits import LimitSettings

JUST_REACHABLE = replace(NO_LIMITS, daily_loss_pct=Decimal("99.99"), max_drawdown_pct=Decimal("99.99"))


@pytest.mark.parametrize(("daily", "drawdown", "futures", "inert"), [
    ("100", "100", False, True), ("250", "100", False, True),
    ("99.99", "100", False, False), ("100", "99.99", False, False), ("100", "100", True, False),
    ("6", "20", False, False)])
def test_only_spot_limits_of_a_full_loss_or_more_are_inert(daily, drawdown, futures, inert):
    limits = LimitSettings(daily_loss_pct=Decimal(daily), max_drawdown_pct=Decimal(drawdown))
    assert limits_inert(limits, futures) is inert


def run(config: BacktestConfig, candles, strategy: str) -> BacktestResult:
    history = history_from_candles("BTC/USDT", candles)
    return simulate(history, scan(history, [strategy])[strategy], config)


def assert_same_run(inert: BacktestResult, marked: BacktestResult) -> None:
    """Assert the trades, refusals and limits hit are equal, and the equity to the last bits, as the walks are."""
    assert inert.trades == marked.trades
    assert inert.rejections == marked.rejections and inert.breaches == marked.breaches == {}
    # each mark also records the curve's level at its bar, in floats: equal to ~2e-16 (test_event_walk_equivalence)
    assert np.allclose(inert.equity, marked.equity, rtol=1e-12, atol=0)
    for name in inert.metrics.__dataclass_fields__:
        value = getattr(inert.metrics, name)
        expected = pytest.approx(getattr(marked.metrics, name), rel=1e-12) if isinstance(value, float) else \
            getattr(marked.metrics, name)
        assert value == expected, name


def test_the_yardstick_on_the_real_file_is_the_same_with_every_stretch_marked():
    candles = load_candles("BTCUSDT-1m.csv.gz")
    config = yardstick_config(BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0]))))
    marked_config = replace(config, engine=replace(config.engine, limits=replace(
        JUST_REACHABLE, timezone=config.engine.limits.timezone)))
    assert limits_inert(config.engine.limits, False) and not limits_inert(marked_config.engine.limits, False)

    inert, marked = run(config, candles, "ema_cross"), run(marked_config, candles, "ema_cross")

    assert inert.metrics.trades == 2249           # down 98.8%: the 99.99% limits are marked but never reached
    assert_same_run(inert, marked)


def test_a_strategy_with_stops_and_event_bars_is_the_same_with_every_stretch_marked():
    candles = load_candles("BTCUSDT-15m.csv.gz")
    base = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])))
    inert_config = replace(base, engine=replace(base.engine, limits=NO_LIMITS))
    marked_config = replace(base, engine=replace(base.engine, limits=JUST_REACHABLE))

    inert, marked = run(inert_config, candles, "trend"), run(marked_config, candles, "trend")

    assert inert.metrics.trades > 10
    assert_same_run(inert, marked)
