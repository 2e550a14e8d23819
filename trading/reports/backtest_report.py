"""The backtest report chart of a run, thinned to what a phone-wide figure can show."""
from __future__ import annotations

import numpy as np

from trading.backtest.comparison import headline_figures
from trading.backtest.history import MarketHistory
from trading.backtest.runner import BacktestResult
from trading.domain.candles import Candles, Timeframe
from trading.indicators.timeframes import resample
from trading.reports.backtest_charts import backtest_report_chart
from trading.reports.chart_theme import theme_named
from trading.reports.time_axis import utc_span
from trading.reports.trade_markers import closed_trade_markers

MAX_POINTS = 3000          # a 1080 px wide panel shows no more than this
MAX_MARKED_TRADES = 150    # more entry and exit marks hide the price line on a phone


def report_chart(history: MarketHistory, result: BacktestResult, theme: str = "dark") -> bytes:
    """Return the report PNG: price with the trades, equity, drawdown and monthly returns."""
    first = int(np.searchsorted(history.candles.open_ms, result.times_ms[0]))
    end = int(np.searchsorted(history.candles.open_ms, result.times_ms[-1]))
    price = _thinned_candles(history.candles[first:end], history.timeframe)
    times, equity = _thinned_curve(result.times_ms, result.equity)
    m = result.metrics
    subtitle = (f"{result.symbol} {result.timeframe} · {utc_span(m.start_ms, m.end_ms - 1)}\n"
                f"{headline_figures(m)}")
    marked = len(result.trades) <= MAX_MARKED_TRADES
    label = "Price & trades" if marked else f"Price ({len(result.trades):,} trades: too many to mark)"
    return backtest_report_chart(price, times, equity, closed_trade_markers(result.trades) if marked else [],
                                 title=f"Backtest: strategy {result.strategy}", subtitle=subtitle,
                                 theme=theme_named(theme), price_label=label)


def _thinned_candles(candles: Candles, timeframe: Timeframe) -> Candles:
    """Return the candles resampled to the finest timeframe that keeps them under MAX_POINTS."""
    for coarser in Timeframe:
        if coarser.ms >= timeframe.ms and len(candles) * timeframe.ms / coarser.ms <= MAX_POINTS:
            return candles if coarser is timeframe else resample(candles, coarser, include_partial=True)
    return resample(candles, Timeframe.D1, include_partial=True)


def _thinned_curve(times: np.ndarray, equity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return every k-th point of the curve, always keeping the last one."""
    step = max(1, times.size // MAX_POINTS)
    keep = np.r_[np.arange(0, times.size, step), times.size - 1]
    keep = np.unique(keep)
    return times[keep], equity[keep]
