"""The daily report says who decided today and what the LLM cost."""

from tests.fakes.paper_account import JULY_1_NOON_MS, paper_account
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.adapters.sqlite_equity import EquityHistory
from trading.domain.decision_log import DecisionRecord
from trading.domain.events import EventKind
from trading.reports.chart_theme import DARK
from trading.services.daily_report import send_daily_report
from trading.services.decisions import DecisionsService
from trading.services.reports import ReportService


async def test_the_daily_report_counts_todays_decisions_and_names_who_decides(tmp_path):
    account = await paper_account(tmp_path)
    try:
        reports = ReportService(account.portfolio, account.ledger, EquityHistory(account.store, "paper-spot"),
                                account.market, account.store, account.clock, timezone="UTC",
                                benchmark="BTC/USDT", theme=DARK)
        journal = DecisionJournal(account.store)
        for n, source in enumerate(["skipped", "skipped", "model"]):
            await journal.record(DecisionRecord(JULY_1_NOON_MS - n * 60_000, "BTC/USDT", "HOLD", 0.5, source, "m", "r"))
        await journal.record(DecisionRecord(JULY_1_NOON_MS - 86_400_000, "BTC/USDT", "HOLD", 0.5, "model", "m", "r"))
        decisions = DecisionsService(journal, account.clock, account.market, ("BTC/USDT",))
        await send_daily_report(reports, account.events, decisions)
    finally:
        await account.close()
    (event,) = [e for e in account.pushed.events if e.kind is EventKind.REPORT]
    assert "Decides: the rules (no LLM configured" in event.message
    assert "Decisions today: 3 (skipped 2, model 1)" in event.message
