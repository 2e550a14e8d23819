"""A side-by-side table of backtest metrics, monospace and narrow enough for a phone."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Mapping

from trading.backtest.metrics import DAY_MS, BacktestMetrics

COLUMN_WIDTH = 7           # six characters of value and one space
COLUMNS_PER_BLOCK = 3      # the 18-character labels and three columns: 39 columns fit a phone


def percent(value: float | None) -> str:
    """Return a signed percentage in at most six characters."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) < 99.95:
        return f"{value:+.1f}%"
    if abs(value) < 99_999.5:
        return f"{value:+.0f}%"
    return f"{value / 1000:+.0f}k%"[:6]


def ratio(value: float | None) -> str:
    """Return a ratio in at most six characters; inf for a figure with nothing below the line."""
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.2f}" if abs(value) < 99.995 else f"{value:.0f}"[:6]


def money(value: Decimal | None) -> str:
    """Return an amount of quote compactly: 12.34, 1234, 12.3k, 1.2M."""
    if value is None:
        return "-"
    amount = float(value)
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(amount) >= 10 * scale:
            return f"{amount / scale:.1f}{suffix}" if abs(amount) < 100 * scale else f"{amount / scale:.0f}{suffix}"
    return f"{amount:.2f}" if abs(amount) < 100 else f"{amount:.0f}"


def duration(ms: int) -> str:
    """Return a duration in days, or hours when under two days."""
    if ms < 2 * DAY_MS:
        return f"{ms / 3_600_000:.1f}h"
    return f"{ms / DAY_MS:.1f}d" if ms < 100 * DAY_MS else f"{ms / DAY_MS:.0f}d"


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric as every report shows it: its field in BacktestMetrics, its label, its cell in a table."""

    field: str
    label: str
    cell: Callable[[BacktestMetrics], str]


# The one source of metric labels: the terminal and chat table, the chart, the stored runs and --json use these.
ROWS: tuple[MetricRow, ...] = (
    MetricRow("total_return_pct", "Total return", lambda m: percent(m.total_return_pct)),
    MetricRow("buy_hold_return_pct", "Buy and hold", lambda m: percent(m.buy_hold_return_pct)),
    MetricRow("cagr_pct", "CAGR", lambda m: percent(m.cagr_pct)),
    MetricRow("max_drawdown_pct", "Max drawdown", lambda m: percent(m.max_drawdown_pct).lstrip("+")),
    MetricRow("max_drawdown_duration_ms", "Drawdown duration", lambda m: duration(m.max_drawdown_duration_ms)),
    MetricRow("sharpe", "Sharpe", lambda m: ratio(m.sharpe)),
    MetricRow("sortino", "Sortino", lambda m: ratio(m.sortino)),
    MetricRow("calmar", "Calmar", lambda m: ratio(m.calmar)),
    MetricRow("trades", "Trades", lambda m: str(m.trades)),
    MetricRow("win_rate_pct", "Win rate", lambda m: percent(m.win_rate_pct).lstrip("+")),
    MetricRow("profit_factor", "Profit factor", lambda m: ratio(m.profit_factor)),
    MetricRow("avg_reward_risk", "Average win/loss", lambda m: ratio(m.avg_reward_risk)),
    MetricRow("avg_r_multiple", "Average R", lambda m: ratio(m.avg_r_multiple)),
    MetricRow("expectancy", "Expectancy", lambda m: money(m.expectancy)),
    MetricRow("exposure_pct", "Exposure", lambda m: percent(m.exposure_pct).lstrip("+")),
    MetricRow("fees_paid", "Fees", lambda m: money(m.fees_paid)),
    MetricRow("funding_paid", "Funding", lambda m: money(m.funding_paid)),
)
LABELS: Mapping[str, str] = {row.field: row.label for row in ROWS}
LABEL_WIDTH = max(len(row.label) for row in ROWS) + 1


def headline_figures(m: BacktestMetrics) -> str:
    """Return the few figures a caption or a chart title carries, with the table's labels."""
    return (f"{LABELS['total_return_pct']} {percent(m.total_return_pct)} · "
            f"{LABELS['buy_hold_return_pct']} {percent(m.buy_hold_return_pct)} · "
            f"{LABELS['max_drawdown_pct']} {m.max_drawdown_pct:.1f}% · {LABELS['trades']} {m.trades}")


def render_comparison(results: Mapping[str, BacktestMetrics]) -> str:
    """Return a monospace table with one column per strategy, in even blocks of at most three for a phone."""
    names = list(results)
    per_block = math.ceil(len(names) / max(1, math.ceil(len(names) / COLUMNS_PER_BLOCK))) if names else 1
    blocks = [names[i:i + per_block] for i in range(0, len(names), per_block)]
    return "\n\n".join(_render_block({n: results[n] for n in block}) for block in blocks)


def _render_block(results: Mapping[str, BacktestMetrics]) -> str:
    """Return the table for at most three strategies."""
    width = max(COLUMN_WIDTH, *(len(name) + 1 for name in results))     # a long name widens its block only
    header = " " * LABEL_WIDTH + "".join(name.rjust(width) for name in results)
    lines = [header.rstrip()]
    for row in ROWS:
        values = "".join(row.cell(m).rjust(width) for m in results.values())
        lines.append(row.label.ljust(LABEL_WIDTH) + values)
    return "\n".join(lines)
