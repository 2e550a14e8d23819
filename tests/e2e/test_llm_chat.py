"""The running bot with an LLM (the fake OpenAI server) and the fake Telegram: it decides and trades in paper, and
the owner reads every decision, its reasoning and its prompt from the chat; without an LLM it says how to get one."""
import asyncio
import sqlite3

from tests.fakes.bot_process import bot_settings, running_bot
from tests.fakes.openai_api import FakeOpenAI, Received, Reply, decision, text
from tests.fakes.telegram_api import FakeTelegram

OWNER = 987654321
SECRETS = {"openai_api_key": "sk-e2e-secret-key-0000", "master_key": "e2e-master-secret"}
LONG_ANSWER = "This line belongs to a long answer about the market. " * 120     # ~6,500 characters


def assistant_llm(seen: Received) -> Reply:
    """Answer as a model would: pick the universe, answer questions, buy BTC when flat, else hold."""
    prompt = seen.prompt
    if "Candidates by 24h" in prompt:
        return text('{"symbols": ["ETH/USDT"], "reasons": "ETH moves more for its spread"}')
    if "Question:" in prompt:
        return text(LONG_ANSWER if "at length" in prompt else "You hold BTC bought by the LLM; no order was placed.")
    if "Symbol BTC/USDT" in prompt and "Position: none" in prompt:
        return decision("BUY", 0.9, size_pct=10, reasoning="e2e: demand below, buy a tenth")
    return decision("HOLD", 0.8, reasoning="e2e: nothing to do")


def settings_for(tmp_path, telegram, fake=None, **extra):
    values = dict(telegram_allowed_chat_ids=str(OWNER), **SECRETS, **extra)
    if fake is not None:
        values.update(openai_base_url=fake.base_url, llm_model="fake-model", llm_price_per_1m_input="1",
                      llm_price_per_1m_output="2")
    else:
        values.update(llm_enabled="false")
    return bot_settings(tmp_path, telegram.base_url, telegram.token, **values)


async def press(telegram: FakeTelegram, message, label_start: str, user_id: int = OWNER) -> None:
    button = next(b for row in message.buttons for b in row if b["text"].startswith(label_start))
    telegram.user_presses_as(OWNER, message.message_id, button["callback_data"], user_id)


async def test_the_llm_decides_trades_and_every_decision_is_readable_from_the_chat(tmp_path):
    async with FakeTelegram() as telegram, FakeOpenAI(default=assistant_llm) as fake:
        async with running_bot(settings_for(tmp_path, telegram, fake)):
            entry = await telegram.wait_for(OWNER, lambda s: s.text.startswith("ℹ️ ENTRY"), timeout=60)
            status = await telegram.ask(OWNER, "/status")

            page = await telegram.ask(OWNER, "/decisions")
            await press(telegram, page, "🧠")
            await press(telegram, page, "🧠")          # a double tap: claimed once, shown once
            reasoning = await telegram.wait_for(OWNER, lambda s: s.text.startswith("Decision #"))
            await press(telegram, page, "📝")
            prompt = await telegram.wait_for(OWNER, lambda s: s.text.startswith("Prompt of decision #"))
            shown = [s for s in telegram.replies_to(OWNER) if s.text.startswith("Decision #")]
            toasts = _toasts(telegram)
            await press(telegram, page, "🧠", user_id=555)         # someone else's press does nothing
            await _until(lambda: len(_toasts(telegram)) > len(toasts))    # but its spinner is stopped with a toast
            # what the press could have shown (trade notifications may arrive meanwhile and do not count)
            stranger_sent = len([s for s in telegram.replies_to(OWNER) if s.text.startswith("Decision #")]) - len(shown)
            btc_only = await telegram.ask(OWNER, "/decisions BTC/USDT")

            order_id = _first_order_id(tmp_path)
            why = await telegram.ask(OWNER, f"/why {order_id}")
            bad_why = await telegram.ask(OWNER, "/why P-99999")
            score = await telegram.ask(OWNER, "/llmscore 3")
            bad_score = await telegram.ask(OWNER, "/llmscore forever")
            universe = await telegram.ask(OWNER, "/universe refresh")
            answer = await telegram.ask(OWNER, "/ask what do I hold?")
            plain = await telegram.ask(OWNER, "and how is ETH doing?")
            before = len(telegram.replies_to(OWNER))
            await telegram.ask(OWNER, "/ask explain the market at length")
            await _until(lambda: len(telegram.replies_to(OWNER)) >= before + 2)
            long_parts = telegram.replies_to(OWNER)[before:before + 2]
    assert "[llm]" in entry.text and "e2e: demand below" in entry.text
    assert "Decides: LLM fake-model" in status.text and "LLM today:" in status.text and "calls" in status.text
    assert "Decisions" in page.text and "BUY" in page.text and any("🧠" in b["text"] for r in page.buttons for b in r)
    assert "Risk verdict:" in reasoning.text and "Rules would have:" in reasoning.text
    assert "Symbol " in prompt.text and "Allowed now:" in prompt.text
    assert stranger_sent == 0
    assert shown == [reasoning]
    assert "BTC/USDT" in btc_only.text and "ETH/USDT" not in btc_only.text
    assert "BUY" in why.text and "e2e: demand below" in why.text
    assert "No order or decision 'P-99999'" in bad_why.text
    assert "LLM vs rules, last 3 days" in score.text and "agreement" in score.text
    assert "not a number of days" in bad_score.text
    assert "ETH moves more" in universe.text and "DYNAMIC_SYMBOLS is off" in universe.text
    assert "no order was placed" in answer.text and "fake-model" in answer.text
    assert "no order was placed" in plain.text
    assert all(len(p.text) <= 4096 for p in long_parts)
    assert sum(len(p.text) for p in long_parts) >= len(LONG_ANSWER) - 10
    _assert_no_secret_in_any_prompt(fake, tmp_path)
    ask_prompts = [r.prompt for r in fake.calls if "Question:" in r.prompt]
    assert ask_prompts and all("Open positions" in p for p in ask_prompts)


async def test_without_an_llm_the_rules_decide_and_the_bot_says_how_to_enable_one(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(settings_for(tmp_path, telegram)):
            await telegram.wait_for(OWNER, lambda s: "Started in paper mode" in s.text)
            status = await telegram.ask(OWNER, "/status")
            answer = await telegram.ask(OWNER, "/ask should I buy?")
            plain = await telegram.ask(OWNER, "hello there")
            decisions = await telegram.ask(OWNER, "/decisions")
            universe = await telegram.ask(OWNER, "/universe")
            bad = await telegram.ask(OWNER, "/decisions DOGE/NOPE")
    assert "Decides: the rules (no LLM configured" in status.text
    assert "OPENAI_API_KEY" in answer.text and "OPENAI_BASE_URL" in answer.text and plain.text == answer.text
    assert "No decisions yet" in decisions.text
    assert "DYNAMIC_SYMBOLS is off" in universe.text and "No selection yet" in universe.text
    assert "Usage: /decisions [SYMBOL]" in bad.text


def _first_order_id(data_dir) -> str:
    with sqlite3.connect(data_dir / "trading.sqlite") as db:
        client_id = db.execute("SELECT order_id FROM decision_log WHERE order_id != '' ORDER BY id").fetchone()[0]
        return db.execute("SELECT id FROM orders WHERE client_order_id = ?", (client_id,)).fetchone()[0]


def _assert_no_secret_in_any_prompt(fake: FakeOpenAI, data_dir) -> None:
    prompts = [r.prompt for r in [*fake.calls, *fake.probes]]
    assert prompts
    for value in [*SECRETS.values(), str(OWNER), str(data_dir), "123456789:TEST-token"]:
        assert not any(value in p for p in prompts), value


def _toasts(telegram: FakeTelegram) -> list[str]:
    return [p.get("text") for m, p in telegram.calls if m == "answerCallbackQuery" and p.get("text")]


async def _until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
