"""A paper round trip from the chat, checked to the cent against a hand computation, and kept over a restart.

The replay clock is slowed so every command sees the same last price: the close of the 2025-07-21 23:59 BTC/USDT
candle, 117,380.36. Fees 0.1% taker; slippage 2 bps on a price tick (no volume known), then onto the 0.01
tick grid against us.
  buy 1000 USDT:  price 117,380.36 x 1.0002 = 117,403.836072 -> ceil to tick 117,403.84
                  amount = floor5(1000 / (117,403.84 x 1.001)) = 0.00850
                  cost 0.0085 x 117,403.84 = 997.93264, fee 0.99793264
                  cash 10,000 - 997.93264 - 0.99793264 = 9,001.06942736
  sell 50%:       0.00425 at 117,380.36 x 0.9998 = 117,356.883928 -> floor to tick 117,356.88
                  proceeds 498.76674, fee 0.49876674
                  cash 9,001.06942736 + 498.76674 - 0.49876674 = 9,499.33740062
  equity at 117,380.36: 9,499.33740062 + 0.00425 x 117,380.36 = 9,998.20393062
  after a restart, close the rest: 0.00425 at 117,356.88 -> 498.76674, fee 0.49876674
                  cash 9,499.33740062 + 498.76674 - 0.49876674 = 9,997.60537388, flat
                  PnL -2.39462612 (-0.02%): the price moved against us (117,356.88 - 117,403.84) x 0.0085 = -0.39916,
                  minus fees 0.99793264 + 2 x 0.49876674 = 1.99546612: -0.39916 - 1.99546612 = -2.39462612
"""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


async def test_a_paper_trade_from_the_chat_matches_the_hand_computation_and_survives_a_restart(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            bought = await telegram.ask(OWNER, "/buy BTC/USDT 1000")
            assert bought.text == "✅ Bought 0.00850 BTC/USDT at 117,403.84 (value 997.93, fee 0.9979), order P-1"
            balance = await telegram.ask(OWNER, "/balance")
            assert "Cash: 9,001.07 (available 9,001.07" in balance.text
            sold = await telegram.ask(OWNER, "/sell BTC/USDT 50%")
            assert sold.text == "✅ Sold 0.00425 BTC/USDT at 117,356.88 (value 498.77, fee 0.4988), order P-2"
            balance = await telegram.ask(OWNER, "/balance")
            assert "Equity: 9,998.20 USDT" in balance.text and "Cash: 9,499.34" in balance.text
            assert "Holdings: 0.00425 BTC" in balance.text
            trades = await telegram.ask(OWNER, "/trades")
            assert trades.text.count("BTC/USDT") == 2

        before = len(telegram.replies_to(OWNER))
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before)
            balance = await telegram.ask(OWNER, "/balance")
            assert "Cash: 9,499.34" in balance.text and "Holdings: 0.00425 BTC" in balance.text
            positions = await telegram.ask(OWNER, "/positions")
            assert "BTC/USDT LONG 0.00425" in positions.text and "Entry 117,403.84" in positions.text
            closed = await telegram.ask(OWNER, "/close BTC/USDT")
            assert closed.text == "✅ Sold 0.00425 BTC/USDT at 117,356.88 (value 498.77, fee 0.4988), order P-3"
            balance = await telegram.ask(OWNER, "/balance")
            assert "Equity: 9,997.61 USDT" in balance.text and "PnL since start: -2.39 (-0.02%)" in balance.text
            assert "Holdings" not in balance.text
            assert (await telegram.ask(OWNER, "/positions")).text.startswith("No open positions")


async def test_bad_order_input_is_answered_and_changes_nothing(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            replies = {text: (await telegram.ask(OWNER, text)).text for text in (
                "/buy BTC/USDT", "/buy BTC/USDT -5", "/buy BTC/USDT 100 limit", "/buy DOGE/USDT 100",
                "/buy BTC/USDT 1", "/sell BTC/USDT", "/sell BTC/USDT 150%", "/short BTC/USDT 100",
                "/cancel 42", "/close", "/trades 0")}
            balance = await telegram.ask(OWNER, "/balance")
    assert replies["/buy BTC/USDT"].startswith("The amount in USDT is missing. Usage: /buy SYMBOL AMOUNT_USDT")
    assert replies["/buy BTC/USDT -5"].startswith("The amount must be positive, got '-5'")
    assert replies["/buy BTC/USDT 100 limit"].startswith("The limit price is missing after 'limit'. Usage: /buy")
    assert replies["/buy DOGE/USDT 100"].startswith("Unknown symbol 'DOGE/USDT'")
    assert replies["/buy BTC/USDT 1"] == ("1 USDT is below the 5 USDT minimum for BTC/USDT; try /buy BTC/USDT 6 "
                                          "(the smallest order, 0.00005 BTC at 117,380.36, costs 5.88 USDT with the "
                                          "fee).")
    assert replies["/sell BTC/USDT"] == "No long position in BTC/USDT for /sell. /positions lists what is open."
    assert replies["/sell BTC/USDT 150%"].startswith("No long position")
    assert replies["/short BTC/USDT 100"].startswith("Shorting needs futures mode")
    assert replies["/cancel 42"].startswith("No open order '42'")
    assert replies["/close"] == "Usage: /close SYMBOL, e.g. /close BTC/USDT"
    assert replies["/trades 0"].startswith("Give a number from 1 to 50")
    assert "Equity: 10,000.00 USDT" in balance.text
