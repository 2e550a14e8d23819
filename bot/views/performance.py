"""Rendering of /profit, /performance, /daily, /weekly and /monthly: short lines that fit a phone."""
from __future__ import annotations

from bot.views import esc
from trading.domain.figures import signed
from trading.services.performance import ProfitReport, TradeStats


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


def performance_text(rows: list[TradeStats]) -> str:
    """Return /performance: per symbol, best first."""
    if not rows:
        return "No closed trades yet."
    return "<b>Performance per symbol</b>\n" + "\n".join(stats_line(r) for r in rows)


def table_text(title: str, rows: list[TradeStats]) -> str:
    """Return /daily, /weekly or /monthly: one short line per period, newest first."""
    lines = [f"<b>{esc(title)}</b> (net of fees)"]
    for r in rows:
        won = f" · {r.win_rate:.0f}% won" if r.trades else ""
        lines.append(f"<code>{esc(r.label)}</code> {signed(r.net)} · {r.trades} trades{won}")
    return "\n".join(lines)
