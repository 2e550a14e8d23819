"""Rendering of /report: the report's plain text, as a photo caption when it fits."""
from __future__ import annotations

from bot.views import esc
from trading.services.report_text import report_text
from trading.services.reports import Report

CAPTION_LIMIT = 1024


def report_caption(report: Report) -> str | None:
    """Return the report as the chart's caption, or None when it is too long for one."""
    text = report_message(report)
    return text if len(text) <= CAPTION_LIMIT else None


def report_message(report: Report) -> str:
    """Return the report as a message."""
    return esc(report_text(report))
