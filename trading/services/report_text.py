"""The report as plain text: the daily notification's caption and the body of /report."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from trading.domain.figures import counted, signed
from trading.domain.instruments import amount_text, price_text
from trading.engine.risk_status import RiskStatus
from trading.services.reports import Report, ReportPeriod

_TITLES = {ReportPeriod.DAY: ("Daily report", "Today"), ReportPeriod.WEEK: ("Weekly report", "This week"),
           ReportPeriod.MONTH: ("Monthly report", "This month")}


def money(value: Decimal) -> str:
    """Return an amount of quote with thousands separators and cents."""
    return f"{value:,.2f}"


def report_text(report: Report) -> str:
    """Return the report: PnL of the period and the week, buy-and-hold, positions, trades, risk."""
    title, span = _TITLES[report.period]
    day = datetime.fromtimestamp(report.end_ms / 1000, ZoneInfo(report.timezone)).strftime("%a %d %b %Y %H:%M")
    lines = [f"{title} · {day} ({report.timezone})", f"Equity {money(report.equity)} USDT"]
    pct = "" if report.pnl_pct is None else f" ({signed(report.pnl_pct, 2, '%')})"
    pnl = "no equity history yet" if report.pnl is None else f"{signed(report.pnl)}{pct}"
    week = "" if report.period is not ReportPeriod.DAY or report.week_pnl is None else \
        f" · this week {signed(report.week_pnl)}"
    lines.append(f"{span}: {pnl}{week}")
    if report.buy_hold_pct is not None:
        lines.append(f"{report.benchmark} buy & hold over the same time: {signed(report.buy_hold_pct, 2, '%')}")
    lines.append(f"Open positions: {len(report.positions) or 'none'}")
    for view in report.positions:
        p, tick = view.position, view.tick
        lines.append(f"  {p.symbol} {p.side} {amount_text(p.amount, view.step)} @ {price_text(p.entry_price, tick)} -> "
                     f"{price_text(view.mark, tick)} ({signed(view.unrealized)}, "
                     f"{signed(view.unrealized_pct, 2, '%')})")
    net = sum((c.realized_pnl - c.fees_paid - c.funding_paid for c in report.closed), Decimal(0))
    closed = f"{len(report.closed)} closed ({signed(net)})" if report.closed else "none closed"
    lines.append(f"Trades: {closed}, {counted(report.fills, 'fill')}")
    if report.risk is not None:
        lines.append(risk_line(report.risk))
    return "\n".join(lines)


def risk_line(risk: RiskStatus) -> str:
    """Return the risk state in one line: entries allowed or why not, daily loss and drawdown against limits."""
    limits = risk.settings.limits
    state = "entries allowed" if risk.entries_allowed else f"entries blocked: {risk.blocked_because}"
    switch = "on" if risk.kill_switch.engaged else "off"
    return (f"Risk: {state} · today {signed(risk.daily_pnl)} of -{money(risk.daily_loss_limit)} limit · "
            f"drawdown {risk.drawdown_pct:.2f}% of {limits.max_drawdown_pct}% · kill switch {switch}")
