import math
from decimal import Decimal

from trading.backtest.comparison import duration, money, percent, ratio, render_comparison
from trading.backtest.metrics import DAY_MS, BacktestMetrics


def metrics(total: float, trades: int = 10, sharpe: float | None = 1.234) -> BacktestMetrics:
    return BacktestMetrics(
        start_ms=0, end_ms=90 * DAY_MS, start_equity=Decimal(1000), end_equity=Decimal(1000),
        total_return_pct=total, cagr_pct=total * 4, sharpe=sharpe, sortino=None, calmar=math.inf,
        max_drawdown_pct=12.34, max_drawdown_duration_ms=int(3.5 * DAY_MS), trades=trades,
        win_rate_pct=45.0, profit_factor=1.5, avg_reward_risk=2.0, avg_r_multiple=None,
        expectancy=Decimal("12.5"), exposure_pct=33.3, fees_paid=Decimal("12345.6"),
        funding_paid=Decimal("-3.2"), buy_hold_return_pct=-5.0)


def test_values_fit_six_characters():
    assert [percent(12.345), percent(-98.848), percent(1234.4), percent(None)] == ["+12.3%", "-98.8%", "+1234%", "-"]
    assert [ratio(1.234), ratio(-12.345), ratio(math.inf), ratio(250.4)] == ["1.23", "-12.35", "inf", "250"]
    assert [money(Decimal("12.345")), money(Decimal(1234)), money(Decimal("-12345.6"))] == ["12.35", "1234", "-12.3k"]
    assert [duration(5 * 3_600_000), duration(int(3.5 * DAY_MS))] == ["5.0h", "3.5d"]


def test_four_strategies_sit_side_by_side_within_a_phone_width():
    table = render_comparison({"A": metrics(12.3), "B": metrics(-98.85), "C": metrics(4.0),
                               "trend": metrics(250.0, sharpe=None)})

    lines = table.splitlines()
    assert lines[0].split() == ["A", "B", "C", "trend"]
    assert max(len(line) for line in lines) <= 35
    assert lines[1].split() == ["Return", "+12.3%", "-98.8%", "+4.0%", "+250%"]
    assert "Sharpe    1.23   1.23   1.23      -" in table
    assert "Fees     12.3k  12.3k  12.3k  12.3k" in table


def test_more_than_four_strategies_continue_in_a_second_block():
    table = render_comparison({name: metrics(1.0) for name in ("A", "B", "C", "trend", "ema")})

    first, second = table.split("\n\n")
    assert first.splitlines()[0].split() == ["A", "B", "C", "trend"]
    assert second.splitlines()[0].split() == ["ema"]
