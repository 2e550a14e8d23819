"""The evaluation chart: the out-of-sample equity beside buy and hold, and where it falls among random entries."""
from __future__ import annotations

import numpy as np

from trading.backtest.evaluation import Evaluation
from trading.backtest.random_baseline import ordinal
from trading.domain.figures import signed
from trading.reports.backtest_charts import percent_axis
from trading.reports.chart_theme import FONT, new_figure, set_title, style_axes, theme_named, to_png
from trading.reports.time_axis import date_number_axis, utc_span

HEIGHT_PX = 1600
BINS = 30


def evaluation_chart(evaluation: Evaluation, theme_name: str = "dark") -> bytes:
    """Return a PNG: out-of-sample equity and buy and hold in percent, then the random runs' returns."""
    theme = theme_named(theme_name)
    e, b = evaluation, evaluation.baseline
    figure = new_figure(theme, HEIGHT_PX)
    grid = figure.add_gridspec(2, 1, height_ratios=(3, 2), hspace=0.3, left=0.06, right=0.84, top=0.86, bottom=0.06)
    curve, spread = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    for axes in (curve, spread):
        style_axes(axes, theme)
    x = np.asarray(e.curve_ms, dtype=np.float64) / 86_400_000
    mine = (e.curve / e.curve[0] - 1) * 100
    hold = (e.prices / e.prices[0] - 1) * 100
    curve.plot(x, hold, color=theme.benchmark, linewidth=2.5,
               label=f"Buy and hold {signed(e.buy_and_hold_return_pct, 1, '%')}")
    curve.plot(x, mine, color=theme.line, linewidth=3, label=f"{e.strategy} out of sample {signed(mine[-1], 1, '%')}")
    curve.axhline(0, color=theme.muted, linewidth=1)
    percent_axis(curve, np.r_[hold, mine])
    legend = curve.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2, fontsize=FONT, frameon=False)
    for text, colour in zip(legend.get_texts(), (theme.benchmark, theme.line)):
        text.set_color(colour)
    date_number_axis(curve, int(e.curve_ms[0]), int(e.curve_ms[-1]))
    spread.hist(b.returns_pct, bins=BINS, color=theme.muted, alpha=0.8)
    spread.axvline(b.strategy_return_pct, color=theme.line, linewidth=3)
    spread.set_title(f"{b.runs} random-entry runs: {e.strategy} at the {ordinal(b.percentile)} percentile",
                     color=theme.muted, fontsize=FONT, loc="left")
    width = float(np.ptp(np.r_[b.returns_pct, b.strategy_return_pct]))
    decimals = 0 if width >= 10 else 1 if width >= 1 else 2
    spread.xaxis.set_major_formatter(lambda v, _: signed(v, decimals, '%'))
    subtitle = f"{e.symbol} · {utc_span(int(e.curve_ms[0]), int(e.curve_ms[-1]))} · {e.trades} trades"
    set_title(figure, theme, f"Evaluation: strategy {e.strategy}", subtitle)
    return to_png(figure)
