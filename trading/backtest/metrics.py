"""Performance metrics of a backtest from its equity curve and its closed trades.

Conventions (crypto trades every day, so a year is 365 days of 24 hours):
- returns are simple per-bar returns of the equity curve; the bar length is the median spacing
  of the timestamps, and ratios are annualised with sqrt(bars per year);
- Sharpe = mean / sample standard deviation (ddof=1) of the bar returns, risk-free rate 0;
- Sortino = mean / downside deviation, where the downside deviation is sqrt(mean(min(r, 0)^2))
  over all bars (target return 0, the Sortino-Price definition);
- CAGR compounds the total return over the span from the first to the last timestamp;
- Calmar = CAGR / maximum drawdown (both as fractions);
- the drawdown duration is the longest time spent below a previous equity peak, from the peak
  to the bar that regains it (or to the end when it is never regained).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

import numpy as np

from trading.backtest.trades import ClosedTrade

DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS


@dataclass(frozen=True, slots=True)
class BacktestMetrics:
    """The figures of one backtest; percentages are in percent, money in quote currency."""

    start_ms: int
    end_ms: int
    start_equity: Decimal
    end_equity: Decimal
    total_return_pct: float
    cagr_pct: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown_pct: float
    max_drawdown_duration_ms: int
    trades: int
    win_rate_pct: float | None
    profit_factor: float | None          # inf when there are wins and no losses
    avg_reward_risk: float | None        # average win / average loss, in quote
    avg_r_multiple: float | None         # mean R of the trades that had a stop
    expectancy: Decimal | None           # mean net result per trade
    exposure_pct: float
    fees_paid: Decimal
    funding_paid: Decimal
    buy_hold_return_pct: float | None


def compute_metrics(times_ms: Sequence[int] | np.ndarray, equity: Sequence[Decimal | float] | np.ndarray,
                    trades: Sequence[ClosedTrade], *, buy_hold: float | None = None) -> BacktestMetrics:
    """Return the metrics of an equity curve (one point per bar) and its closed trades.

    buy_hold is the same period's buy-and-hold return as a fraction (see buy_and_hold_return).
    """
    times, values = equity_arrays(times_ms, equity)
    start_ms, end_ms = int(times[0]), int(times[-1])
    total = float(values[-1] / values[0] - 1.0)
    cagr = compound_annual_growth(total, end_ms - start_ms)
    returns = np.diff(values) / values[:-1]
    per_year = bars_per_year(times)
    max_dd, dd_ms = max_drawdown(times, values)
    trade_figures = _trade_figures(trades)
    return BacktestMetrics(
        start_ms=start_ms, end_ms=end_ms,
        start_equity=_as_money(equity[0]), end_equity=_as_money(equity[-1]),
        total_return_pct=total * 100, cagr_pct=None if cagr is None else cagr * 100,
        sharpe=sharpe_ratio(returns, per_year), sortino=sortino_ratio(returns, per_year),
        calmar=None if cagr is None or max_dd == 0 else cagr / max_dd,
        max_drawdown_pct=max_dd * 100, max_drawdown_duration_ms=dd_ms,
        exposure_pct=exposure(trades, start_ms, end_ms) * 100,
        buy_hold_return_pct=None if buy_hold is None else buy_hold * 100,
        **trade_figures)


def equity_arrays(times_ms: Sequence[int] | np.ndarray, equity: Sequence[Decimal | float] | np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Return an equity curve as int64 times and float64 values, refusing an empty or mismatched one."""
    times = np.asarray(times_ms, dtype=np.int64)
    values = np.asarray(equity if isinstance(equity, np.ndarray) else [float(v) for v in equity],
                        dtype=np.float64)
    if times.shape != values.shape or times.size == 0:
        raise ValueError("an equity curve needs one equity value per timestamp and at least one point")
    return times, values


def buy_and_hold_return(first_price: Decimal | float, last_price: Decimal | float,
                        fee_rate: Decimal | float = 0.0) -> float:
    """Return the fractional return of buying at first_price and selling at last_price, fees on both sides."""
    fee = float(fee_rate)
    return (1 - fee) * (1 - fee) * float(last_price) / float(first_price) - 1.0


def compound_annual_growth(total_return: float, span_ms: int) -> float | None:
    """Return the annual growth rate that compounds to total_return over span_ms, None for no span."""
    if span_ms <= 0:
        return None
    if total_return <= -1.0:
        return -1.0
    return float((1.0 + total_return) ** (YEAR_MS / span_ms) - 1.0)


def bars_per_year(times_ms: np.ndarray) -> float:
    """Return how many bars of the curve's median spacing fit in a year (0 for a single point)."""
    if times_ms.size < 2:
        return 0.0
    step = float(np.median(np.diff(times_ms)))
    return YEAR_MS / step if step > 0 else 0.0


def sharpe_ratio(returns: np.ndarray, per_year: float) -> float | None:
    """Return the annualised Sharpe ratio of bar returns (risk-free 0), None when undefined."""
    if returns.size < 2:
        return None
    sd = float(np.std(returns, ddof=1))
    if sd == 0 or not math.isfinite(sd):
        return None
    return float(np.mean(returns)) / sd * math.sqrt(per_year)


def sortino_ratio(returns: np.ndarray, per_year: float) -> float | None:
    """Return the annualised Sortino ratio of bar returns (target 0), None without a losing bar."""
    if returns.size < 1:
        return None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    if downside == 0:
        return None
    return float(np.mean(returns)) / downside * math.sqrt(per_year)


def max_drawdown(times_ms: np.ndarray, equity: np.ndarray) -> tuple[float, int]:
    """Return the deepest fall from a peak as a fraction, and the longest time spent below a peak in ms."""
    peaks = np.maximum.accumulate(equity)
    depth = float(np.max(1.0 - equity / peaks))
    underwater = equity < peaks
    if equity.size < 2 or not underwater.any():
        return depth, 0
    index = np.arange(equity.size)
    peak_index = np.maximum.accumulate(np.where(underwater, 0, index))
    # bar i closes the stretch that began at the peak known at bar i-1 (still under, or regained at i)
    counted = underwater[1:] | underwater[:-1]
    spans = times_ms[1:] - times_ms[peak_index[:-1]]
    return depth, int(np.max(spans[counted]))


def exposure(trades: Sequence[ClosedTrade], start_ms: int, end_ms: int) -> float:
    """Return the fraction of [start_ms, end_ms] during which at least one trade was open."""
    if end_ms <= start_ms or not trades:
        return 0.0
    covered, reach = 0, start_ms
    for trade in sorted(trades, key=lambda t: t.entry_ms):
        lo, hi = max(trade.entry_ms, reach), min(trade.exit_ms, end_ms)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered / (end_ms - start_ms)


def _as_money(value: Decimal | float) -> Decimal:
    """Return value as a Decimal, keeping a Decimal exact and a float at its shortest repr."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _trade_figures(trades: Sequence[ClosedTrade]) -> dict:
    """Return the trade-list fields of BacktestMetrics."""
    fees = sum((t.fees for t in trades), Decimal(0))
    funding = sum((t.funding for t in trades), Decimal(0))
    figures = dict(trades=len(trades), fees_paid=fees, funding_paid=funding, win_rate_pct=None,
                   profit_factor=None, avg_reward_risk=None, avg_r_multiple=None, expectancy=None)
    if not trades:
        return figures
    wins = [t.pnl for t in trades if t.pnl > 0]
    losses = [-t.pnl for t in trades if t.pnl < 0]
    gross_win, gross_loss = sum(wins, Decimal(0)), sum(losses, Decimal(0))
    if gross_loss > 0:
        figures["profit_factor"] = float(gross_win / gross_loss)
    elif gross_win > 0:
        figures["profit_factor"] = math.inf
    if wins and losses:
        figures["avg_reward_risk"] = float((gross_win / len(wins)) / (gross_loss / len(losses)))
    r_values = [t.r_multiple for t in trades if t.r_multiple is not None]
    if r_values:
        figures["avg_r_multiple"] = float(sum(r_values, Decimal(0)) / len(r_values))
    figures["win_rate_pct"] = len(wins) / len(trades) * 100
    figures["expectancy"] = sum((t.pnl for t in trades), Decimal(0)) / len(trades)
    return figures
