import math
from dataclasses import fields
from decimal import Decimal

from trading.backtest.comparison import (LABEL_WIDTH, LABELS, duration, headline_figures, money, percent,
                                         ratio, render_comparison)
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


def test_every_metric_is_labelled_in_words_traders_read():
    table = render_comparison({"A": metrics(12.3)})

    labels = [line[:LABEL_WIDTH].strip() for line in table.splitlines()[1:]]
    assert labels == ["Total return", "Buy and hold", "CAGR", "Max drawdown", "Drawdown duration", "Sharpe",
                      "Sortino", "Calmar", "Trades", "Win rate", "Profit factor", "Average win/loss", "Average R",
                      "Expectancy", "Exposure", "Fees", "Funding"]
    assert set(LABELS) == {f.name for f in fields(BacktestMetrics)} - {"start_ms", "end_ms", "start_equity",
                                                                        "end_equity"}


def test_four_strategies_sit_in_two_even_blocks_within_a_phone_width():
    table = render_comparison({"A": metrics(12.3), "B": metrics(-98.85), "C": metrics(4.0),
                               "trend": metrics(250.0, sharpe=None)})

    first, second = table.split("\n\n")
    assert first.splitlines()[0].split() == ["A", "B"] and second.splitlines()[0].split() == ["C", "trend"]
    assert max(len(line) for line in table.splitlines()) <= 40
    assert first.splitlines()[1].split() == ["Total", "return", "+12.3%", "-98.8%"]
    assert "Sharpe               1.23      -" in second
    assert "Fees                12.3k  12.3k" in second


def test_five_strategies_fill_a_block_of_three_then_two():
    table = render_comparison({name: metrics(1.0) for name in ("A", "B", "C", "trend", "ema")})

    first, second = table.split("\n\n")
    assert first.splitlines()[0].split() == ["A", "B", "C"]
    assert second.splitlines()[0].split() == ["trend", "ema"]
    assert max(len(line) for line in table.splitlines()) <= 40


def test_headline_figures_use_the_table_labels():
    assert headline_figures(metrics(12.3)) == ("Total return +12.3% · Buy and hold -5.0% · Max drawdown 12.3% · "
                                               "Trades 10")
