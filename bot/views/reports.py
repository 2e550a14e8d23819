"""Rendering of /report (the report's plain text, as a photo caption when it fits) and of /trades since a reset."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping

from bot.views import esc
from bot.views.portfolio import trades_text as fills_text
from trading.domain.instruments import Instrument
from trading.services.report_text import report_text
from trading.services.reports import Report, TradeListing

CAPTION_LIMIT = 1024


def report_caption(report: Report) -> str | None:
    """Return the report as the chart's caption, or None when it is too long for one."""
    text = report_message(report)
    return text if len(text) <= CAPTION_LIMIT else None


def report_message(report: Report) -> str:
    """Return the report as a message."""
    return esc(report_text(report))


def trades_text(listing: TradeListing, markets: Mapping[str, Instrument] | None = None) -> str:
    """Return /trades, saying that it starts at the paper reset (and when) if older fills are left out."""
    if listing.reset_ms is None:
        return fills_text(list(listing.rows), markets)
    when = datetime.fromtimestamp(listing.reset_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if not listing.rows:
        return f"No trades since the paper reset on {when}; the fills before it belong to the old account."
    title, rows = fills_text(list(listing.rows), markets).split("\n", 1)
    return f"{title}\n<i>Since the paper reset on {when}; older fills are hidden.</i>\n{rows}"
