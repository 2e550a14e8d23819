"""A side-by-side table of backtest metrics, monospace and narrow enough for a phone."""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Callable, Mapping

from trading.backtest.metrics import DAY_MS, BacktestMetrics

LABEL_WIDTH = 7
COLUMN_WIDTH = 7           # six characters of value and one space: 7 + 4 * 7 = 35 columns fits a phone
COLUMNS_PER_BLOCK = 4


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


ROWS: tuple[tuple[str, Callable[[BacktestMetrics], str]], ...] = (
    ("Return", lambda m: percent(m.total_return_pct)),
    ("B&H", lambda m: percent(m.buy_hold_return_pct)),
    ("CAGR", lambda m: percent(m.cagr_pct)),
    ("Max DD", lambda m: percent(m.max_drawdown_pct).lstrip("+")),
    ("DD time", lambda m: duration(m.max_drawdown_duration_ms)),
    ("Sharpe", lambda m: ratio(m.sharpe)),
    ("Sortino", lambda m: ratio(m.sortino)),
    ("Calmar", lambda m: ratio(m.calmar)),
    ("Trades", lambda m: str(m.trades)),
    ("Win", lambda m: percent(m.win_rate_pct).lstrip("+")),
    ("PF", lambda m: ratio(m.profit_factor)),
    ("R:R", lambda m: ratio(m.avg_reward_risk)),
    ("Avg R", lambda m: ratio(m.avg_r_multiple)),
    ("Expect", lambda m: money(m.expectancy)),
    ("Exposed", lambda m: percent(m.exposure_pct).lstrip("+")),
    ("Fees", lambda m: money(m.fees_paid)),
    ("Funding", lambda m: money(m.funding_paid)),
)


def render_comparison(results: Mapping[str, BacktestMetrics]) -> str:
    """Return a monospace table with one column per strategy, split in blocks of four for a phone."""
    names = list(results)
    blocks = [names[i:i + COLUMNS_PER_BLOCK] for i in range(0, len(names), COLUMNS_PER_BLOCK)]
    return "\n\n".join(_render_block({n: results[n] for n in block}) for block in blocks)


def _render_block(results: Mapping[str, BacktestMetrics]) -> str:
    """Return the table for at most four strategies."""
    header = " " * LABEL_WIDTH + "".join(name[:COLUMN_WIDTH - 1].rjust(COLUMN_WIDTH) for name in results)
    lines = [header.rstrip()]
    for label, cell in ROWS:
        values = "".join(cell(m).rjust(COLUMN_WIDTH) for m in results.values())
        lines.append(label.ljust(LABEL_WIDTH) + values)
    return "\n".join(lines)
