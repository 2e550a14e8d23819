"""What the chat says about positions is what the bot does with them (paper futures on the bundled replay).

A /buy under a short is refused with what to type; a /cover that buys the short back is the
user's own exit (never "closed outside the bot"); /positions shows the stop the engine guards with; after
/kill flat, /positions lists nothing. replay_speed 0.001: no candle closes during the test, so only the orders
themselves can tell the engine. BTC/USDT last 117,380.36: /short 200 sells 0.00170 BTC at 117,356.88, and
/cover all buys the 0.00170 back. Its hard stop, 10% at 5x: 117,356.88 x 1.02 =
119,704.0176, down to the tick 119,704.01.
"""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.chat_checks import reply
from tests.fakes.telegram_api import FakeTelegram


def is_receipt(s) -> bool:
    return s.text.startswith(("✅", "Not ", "Order refused", "No ", "Limit "))


def is_positions(s) -> bool:
    return "positions" in s.text


async def test_the_chat_tells_the_truth_about_reversals_stops_and_a_flattened_account(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001,
                                market_type="futures")
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            shorted = await reply(telegram, OWNER, "/short BTC/USDT 200", is_receipt)
            reversing = await reply(telegram, OWNER, "/buy BTC/USDT 400", is_receipt)
            guarded = await reply(telegram, OWNER, "/positions", is_positions)
            bought_back = await reply(telegram, OWNER, "/cover BTC/USDT all", is_receipt)
            after_buy = await reply(telegram, OWNER, "/positions", is_positions)
            await reply(telegram, OWNER, "/short ETH/USDT 100", is_receipt)
            await reply(telegram, OWNER, "/kill flat", lambda s: "Kill switch on" in s.text)
            after_kill = await reply(telegram, OWNER, "/positions", is_positions)
            await telegram.wait_for(OWNER, lambda s: "EXIT short ETH/USDT [manual]: kill switch (flat)" in s.text,
                                    timeout=20)
    assert shorted.text.startswith("✅ Opened short 0.00170 BTC/USDT at 117,356.88"), shorted.text
    assert reversing.text == ("Not placed: you hold a short of 0.00170 BTC in BTC/USDT: /cover BTC/USDT AMOUNT (or "
                              "all) reduces it, /close BTC/USDT closes it; /buy opens or adds to a long."), \
        reversing.text
    # before: "Stop – · target –" while the engine guarded it with its 10% hard stop
    assert "Stop 119,704.01 (hard stop) · target none" in guarded.text, guarded.text
    assert bought_back.text.startswith("✅ Covered 0.00170 BTC/USDT"), bought_back.text
    assert after_buy.text.startswith("No open positions"), after_buy.text
    # before: the flattened ETH short was still listed until the next tick
    assert after_kill.text.startswith("No open positions"), after_kill.text
    said = [s.text for s in telegram.replies_to(OWNER)]
    # before: the buy-back was pushed as "closed outside the bot" (or as "the bot's exit order ... while the bot
    # was down"): the user's own exit is told by its reply alone
    assert not any("closed outside" in t or "EXIT short BTC/USDT" in t for t in said), said
