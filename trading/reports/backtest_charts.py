"""Charts of results: the backtest report (trades on price, equity, drawdown, monthly returns) and the
daily report's equity against buy-and-hold."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from trading.backtest.comparison import LABELS
from trading.backtest.metrics import DAY_MS, equity_arrays
from trading.backtest.monthly_returns import monthly_returns
from trading.domain.candles import Candles
from trading.domain.figures import signed
from trading.reports.chart_theme import DARK, FONT, ChartTheme, new_figure, set_title, style_axes, to_png
from trading.reports.charts import draw_markers, format_price
from trading.reports.monthly_table import draw_monthly_table, table_rows
from trading.reports.overlays import TradeMarker
from trading.reports.time_axis import date_number_axis, utc_span

PANELS_HEIGHT_PX = 1790
HEADER_PX = 190            # the title and a two-line subtitle: what ran, and its headline figures
MIN_PERCENT_SPAN = 1.0     # percentage points: a day that moved 0.003% does not fill the chart
TABLE_ROW_PX = 150
EQUITY_CHART_HEIGHT_PX = 1000


def backtest_report_chart(candles: Candles, times_ms: Sequence[int] | np.ndarray,
                          equity: Sequence[float] | np.ndarray, markers: Sequence[TradeMarker] = (), *,
                          title: str = "Backtest", subtitle: str = "", theme: ChartTheme = DARK,
                          price_label: str = "Price & trades") -> bytes:
    """Return a PNG with trades on the price, the equity curve, its drawdown and the monthly returns."""
    times, values = equity_arrays(times_ms, equity)
    months = monthly_returns(times, values)
    rows = table_rows(months)
    table_px = TABLE_ROW_PX * len(rows)
    figure = new_figure(theme, PANELS_HEIGHT_PX + table_px)
    grid = figure.add_gridspec(4, 1, height_ratios=(560, 560, 260, max(table_px, 1)), hspace=0.16,
                               left=0.06, right=0.84, top=1 - HEADER_PX / figure.bbox.height, bottom=0.02)
    price = figure.add_subplot(grid[0])
    curve, drawdown = (figure.add_subplot(grid[i], sharex=price) for i in (1, 2))
    table = figure.add_subplot(grid[3])
    for axes in (price, curve, drawdown):
        style_axes(axes, theme)
    price.plot(_days(candles.open_ms), candles.close, color=theme.line, linewidth=1.5)
    draw_markers(price, _days([m.ts_ms for m in markers]), markers, theme)
    price.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_price(v)))
    curve.plot(_days(times), values, color=theme.line, linewidth=2)
    curve.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_price(v) if abs(v) < 100 else f"{v:,.0f}"))
    _draw_drawdown(drawdown, times, values, theme)
    for axes, label in ((price, price_label), (curve, "Equity"), (drawdown, "Drawdown")):
        axes.set_title(label, color=theme.muted, fontsize=FONT, loc="left")
        date_number_axis(axes, int(times[0]), int(times[-1]), labelled=axes is drawdown)
    draw_monthly_table(table, rows, theme)
    set_title(figure, theme, title, subtitle)
    return to_png(figure)


def equity_chart(times_ms: Sequence[int] | np.ndarray, equity: Sequence[float] | np.ndarray,
                 benchmark: Sequence[float] | np.ndarray, *, title: str = "Equity vs buy and hold",
                 theme: ChartTheme = DARK) -> bytes:
    """Return a PNG of the equity's percent change against holding the asset (benchmark prices) over the same times."""
    times, values = equity_arrays(times_ms, equity)
    prices = np.asarray(benchmark, dtype=np.float64)
    if prices.shape != values.shape:
        raise ValueError("the benchmark needs one price per equity point")
    mine, hold = (values / values[0] - 1) * 100, (prices / prices[0] - 1) * 100
    figure = new_figure(theme, EQUITY_CHART_HEIGHT_PX)
    axes = figure.add_axes((0.06, 0.12, 0.78, 0.7))
    style_axes(axes, theme)
    x = _days(times)
    axes.plot(x, hold, color=theme.benchmark, linewidth=2.5, label=f"{LABELS['buy_hold_return_pct']} "
                                                                     f"{_signed_pct(hold[-1])}")
    axes.plot(x, mine, color=theme.line, linewidth=3, label=f"Account {_signed_pct(mine[-1])}")
    axes.axhline(0, color=theme.muted, linewidth=1)
    percent_axis(axes, np.r_[hold, mine])
    legend = axes.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2, fontsize=FONT, frameon=False)
    for text, colour in zip(legend.get_texts(), (theme.benchmark, theme.line)):
        text.set_color(colour)
    date_number_axis(axes, int(times[0]), int(times[-1]))
    set_title(figure, theme, title, utc_span(int(times[0]), int(times[-1])))
    return to_png(figure)


def percent_axis(axes: Axes, values: np.ndarray) -> None:
    """Scale a percent axis to at least MIN_PERCENT_SPAN points, so flat lines stay flat, with few decimals."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    if high - low < MIN_PERCENT_SPAN:
        middle = (high + low) / 2
        low, high = middle - MIN_PERCENT_SPAN / 2, middle + MIN_PERCENT_SPAN / 2
    pad = (high - low) * 0.08
    axes.set_ylim(low - pad, high + pad)
    axes.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 5, 10], min_n_ticks=4))
    decimals = 0 if high - low >= 5 else 1 if high - low >= 0.5 else 2
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: signed(v, decimals, '%') if v else "0%"))


def _signed_pct(value: float) -> str:
    """Return a percent with its sign, never -0.00%."""
    return signed(value, 2, "%")


def _draw_drawdown(axes: Axes, times: np.ndarray, values: np.ndarray, theme: ChartTheme) -> None:
    """Fill the fall from the running peak, in percent below zero."""
    depth = (values / np.maximum.accumulate(values) - 1) * 100
    axes.fill_between(_days(times), depth, 0, color=theme.drawdown, alpha=0.45, linewidth=0)
    axes.plot(_days(times), depth, color=theme.drawdown, linewidth=1.2)
    axes.set_ylim(min(float(depth.min()) * 1.1, -1.0), 0)
    axes.yaxis.set_major_locator(MaxNLocator(3))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))


def _days(times_ms: Sequence[int] | np.ndarray) -> np.ndarray:
    """Return epoch ms as matplotlib date numbers (days since its default 1970 epoch)."""
    return np.asarray(times_ms, dtype=np.float64) / DAY_MS

