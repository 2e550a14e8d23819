"""The daily report job: the day's report and its equity chart, pushed to the chats through the event bus."""
from __future__ import annotations

from trading.domain.events import Event, EventKind
from trading.logs import get_logger
from trading.services.decisions import DecisionsService
from trading.services.event_bus import EventBus
from trading.services.report_text import report_text
from trading.services.reports import ReportPeriod, ReportService

log = get_logger(__name__)


async def send_daily_report(reports: ReportService, events: EventBus,
                            decisions: DecisionsService | None = None) -> None:
    """Send the day's report with its equity chart (scheduled by cron at REPORT_TIME; it never raises)."""
    try:
        report = await reports.report(ReportPeriod.DAY)
        text = report_text(report)
        if decisions is not None:       # who decided today, and what the LLM cost
            text = "\n".join([text, *(await decisions.deciding()).lines()])
        await events.emit(Event(EventKind.REPORT, report.end_ms, text,
                                {"period": report.period.value, "equity": str(report.equity)}, image=report.chart))
    except Exception:  # noqa: BLE001 - a scheduled job must survive anything; tomorrow's run tries again
        log.exception("daily report failed")


async def record_equity(reports: ReportService) -> None:
    """Sample the account's equity for the reports (scheduled every few minutes; it never raises)."""
    try:
        await reports.record_equity()
    except Exception:  # noqa: BLE001 - a missed sample only thins the curve; the next run records again
        log.exception("equity sample failed")
