"""The daily report job: the day's report and its equity chart, pushed to the chats through the event bus."""
from __future__ import annotations

from trading.domain.events import Event, EventKind
from trading.services.event_bus import EventBus
from trading.services.report_text import report_text
from trading.services.reports import ReportPeriod, ReportService


async def send_daily_report(reports: ReportService, events: EventBus) -> None:
    """Send the day's report with its equity chart (scheduled by cron at REPORT_TIME, under the job watch)."""
    report = await reports.report(ReportPeriod.DAY)
    await events.emit(Event(EventKind.REPORT, report.end_ms, report_text(report),
                            {"period": report.period.value, "equity": str(report.equity)}, image=report.chart))


async def record_equity(reports: ReportService) -> None:
    """Sample the account's equity for the reports (scheduled every few minutes, under the job watch)."""
    await reports.record_equity()
