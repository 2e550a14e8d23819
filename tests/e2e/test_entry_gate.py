"""Every brake refuses new positions typed in the chat, names itself and how to lift it; exits still go through.

Paper futures on the bundled replay. The first run opens a long and a short with no brake set; the second
run starts with one brake that trips at once (or /kill), then /buy and /short are refused and /sell and
/close work. Waits are on replies and pushes, never on time.
"""
import pytest

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.chat_checks import reply
from tests.fakes.telegram_api import FakeTelegram

BRAKES = {
    # rule: (settings of the second run, the push that says it tripped or None, the refusal's words)
    "kill switch": ({}, None, "Kill switch is on (by /kill at "),
    # the first run's two entries cost about 0.5 USDT in fees and slippage: past 0.001% of 10,000 (0.1)
    "drawdown halt": ({"max_drawdown_pct": "0.001"}, "RISK LIMIT: drawdown halt", "Drawdown halt: equity "),
    "daily loss limit": ({"daily_loss_limit_pct": "0.001"}, "RISK LIMIT: daily loss limit hit",
                         "Daily loss limit hit: "),
    # the replay moves a minute a second: the first new close is a move above 0.0001%
    "circuit breaker": ({"breaker_move_pct": "0.0001", "replay_speed": 60.0, "breaker_cooldown_minutes": 600},
                        "CIRCUIT BREAKER tripped", "Circuit breaker is on: "),
}
LIFT = {"kill switch": "/resume lifts it.", "drawdown halt": "/resume lifts it.",
        "daily loss limit": "New positions are refused until midnight UTC", "circuit breaker": "it lifts by itself"}


def is_receipt(s) -> bool:
    return s.text.startswith(("✅", "Not opened", "Order refused", "No "))


@pytest.mark.parametrize("brake", list(BRAKES))
async def test_a_brake_refuses_buy_and_short_by_name_and_lets_sell_and_close_through(tmp_path, brake):
    overrides, tripped, words = BRAKES[brake]
    async with FakeTelegram() as telegram:
        calm = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001, market_type="futures")
        async with running_bot(calm):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            assert (await reply(telegram, OWNER, "/buy BTC/USDT 200", is_receipt)).text.startswith("✅ Bought")
            assert (await reply(telegram, OWNER, "/short ETH/USDT 200", is_receipt)).text.startswith("✅ Opened short")
        before = len(telegram.sent)
        braked = bot_settings(tmp_path, telegram.base_url, telegram.token, **{"replay_speed": 0.001,
                                                                              "market_type": "futures", **overrides})
        async with running_bot(braked):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before,
                                    timeout=30)
            if tripped is None:
                await reply(telegram, OWNER, "/kill", lambda s: "Kill switch on" in s.text)
            else:
                await telegram.wait_for(OWNER, lambda s: tripped in s.text, timeout=30)
            bought = await reply(telegram, OWNER, "/buy BTC/USDT 100", is_receipt)
            shorted = await reply(telegram, OWNER, "/short ETH/USDT 100", is_receipt)
            sold = await reply(telegram, OWNER, "/sell BTC/USDT 50%", is_receipt)
            covered = await reply(telegram, OWNER, "/close ETH/USDT", is_receipt)
            closed = await reply(telegram, OWNER, "/close BTC/USDT", is_receipt)
            positions = await reply(telegram, OWNER, "/positions", lambda s: "position" in s.text)
    for refusal in (bought.text, shorted.text):
        assert refusal.startswith(f"Not opened: {words}") and LIFT[brake] in refusal, refusal
    assert sold.text.startswith("✅ Sold") and covered.text.startswith("✅ Covered")
    assert closed.text.startswith("✅ Sold") and positions.text.startswith("No open positions")
    said = [s.text for s in telegram.replies_to(OWNER)[before:]]
    assert not any("chat:" in t or "closed outside" in t for t in said), said


async def test_a_manual_position_counts_against_the_maximum_before_the_next_candle(tmp_path):
    # replay_speed 0.001: no candle closes during the test, so only the orders themselves can tell the engine
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001,
                                max_open_positions=1)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            first = await reply(telegram, OWNER, "/buy BTC/USDT 100", is_receipt)
            second = await reply(telegram, OWNER, "/buy ETH/USDT 100", is_receipt)
            risk = await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))
            closed = await reply(telegram, OWNER, "/close BTC/USDT", is_receipt)
            after_close = await reply(telegram, OWNER, "/buy ETH/USDT 100", is_receipt)
    assert first.text.startswith("✅ Bought")
    # before: the second /buy opened a second position; the engine learnt of the first at the next candle
    assert second.text.startswith("Not opened: 1 position open, the maximum is 1 (MAX_OPEN_POSITIONS)"), second.text
    assert "Positions 1/1" in risk.text, risk.text
    # and a closed one frees its place at once
    assert closed.text.startswith("✅ Sold") and after_close.text.startswith("✅ Bought"), after_close.text
