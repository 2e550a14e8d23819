"""Strategies side by side, walk-forward out-of-sample folds, and the Monte Carlo of a run's trades."""
from decimal import Decimal

import pytest

from tests.fakes.backtest_bars import SPOT
from tests.fakes.shared_data import load_candles
from trading.backtest.config import BacktestConfig
from trading.backtest.history import history_from_candles
from trading.backtest.montecarlo import Resampling
from trading.backtest.studies import compare, monte_carlo_study, walk_forward_study
from trading.backtest.strategy_specs import spec_named
from trading.backtest.walkforward import parameter_grid
from trading.engine.engine_state import EngineSettings

DAY = 1440


def test_the_comparison_runs_every_strategy_over_the_same_bars():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:20 * DAY])

    results = compare(history, BacktestConfig(SPOT), history.window(None, None))

    assert list(results) == ["A", "B", "C", "trend"]
    assert {r.times_ms[0] for r in results.values()} == {int(history.candles.open_ms[0])}
    assert results["trend"].metrics.trades == 0          # its daily EMA200 needs 200 days


def test_walk_forward_reports_out_of_sample_windows_that_follow_their_in_sample_ones():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:26 * DAY])

    study = walk_forward_study(history, "A", BacktestConfig(SPOT), history.window(None, None), in_days=10,
                               out_days=5)

    folds = study.report.folds
    assert len(folds) == 3                                  # (26 - 10 - 5) // 5 + 1
    for fold in folds:
        assert fold.window.out_start == fold.window.in_end
        assert dict(fold.params) in parameter_grid(spec_named("A").grid)
        assert fold.out_of_sample.times_ms[0] == history.candles.open_ms[fold.window.out_start]
    growth = 1.0
    for fold in folds:
        growth *= 1 + fold.out_of_sample.metrics.total_return_pct / 100
    assert study.compounded_return_pct == pytest.approx((growth - 1) * 100)


def test_walk_forward_on_too_little_data_says_how_much_it_needs():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:12 * DAY])

    with pytest.raises(ValueError, match="at least 40 days of data; the period holds 12"):
        walk_forward_study(history, "A", BacktestConfig(SPOT), history.window(None, None))


def test_monte_carlo_bootstraps_the_trades_by_default():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:30 * DAY])
    # the cost gates off, so that A trades its tight stops and there is something to resample
    ungated = BacktestConfig(SPOT, engine=EngineSettings(max_fee_to_risk_pct=Decimal(0), min_reward_risk=None))
    result = compare(history, ungated, history.window(None, None), ["A"])["A"]

    spread = monte_carlo_study(result, BacktestConfig(SPOT, Decimal("10000")), runs=200)

    assert spread.resampling is Resampling.BOOTSTRAP and spread.trades == result.metrics.trades > 0
    assert spread.final_equity.p5 < spread.final_equity.p50 < spread.final_equity.p95
