import numpy as np
import pytest

from tests.fakes.shared_data import load_candles
from tests.unit.reports.png_checks import assert_phone_png
from tests.fakes.ema_cross_oracle import ema_cross, equity_curve
from trading.domain.positions import PositionSide
from trading.reports.backtest_charts import backtest_report_chart, equity_chart, percent_axis
from trading.reports.chart_theme import DARK, LIGHT, new_figure
from trading.reports.overlays import MarkerAction, TradeMarker


def yardstick_run(bars: int):
    candles = load_candles("BTCUSDT-1m.csv.gz")[:bars]
    result = ema_cross(candles)
    markers = [TradeMarker(int(candles.open_ms[i]), p, PositionSide.LONG, action)
               for indexes, prices, action in ((result.entry_index, result.entry_price, MarkerAction.ENTRY),
                                                (result.exit_index, result.exit_price, MarkerAction.EXIT))
               for i, p in zip(indexes, prices)]
    return candles, equity_curve(candles, result, 1000.0), markers


def test_backtest_report_renders_to_a_phone_png_in_both_themes():
    candles, equity, markers = yardstick_run(60_000)       # six weeks: two calendar months and more

    for theme in (DARK, LIGHT):
        png = backtest_report_chart(candles, candles.open_ms, equity, markers[:200], title="EMA cross",
                                    subtitle="BTC/USDT 1m", theme=theme)
        assert_phone_png(png)


def test_equity_against_buy_and_hold_renders_to_a_phone_png_in_both_themes():
    candles, equity, _ = yardstick_run(5_000)

    for theme in (DARK, LIGHT):
        assert_phone_png(equity_chart(candles.open_ms, equity, candles.close, theme=theme))


def test_a_benchmark_of_another_length_is_refused():
    with pytest.raises(ValueError):
        equity_chart([0, 1], [1.0, 2.0], np.array([1.0]))


def test_a_flat_day_gets_a_percent_axis_of_at_least_one_point_with_few_decimals():
    axes = new_figure(DARK, 900).add_subplot()

    percent_axis(axes, np.array([0.0, 0.001, -0.002, 0.003]))       # thousandths of a percent

    low, high = axes.get_ylim()
    assert high - low >= 1.0
    labels = [axes.yaxis.get_major_formatter()(v, 0) for v in axes.get_yticks()]
    assert "0%" in labels and all(len(label.split(".")[-1]) <= 2 for label in labels if "." in label)
    assert not any("0.00" in label for label in labels)

