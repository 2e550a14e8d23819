"""/evaluate through the fake Bot API, on the bundled replay: progress in place, the report, the chart."""
from tests.fakes.bot_process import OWNER, bot_settings
from tests.fakes.feature_bot import feature_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.unit.reports.png_checks import assert_phone_png


async def test_evaluate_edits_its_progress_then_sends_the_out_of_sample_report_and_chart(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            started = await telegram.ask(OWNER, "/evaluate C BTC/USDT 20d")
            status = await telegram.ask(OWNER, "/status")
            photo = await telegram.wait_for(OWNER, lambda s: s.kind == "photo", timeout=60)
            short = await telegram.ask(OWNER, "/evaluate C BTC/USDT 5d")
            asked = await telegram.ask(OWNER, "/evaluate C BTC/USDT 2025-06-20..2025-07-05")
            thin = await telegram.wait_for(
                OWNER, lambda s: s.edited and s.message_id == asked.message_id and s.text.startswith("❌"), timeout=60)
            trend = await telegram.ask(OWNER, "/evaluate trend BTC/USDT 20d")
            trend_done = await telegram.wait_for(
                OWNER, lambda s: s.edited and s.message_id == trend.message_id and s.text.startswith("❌"),
                timeout=60)
            runs = await telegram.ask(OWNER, "/backtests")

    assert started.text.startswith("⏳ Evaluation C on BTC/USDT (20d): starting")
    assert telegram.sent.index(status) < telegram.sent.index(photo)        # answered while it ran
    edits = [s for s in telegram.replies_to(OWNER) if s.edited and s.message_id == started.message_id]
    report = edits[-1].text
    assert report.startswith("Evaluation of C on BTC/USDT: out of sample only")
    assert "buy and hold" in report and "Random entries (100 runs)" in report and "Deflated Sharpe" in report
    assert photo.text.startswith("Evaluation of C on BTC/USDT (20d), out of sample: Total return ")
    assert_phone_png(photo.file_bytes)
    assert short.text.startswith("An evaluation needs at least 9 days; 5d is 5. Usage: /evaluate STRATEGY SYMBOL")
    # the period is long enough, the candles in it (from 2025-07-01) are not: said, with a command that runs
    assert thin.text.startswith("❌ Candles of BTC/USDT cover only 5 days of 2025-06-20..2025-07-05 "
                                "(2025-07-01..2025-07-05); /evaluate needs at least 9. "
                                "Try /backtest C BTC/USDT 2025-07-01..2025-07-05"), thin.text
    assert "trend cannot trade this data: its daily EMA200 regime needs 201 daily closes" in trend_done.text
    assert " C BTC/USDT " in runs.text


async def test_optimize_sweeps_in_the_background_and_keeps_or_proposes_parameters(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            # 90 days asked, 21 held: the folds are cut from the 21 (before: "a sweep needs at least 40 days")
            started = await telegram.ask(OWNER, "/optimize C BTC/USDT 90d")
            done = await telegram.wait_for(
                OWNER, lambda s: s.edited and s.message_id == started.message_id and "Optimisation of C" in s.text,
                timeout=90)
            wrong = await telegram.ask(OWNER, "/optimize Z")

    assert started.text.startswith("⏳ Optimisation C on BTC/USDT (90d): starting")
    assert done.text.startswith("Optimisation of C: ")
    assert "out of sample" in done.text
    assert "Sweep of C on BTC/USDT: 5 trials (grid), scored out of sample only" in done.text
    assert "(the strategy's defaults)" in done.text
    assert wrong.text.startswith("Unknown strategy 'Z'; use one of A, B, C, trend, ema_cross. Usage: /optimize")
