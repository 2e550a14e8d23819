import math
from decimal import Decimal

import numpy as np
import pytest

from trading.backtest.metrics import DAY_MS, buy_and_hold_return, compute_metrics, max_drawdown
from trading.backtest.trades import ClosedTrade
from trading.domain.positions import PositionSide


def days(*values: float) -> list[int]:
    return [int(v * DAY_MS) for v in values]


def trade(pnl: str, entry_day: float, exit_day: float, fees: str = "1", funding: str = "0",
          r: str | None = None) -> ClosedTrade:
    return ClosedTrade("BTC/USDT", PositionSide.LONG, int(entry_day * DAY_MS), int(exit_day * DAY_MS),
                       Decimal(100), Decimal(100), Decimal(1), Decimal(pnl), Decimal(fees), Decimal(funding),
                       None if r is None else Decimal(r))


def test_daily_curve_gives_hand_computed_return_ratios_and_drawdown():
    # bar returns +10%, -10%, +10%: mean 1/30, sample sd 0.2/sqrt(3) -> per-bar Sharpe sqrt(3)/6;
    # downside deviation sqrt(0.01/3) -> per-bar Sortino 1/sqrt(3); daily bars -> 365 per year
    metrics = compute_metrics(days(0, 1, 2, 3), [100.0, 110.0, 99.0, 108.9], [])

    assert metrics.total_return_pct == pytest.approx(8.9)
    assert metrics.sharpe == pytest.approx(math.sqrt(3) / 6 * math.sqrt(365))
    assert metrics.sortino == pytest.approx(math.sqrt(365) / math.sqrt(3))
    cagr = 1.089 ** (365 / 3) - 1
    assert metrics.cagr_pct == pytest.approx(cagr * 100)
    assert metrics.max_drawdown_pct == pytest.approx(10.0)        # 110 -> 99
    assert metrics.calmar == pytest.approx(cagr / 0.10)
    assert metrics.max_drawdown_duration_ms == 2 * DAY_MS         # below the day-1 peak until the end


def test_drawdown_duration_is_the_longest_stretch_below_a_peak_up_to_its_recovery():
    # peak 110 on day 1, regained on day 4 (111): 3 days; then 111 -> 90 on day 5: 1 day, but deeper
    depth, duration = max_drawdown(np.array(days(0, 1, 2, 3, 4, 5)),
                                   np.array([100.0, 110.0, 99.0, 105.0, 111.0, 90.0]))

    assert depth == pytest.approx(1 - 90 / 111)
    assert duration == 3 * DAY_MS


def test_a_rising_curve_has_no_drawdown_and_no_sortino():
    metrics = compute_metrics(days(0, 1, 2), [100.0, 101.0, 103.0], [])

    assert metrics.max_drawdown_pct == 0.0
    assert metrics.max_drawdown_duration_ms == 0
    assert metrics.sortino is None and metrics.calmar is None


def test_trade_figures_are_computed_from_the_closed_trades():
    trades = [trade("30", 0, 2, funding="0.5", r="1.5"), trade("-10", 1, 3, funding="-0.25", r="-0.5"),
              trade("20", 5, 6), trade("-20", 9, 12, r="-1")]

    metrics = compute_metrics(days(0, 10), [Decimal(1000), Decimal(1020)], trades)

    assert metrics.trades == 4
    assert metrics.win_rate_pct == 50.0
    assert metrics.profit_factor == pytest.approx(50 / 30)
    assert metrics.avg_reward_risk == pytest.approx(25 / 15)    # average win 25, average loss 15
    assert metrics.avg_r_multiple == 0.0                        # (1.5 - 0.5 - 1) / 3 trades with a stop
    assert metrics.expectancy == Decimal(5)                     # 20 / 4
    assert metrics.fees_paid == Decimal(4)
    assert metrics.funding_paid == Decimal("0.25")
    assert metrics.exposure_pct == pytest.approx(50.0)          # days 0-3, 5-6, 9-10 of 10
    assert metrics.start_equity == Decimal(1000) and metrics.end_equity == Decimal(1020)


def test_only_winners_give_an_infinite_profit_factor_and_no_reward_risk():
    metrics = compute_metrics(days(0, 1), [100.0, 110.0], [trade("10", 0, 1)])

    assert metrics.profit_factor == math.inf
    assert metrics.avg_reward_risk is None and metrics.avg_r_multiple is None


def test_no_trades_leaves_the_trade_figures_empty():
    metrics = compute_metrics(days(0, 1), [100.0, 100.0], [])

    assert metrics.trades == 0 and metrics.win_rate_pct is None and metrics.profit_factor is None
    assert metrics.expectancy is None and metrics.exposure_pct == 0.0 and metrics.fees_paid == 0


def test_buying_and_holding_as_one_trade_returns_buy_and_hold_net_of_fees():
    # 1000 in at 100 with a 0.1% fee: fee 1, 9.99 BTC held; out at 150: 1498.5 with a 1.4985 fee;
    # net 9.99 * (150 - 100) - 2.4985 = 497.0015
    amount, fees = Decimal("9.99"), Decimal("2.4985")
    hold = ClosedTrade("BTC/USDT", PositionSide.LONG, 0, DAY_MS, Decimal(100), Decimal(150), amount,
                       amount * 50 - fees, fees)
    assert hold.pnl == Decimal("497.0015")

    metrics = compute_metrics(days(0, 1), [Decimal(1000), Decimal(1000) + hold.pnl], [hold],
                              buy_hold=buy_and_hold_return(100, 150, 0.001))

    assert metrics.buy_hold_return_pct == pytest.approx(0.999 * 0.999 * 1.5 * 100 - 100)
    assert metrics.total_return_pct == pytest.approx(metrics.buy_hold_return_pct)


def test_an_equity_curve_without_points_is_refused():
    with pytest.raises(ValueError):
        compute_metrics([], [], [])


def test_figures_are_plain_floats_and_decimals_not_numpy_scalars():
    metrics = compute_metrics(np.array(days(0, 1, 2)), np.array([100.0, 90.0, 95.0]), [])

    for name in ("total_return_pct", "cagr_pct", "sharpe", "sortino", "calmar", "max_drawdown_pct"):
        assert type(getattr(metrics, name)) is float, name
    assert type(metrics.max_drawdown_duration_ms) is int
