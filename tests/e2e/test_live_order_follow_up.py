"""An approved live order that filled stays done when following it up fails: the exchange answers the position
look-ups after the order with errors, and the reply is still the receipt (never "nothing was changed", which made
the user place it twice), the card records it placed, and exactly one order went out."""
from __future__ import annotations

import sqlite3

from tests.e2e.test_live_approvals import CARD, approval_id, switched_on
from tests.e2e.test_live_futures_stops import approve_with_code, perp_ending_today, wait_until
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.live_bot import live_settings
from tests.fakes.live_futures_loop import PERP
from tests.fakes.telegram_api import FakeTelegram

LATE = "the bot will pick the position up at its next check"


async def test_a_filled_order_whose_position_look_up_fails_is_still_receipted_and_recorded_placed(tmp_path):
    async with perp_ending_today() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, market_type="futures", symbols=PERP)
        async with running_bot(settings):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, f"/buy {PERP} 200", expect=CARD)
            # every retry of the two position look-ups right after the order fails: the broker's own (it logs and
            # goes on), then the engine's sync of the filled order (a RetryableError that reached the chat)
            exchange.arm_after("POST", "/fapi/v1/order", Fault(FaultKind.SERVER_ERROR, 10, "/fapi/v3/positionRisk"))
            placed = await approve_with_code(telegram, card)
            edited = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            picked_up = await wait_until(lambda: exchange.account.position("BTCUSDT") != 0)
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        (result,) = db.execute("SELECT result FROM confirmations WHERE id = ?", (approval_id(card),)).fetchone()
    assert placed.text.startswith("✅ Code accepted. ✅ Bought 0.001 BTC/USDT:USDT"), placed.text
    assert LATE in placed.text and "Nothing was changed" not in placed.text
    assert edited.text.startswith("✅ Approved and sent") and LATE in edited.text
    assert result.startswith("placed: ") and LATE in result
    assert exchange.count("/fapi/v1/order", "POST") == 1 and picked_up
