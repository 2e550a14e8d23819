"""A two-factor code typed in another form (123-456, "code: 123 456", 12 34 56.) is read as a code, deleted, and
never handed to the question answerer (whose prompt goes to an LLM provider)."""
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.live_bot import code_now, fake_binance, live_settings, previous_code
from tests.fakes.telegram_api import FakeTelegram

ASKED = "🔐 Send the 6-digit code"


async def test_codes_in_other_forms_are_codes_and_never_questions(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            await telegram.ask(OWNER, "/live on", expect=ASKED)
            code = await previous_code()
            dashed = telegram.user_says(OWNER, f"code: {code[:3]}-{code[3:]}")
            accepted = await telegram.wait_for(OWNER, lambda s: "Code accepted" in s.text)
            await telegram.ask(OWNER, "/live off", expect="⏸ Live trading paused")
            await telegram.ask(OWNER, "/live on", expect=ASKED)
            short = telegram.user_says(OWNER, f"it is {code[:2]} {code[2:4]} {code[4]}?")     # five digits
            told = await telegram.wait_for(OWNER, lambda s: s.text.startswith("A code is the six digits"))
            spaced = telegram.user_says(OWNER, " ".join(code_now()[i:i + 2] for i in (0, 2, 4)) + ".")
            again = await telegram.wait_for(OWNER, lambda s: "Code accepted" in s.text and s is not accepted)
            question = await telegram.ask(OWNER, "what is my balance?")     # no code awaited: a question again
    assert "Live trading is ON" in accepted.text and "Live trading is ON" in again.text
    assert told.text.endswith("Nothing was done; type the code again.")
    assert {(OWNER, m["message_id"]) for m in (dashed, short, spaced)} <= set(telegram.deleted)
    # before: each of these went to the question answerer ("No LLM is configured" here; the provider, with one)
    llm_replies = [s for s in telegram.replies_to(OWNER) if "No LLM is configured" in s.text]
    assert llm_replies == [question], [s.text[:40] for s in llm_replies]
