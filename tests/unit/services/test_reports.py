"""Reports: period PnL from the equity samples, buy-and-hold from candles, the risk state, the daily job."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tests.fakes.paper_account import JULY_1_NOON_MS, paper_account
from tests.unit.reports.png_checks import assert_phone_png
from trading.adapters.sqlite_equity import EquityHistory, EquityPoint
from trading.domain.candles import Timeframe
from trading.domain.errors import InvalidInput
from trading.domain.events import EventKind
from trading.engine.trading_engine import TradingEngine
from trading.reports.chart_theme import DARK
from trading.services.daily_report import send_daily_report
from trading.services.report_text import report_text
from trading.services.reports import ReportPeriod, ReportService, period_start
from trading.services.account_keys import STATE_KEY


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


@pytest.fixture
async def account(tmp_path):
    account = await paper_account(tmp_path)        # Tuesday 2025-07-01 12:00 UTC, 10,000 USDT, nothing open
    equity = EquityHistory(account.store, "paper-spot")
    for when, value in (("2025-06-29T23:55", "9800"), ("2025-06-30T23:55", "9950"), ("2025-07-01T06:00", "10050")):
        await equity.record(EquityPoint(utc(when), Decimal(value), Decimal(value)))
    account.reports = ReportService(account.portfolio, account.ledger, equity, account.market, account.store,
                                    account.clock, timezone="UTC", benchmark="BTC/USDT", theme=DARK)
    yield account
    await account.close()


async def test_the_day_report_measures_pnl_from_the_last_sample_before_midnight_and_the_week_from_monday(account):
    report = await account.reports.report("day")

    assert (report.start_ms, report.end_ms) == (utc("2025-07-01T00:00"), JULY_1_NOON_MS)
    assert report.equity == Decimal("10000")
    assert (report.pnl, report.pnl_pct, report.week_pnl) == (Decimal("50"), Decimal("50") / Decimal("9950") * 100,
                                                             Decimal("200"))
    candles = await account.market.candles("BTC/USDT", Timeframe.M15, 100)
    at_six = float(candles.close[candles.open_ms + Timeframe.M15.ms <= utc("2025-07-01T06:00")][-1])
    assert report.buy_hold_pct == pytest.approx((float(candles.close[-1]) / at_six - 1) * 100)
    assert_phone_png(report.chart)
    assert report.risk is None and report.positions == () and report.fills == 0


async def test_the_report_text_says_the_pnl_the_benchmark_the_positions_and_the_risk(account):
    engine = TradingEngine()
    engine.mark_equity(Decimal("10000"), JULY_1_NOON_MS)
    await account.store.save_state(STATE_KEY, engine.snapshot())
    await account.portfolio.buy("BTC/USDT", Decimal("1000"))

    text = report_text(await account.reports.report("day"))

    lines = text.splitlines()
    assert lines[0] == "Daily report · Tue 01 Jul 2025 12:00 (UTC)"
    assert lines[1] == "Equity 9,998.80 USDT"             # the buy paid its fee and the spread
    assert lines[2] == "Today: +48.80 (+0.49%) · this week +198.80"
    assert lines[3].startswith("BTC/USDT buy & hold over the same time: ")
    assert lines[4] == "Open positions: 1" and lines[5].startswith("  BTC/USDT long 0.00936 @ ")
    assert lines[6] == "Trades: none closed, 1 fill"
    # the engine's day started at its noon mark of 10,000; the buy since then is in it (before: +0.00 until a tick)
    assert lines[7] == "Risk: entries allowed · today -1.20 of -600.00 limit · drawdown 0.01% of 20% · kill switch off"


async def test_the_month_report_starts_on_the_first(account):
    report = await account.reports.report("Month")

    assert report.period is ReportPeriod.MONTH and report.start_ms == utc("2025-07-01T00:00")
    with pytest.raises(InvalidInput, match=r"Unknown period 'year'. Usage: /report \[day\|week\|month\]"):
        await account.reports.report("year")


async def test_the_daily_job_pushes_the_report_with_its_chart(account):
    await send_daily_report(account.reports, account.events)

    (event,) = [e for e in account.pushed.events if e.kind is EventKind.REPORT]
    assert event.message.startswith("Daily report · Tue 01 Jul 2025")
    assert_phone_png(event.image)


@pytest.mark.parametrize("now, period, start", [
    ("2025-03-30T10:00", ReportPeriod.DAY, "2025-03-29T23:00"),      # Berlin's DST day began at +01:00
    ("2025-03-30T10:00", ReportPeriod.WEEK, "2025-03-23T23:00"),     # Monday 24 March, still winter time
    ("2025-04-02T10:00", ReportPeriod.WEEK, "2025-03-30T22:00"),     # Monday 31 March, summer time
    ("2025-04-02T10:00", ReportPeriod.MONTH, "2025-03-31T22:00"),
])
def test_periods_begin_at_local_midnight_across_a_dst_change(now, period, start):
    assert period_start(utc(now), period, "Europe/Berlin") == utc(start)
