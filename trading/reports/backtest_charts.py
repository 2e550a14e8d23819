"""Charts of results: the backtest report (trades on price, equity, drawdown, monthly returns) and the
daily report's equity against buy-and-hold."""
from __future__ import annotations

from typing import Sequence

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from trading.backtest.metrics import DAY_MS, equity_arrays
from trading.backtest.monthly_returns import monthly_returns
from trading.domain.candles import Candles
from trading.reports.chart_theme import DARK, FONT, ChartTheme, new_figure, set_title, style_axes, to_png
from trading.reports.charts import draw_markers, format_price
from trading.reports.monthly_table import draw_monthly_table, table_rows
from trading.reports.overlays import TradeMarker

PANELS_HEIGHT_PX = 1750
TABLE_ROW_PX = 150
EQUITY_CHART_HEIGHT_PX = 1000


def backtest_report_chart(candles: Candles, times_ms: Sequence[int] | np.ndarray,
                          equity: Sequence[float] | np.ndarray, markers: Sequence[TradeMarker] = (), *,
                          title: str = "Backtest", subtitle: str = "", theme: ChartTheme = DARK) -> bytes:
    """Return a PNG with trades on the price, the equity curve, its drawdown and the monthly returns."""
    times, values = equity_arrays(times_ms, equity)
    months = monthly_returns(times, values)
    rows = table_rows(months)
    table_px = TABLE_ROW_PX * len(rows)
    figure = new_figure(theme, PANELS_HEIGHT_PX + table_px)
    grid = figure.add_gridspec(4, 1, height_ratios=(560, 560, 260, max(table_px, 1)), hspace=0.16,
                               left=0.06, right=0.84, top=1 - 150 / figure.bbox.height, bottom=0.02)
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
    for axes, label in ((price, "Price & trades"), (curve, "Equity"), (drawdown, "Drawdown")):
        axes.set_title(label, color=theme.muted, fontsize=FONT, loc="left")
        _date_axis(axes, theme, labelled=axes is drawdown)
    draw_monthly_table(table, rows, theme)
    set_title(figure, theme, title, subtitle)
    return to_png(figure)


def equity_chart(times_ms: Sequence[int] | np.ndarray, equity: Sequence[float] | np.ndarray,
                 benchmark: Sequence[float] | np.ndarray, *, title: str = "Equity vs buy & hold",
                 theme: ChartTheme = DARK) -> bytes:
    """Return a PNG of the equity's percent change against holding the asset (benchmark prices) over the same times."""
    times, values = equity_arrays(times_ms, equity)
    prices = np.asarray(benchmark, dtype=np.float64)
    if prices.shape != values.shape:
        raise ValueError("the benchmark needs one price per equity point")
    mine, hold = (values / values[0] - 1) * 100, (prices / prices[0] - 1) * 100
    figure = new_figure(theme, EQUITY_CHART_HEIGHT_PX)
    axes = figure.add_axes((0.06, 0.1, 0.78, 0.72))
    style_axes(axes, theme)
    x = _days(times)
    axes.plot(x, hold, color=theme.benchmark, linewidth=2.5, label=f"buy & hold {hold[-1]:+.2f}%")
    axes.plot(x, mine, color=theme.line, linewidth=3, label=f"strategy {mine[-1]:+.2f}%")
    axes.axhline(0, color=theme.muted, linewidth=1)
    axes.yaxis.set_major_formatter(PercentFormatter(100))
    axes.yaxis.set_major_locator(MaxNLocator(6))
    legend = axes.legend(loc="upper left", fontsize=FONT, frameon=False)
    for text, colour in zip(legend.get_texts(), (theme.benchmark, theme.line)):
        text.set_color(colour)
    _date_axis(axes, theme, labelled=True)
    set_title(figure, theme, title, f"{_utc_day(times[0])} to {_utc_day(times[-1])} UTC")
    return to_png(figure)


def _draw_drawdown(axes: Axes, times: np.ndarray, values: np.ndarray, theme: ChartTheme) -> None:
    """Fill the fall from the running peak, in percent below zero."""
    depth = (values / np.maximum.accumulate(values) - 1) * 100
    axes.fill_between(_days(times), depth, 0, color=theme.drawdown, alpha=0.45, linewidth=0)
    axes.plot(_days(times), depth, color=theme.drawdown, linewidth=1.2)
    axes.set_ylim(min(float(depth.min()) * 1.1, -1.0), 0)
    axes.yaxis.set_major_locator(MaxNLocator(3))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))


def _date_axis(axes: Axes, theme: ChartTheme, labelled: bool) -> None:
    """Put a few concise UTC date labels on the x axis, or hide them on upper panels."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes.tick_params(axis="x", labelbottom=labelled, labelsize=FONT)


def _days(times_ms: Sequence[int] | np.ndarray) -> np.ndarray:
    """Return epoch ms as matplotlib date numbers (days since its default 1970 epoch)."""
    return np.asarray(times_ms, dtype=np.float64) / DAY_MS


def _utc_day(ms: int) -> str:
    """Return the UTC date of ms as YYYY-MM-DD."""
    return str(np.datetime64(int(ms), "ms").astype("datetime64[D]"))
