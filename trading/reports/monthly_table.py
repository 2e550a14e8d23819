"""The monthly returns table of a backtest report: six months a row, so the figures stay large on a phone."""
from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from trading.backtest.monthly_returns import MonthlyReturn
from trading.domain.figures import signed
from trading.reports.chart_theme import FONT, SMALL_FONT, ChartTheme

MONTHS_PER_ROW = 6
MAX_ROWS = 8               # four years; older months are left out rather than shrinking the figures
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Cell = tuple[str, float | None]


def table_rows(months: Sequence[MonthlyReturn]) -> list[list[Cell | None]]:
    """Return half-year rows of (month label, return or None) covering the months, newest MAX_ROWS kept.

    A month before the run's first or after its last is None: no tile at all, not an empty one.
    """
    if not months:
        return []
    by_month = {(m.year, m.month): m.return_pct for m in months}
    first, last = (months[0].year, months[0].month), (months[-1].year, months[-1].month)
    rows = []
    for year in range(first[0], last[0] + 1):
        for half in (0, 1):
            row_months = range(half * MONTHS_PER_ROW + 1, half * MONTHS_PER_ROW + MONTHS_PER_ROW + 1)
            if any((year, m) in by_month for m in row_months):
                rows.append([(f"{MONTH_NAMES[m - 1]} '{year % 100:02d}", by_month.get((year, m)))
                             if first <= (year, m) <= last else None for m in row_months])
    return rows[-MAX_ROWS:]


def draw_monthly_table(axes: Axes, rows: Sequence[Sequence[Cell | None]], theme: ChartTheme) -> None:
    """Draw the rows as cells: month name above its return, tinted green or red by size (no cell: nothing)."""
    axes.set_axis_off()
    axes.set_xlim(0, MONTHS_PER_ROW)
    axes.set_ylim(len(rows), 0)
    largest = max((abs(cell[1]) for row in rows for cell in row if cell is not None and cell[1] is not None),
                  default=1.0) or 1.0
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            label, value = cell
            if value is not None:
                colour = theme.up if value >= 0 else theme.down
                axes.add_patch(Rectangle((c + 0.04, r + 0.06), 0.92, 0.88, facecolor=colour,
                                         alpha=0.15 + 0.45 * abs(value) / largest, linewidth=0))
            axes.text(c + 0.5, r + 0.3, label, ha="center", va="center", color=theme.muted, fontsize=SMALL_FONT)
            axes.text(c + 0.5, r + 0.68, "" if value is None else _percent(value), ha="center", va="center",
                      color=theme.text, fontsize=FONT + 2, fontweight="bold")


def _percent(value: float) -> str:
    """Return a monthly return in at most six characters."""
    return signed(value, 1 if abs(value) < 99.95 else 0, "%")
