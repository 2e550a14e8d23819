"""/chart, /report, /backtest and /backtests through the fake Bot API, on the bundled replay."""
from tests.fakes.bot_process import OWNER, bot_settings
from tests.fakes.feature_bot import feature_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.unit.reports.png_checks import assert_phone_png


async def test_chart_sends_a_photo_of_the_candles_and_explains_bad_input(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            chart = await telegram.ask(OWNER, "/chart btc")
            hourly = await telegram.ask(OWNER, "/chart ETH/USDT 1h")
            bad_timeframe = await telegram.ask(OWNER, "/chart BTC/USDT 7m")
            bad_symbol = await telegram.ask(OWNER, "/chart DOGE")
            no_symbol = await telegram.ask(OWNER, "/chart")

    assert chart.kind == "photo" and chart.text.startswith("BTC/USDT 15m · last ")
    assert_phone_png(chart.file_bytes)
    assert hourly.kind == "photo" and hourly.text.startswith("ETH/USDT 1h")
    assert bad_timeframe.text.startswith("Unknown timeframe '7m'; use one of 1m, 5m, 15m, 1h, 4h, 1d.")
    assert bad_symbol.text.startswith("Unknown symbol 'DOGE'. Try one of: BTC/USDT, ETH/USDT. Usage: /chart")
    assert no_symbol.text.startswith("Which market? Usage: /chart SYMBOL [TIMEFRAME]") and no_symbol.buttons


async def test_report_sends_the_equity_chart_with_the_report_as_caption(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)) as bot:
            await bot.services["reports"].record_equity()       # the scheduler's sample, a replayed minute ago
            report = await telegram.ask(OWNER, "/report")
            week = await telegram.ask(OWNER, "/report week")
            wrong = await telegram.ask(OWNER, "/report year")

    assert report.kind == "photo" and report.text.startswith("Daily report · ")
    assert "Equity 10,000.00 USDT" in report.text and "Today: +0.00 (+0.00%)" in report.text
    assert "BTC/USDT buy & hold over the same time:" in report.text
    assert_phone_png(report.file_bytes)
    assert week.text.startswith("Weekly report · ")
    assert wrong.text == "Unknown period 'year'. Usage: /report [day|week|month]"


async def test_backtest_edits_its_progress_sends_the_chart_and_the_bot_answers_meanwhile(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            started = await telegram.ask(OWNER, "/backtest A BTC/USDT 10d")
            status = await telegram.ask(OWNER, "/status")
            photo = await telegram.wait_for(OWNER, lambda s: s.kind == "photo", timeout=30)
            runs = await telegram.ask(OWNER, "/backtests")
            telegram.user_presses(OWNER, runs.message_id, runs.buttons[0][0]["callback_data"])
            resent = await telegram.wait_for(OWNER, lambda s: s.text.startswith("#1 A BTC/USDT 1m"))
            wrong = await telegram.ask(OWNER, "/backtest A BTC/USDT soon")

    assert started.text.startswith("⏳ Backtest A on BTC/USDT (10d): starting")
    assert "Mode: paper" in status.text
    assert telegram.sent.index(status) < telegram.sent.index(photo)        # answered while the backtest ran
    edits = [s for s in telegram.replies_to(OWNER) if s.edited and s.message_id == started.message_id]
    assert any(e.text.startswith("⏳ Backtest A on BTC/USDT (10d): ") for e in edits)
    assert edits[-1].text.startswith("A on BTC/USDT 1m, ")
    assert all(f"\n{label} " in edits[-1].text for label in ("Total return", "Buy and hold", "Max drawdown",
                                                              "Drawdown duration", "Profit factor", "Win rate"))
    assert photo.text.startswith("A on BTC/USDT (10d): Total return ") and "run #1" in photo.text
    assert "Buy and hold" in photo.text and "Max drawdown" in photo.text
    assert_phone_png(photo.file_bytes)
    assert runs.text.startswith("Recent backtests\n#1 ") and " A BTC/USDT 1m " in runs.text
    assert runs.buttons[0][0]["text"] == "#1" and "Total return" in resent.text    # a button re-sends the report
    assert "Total return" in runs.text and "B&amp;H" not in runs.text
    assert wrong.text.startswith("Period 'soon' is not like 30d, 4w or 2025-06-01..2025-07-31. Usage: /backtest")
