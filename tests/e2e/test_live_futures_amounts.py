"""A live futures /buy through the fake Bot API and the fake Binance (BTC/USDT:USDT: tick 0.10, step 0.001): the
card and the 2FA prompt show the amount on the step, and that very amount is the one placed."""
from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

from tests.e2e.test_live_approvals import CARD, code_reply, switched_on
from tests.e2e.test_live_futures_stops import perp_ending_today
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.live_bot import code_now, live_settings
from tests.fakes.live_futures_loop import PERP
from tests.fakes.telegram_api import FakeTelegram


def fill_of(card_text: str) -> Decimal:
    return Decimal(re.search(r"Est\. fill ([0-9,.]+)", card_text)[1].replace(",", ""))   # type: ignore[index]


async def test_the_2fa_prompt_names_the_amount_on_the_step_and_that_amount_is_placed(tmp_path):
    async with perp_ending_today() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, market_type="futures", symbols=PERP)
        async with running_bot(settings):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, f"/buy {PERP} 200", expect=CARD)
            approve = telegram.user_presses(OWNER, card.message_id, card.buttons[0][0]["callback_data"])
            assert (await telegram.answered(approve)).startswith("Approved: now send your 6-digit code")
            prompt = await telegram.wait_for(OWNER, lambda s: s.message_id > card.message_id
                                             and s.text.startswith("🔐 Send the"))
            placed = await code_reply(telegram, code_now(1))
    # 200 USDT at about 107,000-118,000 buys 0.0017... BTC: down on the 0.001 step, 0.001 is what the exchange gets
    fill = fill_of(card.text)
    amount = (Decimal(200) / fill).quantize(Decimal("0.001"), ROUND_DOWN)
    assert f"to send buy 0.001 {PERP} (card #" in prompt.text
    assert amount == Decimal("0.001") and fill == fill.quantize(Decimal("0.1"))
    # the card's value is worked out from the last price, which the fake's candles (real spot prices moved to
    # today) need not hold on the 0.1 tick the fill is shown on: within a cent of amount x the fill shown
    shown = re.search(rf"{re.escape(PERP)} BUY 0\.001 ≈ ([\d,]+\.\d\d) USDT \(market\)", card.text)
    assert shown and abs(Decimal(shown[1].replace(",", "")) - amount * fill) <= Decimal("0.01"), card.text
    (order,) = exchange.account.orders
    assert order.qty == amount and "Bought 0.001 BTC/USDT:USDT" in placed.text
