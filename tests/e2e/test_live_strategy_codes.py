"""In live mode the chat's changes to what the strategies trade take a two-factor code, as raising a risk limit
does: putting tuned parameters back to their (possibly looser) defaults, and switching a strategy on (typed or by
its button). Nothing changes before the right code; a wrong one changes nothing. Switching one off stays free."""
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.live_bot import code_now, fake_binance, live_settings, wrong_code
from tests.fakes.telegram_api import FakeTelegram

TUNED = "sweep_lookback = 8 (default 16, 1..500) ✏️"


async def params(telegram):
    return (await telegram.ask(OWNER, "/params C", expect="Parameters of")).text


async def test_putting_tuned_parameters_back_to_the_defaults_in_live_mode_needs_a_code(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            await telegram.ask(OWNER, "/params C sweep_lookback 8", expect="Changing a strategy's parameters")
            await telegram.ask(OWNER, code_now(), expect="✅ Code accepted")
            tuned = await params(telegram)
            asked_all = await telegram.ask(OWNER, "/params C default", expect=("Changing", "✅"))
            wrong = await telegram.ask(OWNER, wrong_code(), expect="❌")
            after_wrong = await params(telegram)
            asked_one = await telegram.ask(OWNER, "/params C sweep_lookback default", expect=("Changing", "✅"))
            kept = await params(telegram)
            right = await telegram.ask(OWNER, code_now(1), expect="✅ Code accepted")
            back = await params(telegram)
    assert TUNED in tuned
    assert asked_all.text.startswith("Changing a strategy's parameters in live mode needs a code. 🔐")
    assert "to put C sweep_lookback back to the default" in asked_all.text
    assert wrong.text.startswith("❌ Wrong code; nothing was done.") and TUNED in after_wrong
    assert asked_one.text.startswith("Changing a strategy's parameters in live mode needs a code. 🔐")
    assert TUNED in kept
    assert right.text.startswith("✅ Code accepted. ✅ C: sweep_lookback 8 → 16, applied now.")
    assert "sweep_lookback = 16 (1..500)" in back


async def test_switching_a_strategy_on_in_live_mode_needs_a_code_and_off_does_not(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            off = await telegram.ask(OWNER, "/strategies B off", expect="Strategy")
            asked = await telegram.ask(OWNER, "/strategies B on", expect=("Switching", "Strategy"))
            wrong = await telegram.ask(OWNER, wrong_code(), expect="❌")
            listing = await telegram.ask(OWNER, "/strategies", expect="Strategies")
            button = next(b["callback_data"] for row in listing.buttons for b in row if b["text"] == "▶️ Switch on B")
            press = telegram.user_presses(OWNER, listing.message_id, button)
            toast = await telegram.answered(press)
            prompt = await telegram.wait_for(OWNER, lambda s: s.text.startswith("Switching") and s is not asked)
            still_off = await telegram.ask(OWNER, "/strategies", expect="Strategies")
            right = await telegram.ask(OWNER, code_now(), expect="✅ Code accepted")
            on = await telegram.ask(OWNER, "/strategies", expect="Strategies")
    assert off.text == "Strategy B switched off."
    assert asked.text.startswith("Switching a strategy on in live mode needs a code: it then opens positions by "
                                 "itself. 🔐 Send the 6-digit code from your authenticator app to switch strategy "
                                 "B on.")
    assert wrong.text.startswith("❌ Wrong code; nothing was done.") and "⏸ B" in listing.text
    assert toast == "Now send your 6-digit code in our private chat." and "switch strategy B on" in prompt.text
    assert "⏸ B" in still_off.text
    assert right.text == "✅ Code accepted. Strategy B switched on."
    assert "✅ B" in on.text


async def test_a_double_tap_on_switch_on_in_live_mode_asks_for_one_code_once(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            await telegram.ask(OWNER, "/strategies B off", expect="Strategy")
            listing = await telegram.ask(OWNER, "/strategies", expect="Strategies")
            button = next(b["callback_data"] for row in listing.buttons for b in row if b["text"] == "▶️ Switch on B")
            first = telegram.user_presses(OWNER, listing.message_id, button)
            second = telegram.user_presses(OWNER, listing.message_id, button)     # a double tap
            toasts = {await telegram.answered(first), await telegram.answered(second)}
            on = await telegram.ask(OWNER, "/strategies", expect="Strategies")   # after both presses were handled
    prompts = [s for s in telegram.replies_to(OWNER) if s.text.startswith("Switching")]
    assert toasts == {"Now send your 6-digit code in our private chat.",
                      "Just shown above; press again in a few seconds for a fresh one."}, toasts
    assert len(prompts) == 1 and "switch strategy B on" in prompts[0].text, [p.text for p in prompts]
    assert "⏸ B" in on.text
