"""Rendering of /profit, /performance, /daily, /weekly and /monthly: short lines that fit a phone."""
from __future__ import annotations

from bot.views import esc
from trading.domain.figures import signed
from trading.services.performance import ProfitReport, ResultsTable, TradeStats


def _factor(stats: TradeStats) -> str:
    factor = stats.profit_factor
    return f"PF {factor:.2f}" if factor is not None else ("PF ∞" if stats.gross_win > 0 else "PF –")


def stats_line(stats: TradeStats) -> str:
    """Return one group's line: trades, win rate, net, profit factor, best and worst."""
    if not stats.trades:
        return f"<b>{esc(stats.label)}</b>: no closed trades"
    return (f"<b>{esc(stats.label)}</b>: {stats.trades} trades · {stats.win_rate:.0f}% won · {signed(stats.net)} · "
            f"{_factor(stats)} · best {signed(stats.best)} · worst {signed(stats.worst)}")


def profit_text(report: ProfitReport) -> str:
    """Return /profit."""
    span = f"last {report.days} days" if report.days else "all time"
    lines = [f"<b>Profit</b> ({span})",
             f"Realised: {signed(report.realized)} · unrealised: {signed(report.unrealized)}",
             f"Total: {signed(report.realized + report.unrealized)}"]
    if report.open_realized:
        opened = f" (those opened in the last {report.days} days)" if report.days else ""
        lines.append(f"Realised includes the open positions' fees and partial exits{opened}: "
                     f"{signed(report.open_realized)}")
    lines.append(stats_line(report.total))
    if report.by_strategy:
        lines.append("\n<b>Per strategy</b>")
        lines += [stats_line(s) for s in report.by_strategy]
    return "\n".join(lines)


def still_open(table: ResultsTable) -> str:
    """Return the line of what the open positions realised so far, /profit's figure ('' when nothing)."""
    if not table.open_realized:
        return ""
    return f"Still open: {signed(table.open_realized)} realised so far (fees and partial exits), as /profit counts it"


def performance_text(table: ResultsTable) -> str:
    """Return /performance: per symbol, best first, then what the open positions realised so far."""
    lines = ["<b>Performance per symbol</b>", *(stats_line(r) for r in table.rows)] if table.rows \
        else ["No closed trades yet."]
    if still_open(table):
        lines.append(still_open(table) + ".")
    return "\n".join(lines)


def table_text(title: str, table: ResultsTable) -> str:
    """Return /daily, /weekly or /monthly: one short line per period, newest first, then the open positions."""
    lines = [f"<b>{esc(title)}</b> (closed trades, net of fees)"]
    for r in table.rows:
        won = f" · {r.win_rate:.0f}% won" if r.trades else ""
        lines.append(f"<code>{esc(r.label)}</code> {signed(r.net)} · {r.trades} trades{won}")
    if still_open(table):
        lines.append(still_open(table) + "; it lands in these rows on the day the position closes.")
    return "\n".join(lines)
