from decimal import Decimal

import numpy as np
import pytest

from trading.backtest.montecarlo import Resampling, monte_carlo, trade_returns
from trading.backtest.trades import ClosedTrade
from trading.domain.positions import PositionSide


def trades_with(*pnls: str) -> list[ClosedTrade]:
    return [ClosedTrade("BTC/USDT", PositionSide.LONG, i, i + 1, Decimal(1), Decimal(1), Decimal(1),
                        Decimal(p)) for i, p in enumerate(pnls)]


# from 1000: -100 is -10%, -90 is -10% of 900, +405 is +50% of 810; final 1215 in any order.
# Orders with the two losses together ([-,-,+] and [+,-,-]) fall 19% (1 - 0.9 * 0.9);
# the order [-,+,-] falls only 10%. So two thirds of the shuffles draw down 19%, one third 10%.
TWO_LOSSES_ONE_WIN = trades_with("-100", "-90", "405")


def test_returns_are_measured_on_the_equity_before_each_trade():
    assert trade_returns(TWO_LOSSES_ONE_WIN, 1000).tolist() == pytest.approx([-0.1, -0.1, 0.5])


def test_shuffled_drawdowns_match_the_hand_computed_orders():
    result = monte_carlo(TWO_LOSSES_ONE_WIN, Decimal(1000), runs=2000, seed=7)

    assert result.max_drawdown_pct.p5 == pytest.approx(10.0)
    assert result.max_drawdown_pct.p50 == pytest.approx(19.0)
    assert result.max_drawdown_pct.p95 == pytest.approx(19.0)
    assert (result.final_equity.p5, result.final_equity.p95) == pytest.approx((1215.0, 1215.0))


def test_same_seed_gives_the_same_percentiles():
    trades = trades_with(*[str(x) for x in np.random.default_rng(1).normal(2, 20, 200).round(2)])

    first = monte_carlo(trades, 1000, runs=300, seed=42, resampling=Resampling.BOOTSTRAP)
    again = monte_carlo(trades, 1000, runs=300, seed=42, resampling=Resampling.BOOTSTRAP)
    other = monte_carlo(trades, 1000, runs=300, seed=43, resampling=Resampling.BOOTSTRAP)

    assert first == again
    assert first != other


def test_percentiles_are_ordered_and_bootstrap_spreads_the_final_equity():
    trades = trades_with(*[str(x) for x in np.random.default_rng(2).normal(1, 15, 150).round(2)])

    for resampling in Resampling:
        result = monte_carlo(trades, 1000, runs=500, seed=3, resampling=resampling)
        dd, final = result.max_drawdown_pct, result.final_equity
        assert 0 <= dd.p5 <= dd.p50 <= dd.p95 <= 100
        assert final.p5 <= final.p50 <= final.p95
    assert final.p5 < final.p95


def test_shuffling_only_winning_trades_never_draws_down():
    result = monte_carlo(trades_with("10", "25", "5", "40"), 1000, runs=200, seed=0)

    assert result.max_drawdown_pct.p95 == 0.0


def test_no_trades_leave_the_equity_where_it_started():
    result = monte_carlo([], 500, runs=10)

    assert result.final_equity.p50 == 500 and result.max_drawdown_pct.p95 == 0.0
