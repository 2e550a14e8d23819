"""The daily report job: the day's report and its equity chart, pushed to the chats through the event bus."""
from __future__ import annotations

from trading.domain.events import Event, EventKind
from trading.services.decisions import DecisionsService
from trading.services.event_bus import EventBus
from trading.services.report_text import report_text
from trading.services.reports import ReportPeriod, ReportService


async def send_daily_report(reports: ReportService, events: EventBus,
                            decisions: DecisionsService | None = None) -> None:
    """Send the day's report with its equity chart (scheduled by cron at REPORT_TIME, under the job watch)."""
    report = await reports.report(ReportPeriod.DAY)
    text = report_text(report)
    if decisions is not None:       # who decided today, and what the LLM cost
        text = "\n".join([text, *(await decisions.deciding()).lines()])
    await events.emit(Event(EventKind.REPORT, report.end_ms, text,
                            {"period": report.period.value, "equity": str(report.equity)}, image=report.chart))


async def record_equity(reports: ReportService) -> None:
    """Sample the account's equity for the reports (scheduled every few minutes, under the job watch)."""
    await reports.record_equity()
