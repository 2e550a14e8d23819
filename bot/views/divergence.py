"""Rendering of /divergence: per strategy its results against the backtest's, then its fills in a monospaced table."""
from __future__ import annotations

from bot.views import esc
from trading.services.divergence_report import DivergenceReport, part_fills, part_summary, report_text


def divergence_html(report: DivergenceReport) -> str:
    """Return the report for the chat (long ones are split at line ends by the reply bot, tables kept whole)."""
    if not report.parts:
        return esc(report_text(report))
    lines = [f"<b>{esc(report.venue)}, last {report.days} days</b>, against the backtest of the same candles "
             f"(bps: how much worse the actual fill was)"]
    for part in report.parts:
        first, _, rest = part_summary(part).partition("\n")
        lines.append(f"\n<b>{esc(first)}</b>" + (f"\n{esc(rest)}" if rest else ""))
        table = part_fills(part)
        if table:
            lines.append(f"<pre>{esc(table)}</pre>")
    return "\n".join(lines)
