"""A chat command is answered promptly while the trading loop's strategy scan or a backtest works the CPU.

The scan and the bot share one process and one event loop, as in production; the busy strategy holds its scan
(pure-Python CPU work) until the test releases it, so the reply must come while the scan is still running.
"""
import asyncio
import time

from tests.fakes.bot_process import OWNER, bot_settings
from tests.fakes.busy_strategy import BusyStrategy
from tests.fakes.feature_bot import feature_bot
from tests.fakes.loop_rig import build_rig
from tests.fakes.openai_api import FakeOpenAI, late, text
from tests.fakes.shared_data import load_candles
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.strategies.book import StrategyBook

SECRETS = {"openai_api_key": "sk-e2e-secret-key-0000", "master_key": "e2e-master-secret"}
DEADLINE_S = 3.0          # generous for a CI machine shared by four test workers; a scan on the event loop holds
#                           the reply for 20 s
START_MS = 1_751_328_000_000 + 21 * 86_400_000


async def test_status_is_answered_while_the_loop_scan_works_the_cpu(tmp_path):
    busy = BusyStrategy()
    (tmp_path / "loop").mkdir()
    rig = await build_rig(tmp_path / "loop", load_candles("BTCUSDT-1m.csv.gz"), "BTC/USDT", START_MS,
                          StrategyBook([busy]))
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            rig.clock.advance(MINUTE_MS)
            tick = asyncio.create_task(rig.loop.on_candles_closed(await rig.market.poll(["BTC/USDT"],
                                                                                          [Timeframe.M1])))
            assert await asyncio.to_thread(busy.started.wait, DEADLINE_S * 5)
            asked = time.monotonic()
            status = await telegram.ask(OWNER, "/status", timeout=DEADLINE_S)
            waited = time.monotonic() - asked
            still_scanning = not busy.finished.is_set()
            busy.release()
            await asyncio.wait_for(tick, DEADLINE_S * 5)
    await rig.close()

    assert "Mode: paper" in status.text
    assert still_scanning and waited < DEADLINE_S


async def test_status_is_answered_within_the_deadline_while_a_backtest_runs(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            started = await telegram.ask(OWNER, "/backtest A BTC/USDT 30d")
            asked = time.monotonic()
            status = await telegram.ask(OWNER, "/status", timeout=DEADLINE_S)
            waited = time.monotonic() - asked
            photo = await telegram.wait_for(OWNER, lambda s: s.kind == "photo", timeout=60)

    assert started.text.startswith("⏳ Backtest A on BTC/USDT (30d): starting")
    assert "Mode: paper" in status.text and waited < DEADLINE_S
    assert telegram.sent.index(status) < telegram.sent.index(photo)        # answered while the backtest ran


async def test_status_and_a_chart_are_answered_while_an_llm_question_waits_for_its_answer(tmp_path):
    async with FakeTelegram() as telegram, FakeOpenAI(default=text("A quick answer.")) as fake:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, **SECRETS,
                                openai_base_url=fake.base_url, llm_model="fake-model")
        async with feature_bot(settings):
            fake.script(late(6.0, text("BTC is ranging; nothing to do.")))   # room for a first chart on a busy box
            telegram.user_says(OWNER, "How is BTC doing?")
            await fake.wait_for_calls(1, timeout=10)                  # its handler now waits on the LLM
            asked = time.monotonic()
            status = await telegram.ask(OWNER, "/status", timeout=DEADLINE_S)
            waited = time.monotonic() - asked
            chart = await telegram.ask(OWNER, "/chart BTC/USDT", timeout=5.0)
            answer = await telegram.wait_for(OWNER, lambda s: s.text.startswith("BTC is ranging"), timeout=10)

    assert "Mode: paper" in status.text and waited < DEADLINE_S
    assert chart.kind == "photo"
    assert telegram.sent.index(status) < telegram.sent.index(chart) < telegram.sent.index(answer)
