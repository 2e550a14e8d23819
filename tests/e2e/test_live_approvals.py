"""Live orders from the phone through the fake Bot API and the fake Binance: a card, Approve, a 2FA code, exactly
one order with the approval's client id; every other press or code places nothing and says why."""
import sqlite3
from decimal import Decimal

from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.live_bot import bought_for_100, code_now, fake_binance, live_settings, wrong_code
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.instruments import MarketKind
from trading.domain.manual_orders import approval_client_id

GROUP, MEMBER = -100777, 555
PAUSED = "Live mode: armed but PAUSED"
CARD = "🔐 Live order: approve?"


def approval_id(card) -> str:
    return card.buttons[0][0]["callback_data"].split(":")[2].rpartition(".")[0]


async def press(telegram, card, which=0, user=None, chat=OWNER):
    return await telegram.answered(telegram.user_presses(chat, card.message_id, card.buttons[0][which]["callback_data"],
                                                         user_id=user))


async def started(telegram):
    await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)


async def switched_on(telegram):
    await started(telegram)
    await telegram.ask(OWNER, "/live on", expect="🔐 Send")
    assert await telegram.ask(OWNER, code_now(), expect="✅ Code accepted. 🟢 Live trading is ON")
    await telegram.wait_for(OWNER, lambda s: "Live trading ON (Telegram user " in s.text)     # the announcement


async def code_reply(telegram, code, chat=OWNER, user=None):
    """Send a code and return the bot's new message about it (edits of cards are skipped)."""
    before = len(telegram.replies_to(chat))
    telegram.user_says(chat, code, user_id=user)
    return await telegram.wait_for(chat, lambda s: not s.edited and telegram.replies_to(chat).index(s) >= before)


async def test_an_approved_buy_places_exactly_one_order_with_the_approvals_client_id(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await started(telegram)
            refused = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect="Not opened")
            await switched_on(telegram)
            card = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect=CARD)
            approve = telegram.user_presses(OWNER, card.message_id, card.buttons[0][0]["callback_data"])
            assert (await telegram.answered(approve)).startswith("Approved: now send your 6-digit code")
            assert (await press(telegram, card)).startswith("Already approved: waiting for your code")
            assert exchange.account.orders == [], "nothing leaves before the code"
            placed = await code_reply(telegram, code_now(1))
            edited = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            again = await press(telegram, card)
            telegram.redeliver(approve)
            balance = await telegram.ask(OWNER, "/balance", expect="Balance")
    assert refused.text.startswith("Not opened: Live trading is paused")
    amount = bought_for_100(card.text)
    assert card.text.startswith(CARD) and f"BTC/USDT BUY {amount} ≈ 100.00 USDT (market)" in card.text
    assert "Est. fill" in card.text and "fees ≈ 0.1000 USDT" in card.text and "Stop " in card.text
    assert "risk ≈" in card.text
    (order,) = exchange.account.orders
    assert order.client_id == approval_client_id(approval_id(card), 0) and order.side == "BUY"
    assert placed.text.startswith(f"✅ Code accepted. ✅ Bought {amount} BTC/USDT")
    assert edited.text.startswith("✅ Approved and sent") and edited.buttons == []
    assert again.startswith("Already answered") and f"{amount} BTC" in balance.text


async def test_other_users_tap_a_double_tap_a_wrong_code_and_reject_place_nothing(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, telegram_allowed_chat_ids=f"{OWNER},{GROUP}",
                                 telegram_allowed_user_ids=f"{OWNER},{MEMBER}")
        async with running_bot(settings):
            await switched_on(telegram)
            card = await telegram.ask(GROUP, "/buy BTC/USDT 50", user_id=OWNER, expect=CARD)
            by_member = await press(telegram, card, user=MEMBER, chat=GROUP)
            first = await press(telegram, card, user=OWNER, chat=GROUP)
            second = await press(telegram, card, user=OWNER, chat=GROUP)
            prompt = await telegram.wait_for(OWNER, lambda s: "to send buy 50.00 USDT BTC/USDT" in s.text)
            in_group = await code_reply(telegram, code_now(1), GROUP, OWNER)
            wrong = await code_reply(telegram, wrong_code())
            rejected = await press(telegram, card, which=1, user=OWNER, chat=GROUP)
            ended = await telegram.wait_for(GROUP, lambda s: s.edited and s.message_id == card.message_id)
            late = await code_reply(telegram, code_now(1))
    assert by_member.startswith("This card belongs to the person who asked")
    assert first.startswith("Approved") and second.startswith("Already approved") and prompt
    assert in_group.text.startswith("Codes are read only in our private chat")
    assert wrong.text.startswith("❌ Wrong code; nothing was done. 4 tries left")
    assert rejected.startswith("Rejected") and ended.text.startswith("❌ Rejected") and ended.buttons == []
    assert late.text.startswith("No action is waiting for a code")
    assert exchange.account.orders == []


async def test_an_expired_card_loses_its_buttons_and_its_press_places_nothing(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange, approval_timeout_seconds=5)):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect=CARD)
            expired = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id,
                                              timeout=20)
            late = await press(telegram, card)
    assert expired.text.startswith("⌛ Expired: nothing was placed") and expired.buttons == []
    assert late.startswith("This card expired") and exchange.account.orders == []


async def test_a_price_move_beyond_the_slippage_refreshes_the_card_instead_of_placing(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect=CARD)
            exchange.board.by_id(MarketKind.SPOT, "BTCUSDT").moved_by = Decimal("1.01")
            toast = await press(telegram, card)     # answered from the database; the re-quote comes after it
            fresh = await telegram.wait_for(OWNER, lambda s: s.text.startswith(CARD) and "moved" in s.text)
            old = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            withdrawn = await telegram.wait_for(OWNER, lambda s: s.text.startswith("♻️ No code needed"))
            assert (await press(telegram, fresh)).startswith("Approved")
            telegram.user_says(OWNER, code_now(1))
            placed = await telegram.wait_for(OWNER, lambda s: s.text.startswith("✅ Code accepted. ✅ Bought"))
    assert toast.startswith("Approved: now send your 6-digit code")
    assert withdrawn.text.startswith(f"♻️ No code needed for card #{approval_id(card)[:4]} any more: the price "
                                     f"moved 100 bps") and "press Approve there" in withdrawn.text
    assert "the price moved 100 bps (more than 50 allowed)" in fresh.text
    assert old.text.startswith("♻️ Replaced by a new card") and old.buttons == []
    (order,) = exchange.account.orders
    assert order.client_id == approval_client_id(approval_id(fresh), 0) and "Bought" in placed.text


async def test_cards_from_before_a_restart_expire_and_a_claimed_one_is_settled_by_its_client_id(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange)
        async with running_bot(settings):
            await switched_on(telegram)
            stale = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect=CARD)
            sent = await telegram.ask(OWNER, "/buy BTC/USDT 60", expect=CARD)
            await press(telegram, sent)
            await code_reply(telegram, code_now(1))
            unsent = await telegram.ask(OWNER, "/buy BTC/USDT 70", expect=CARD)
        with sqlite3.connect(tmp_path / "trading.sqlite") as db:   # as if the process died mid-placement
            db.execute("UPDATE confirmations SET state = 'claimed', result = '' WHERE id IN (?, ?)",
                       (approval_id(sent), approval_id(unsent)))
        before = len(telegram.sent)
        async with running_bot(settings):
            told = await telegram.wait_for(OWNER, lambda s: "before the restart" in s.text and
                                           telegram.sent.index(s) >= before, timeout=30)
            late = await press(telegram, stale)
            refused = await telegram.ask(OWNER, "/buy BTC/USDT 10", expect="Not opened")
    assert told.text.count("Card from before the restart expired, nothing placed") == 1
    assert "buy 60.00 USDT BTC/USDT) was placed before the restart" in told.text
    assert "buy 70.00 USDT BTC/USDT) was not placed" in told.text
    assert late.startswith("This card expired") and refused.text.startswith("Not opened: Live trading is paused")
    (order,) = exchange.account.orders
    assert order.client_id == approval_client_id(approval_id(sent), 0)


async def test_a_claimed_card_whose_look_up_fails_at_a_restart_may_have_gone_out_and_is_settled_at_the_next(tmp_path):
    # before: a failed look-up read as "no such order": "was not placed" while the order may be live
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange)
        async with running_bot(settings):
            await switched_on(telegram)
            unsent = await telegram.ask(OWNER, "/buy BTC/USDT 70", expect=CARD)
        with sqlite3.connect(tmp_path / "trading.sqlite") as db:   # as if the process died as the order left
            db.execute("UPDATE confirmations SET state = 'claimed', result = '' WHERE id = ?", (approval_id(unsent),))
        exchange.faults.arm(Fault(FaultKind.AUTH_ERROR, 1000, "/api/v3/order", method="GET"))
        before = len(telegram.sent)
        async with running_bot(settings):
            unknown = await telegram.wait_for(OWNER, lambda s: "before the restart" in s.text and
                                              telegram.sent.index(s) >= before, timeout=30)
        exchange.faults.clear()
        before = len(telegram.sent)
        async with running_bot(settings):
            settled = await telegram.wait_for(OWNER, lambda s: "before the restart" in s.text and
                                              telegram.sent.index(s) >= before, timeout=30)
    assert "buy 70.00 USDT BTC/USDT) MAY have reached the exchange: looking it up failed" in unknown.text
    assert "check /orders and /positions before placing it again" in unknown.text and "not placed" not in unknown.text
    # the card stayed claimed: the next start looks it up again, and the exchange has no such order
    assert "buy 70.00 USDT BTC/USDT) was not placed" in settled.text and exchange.account.orders == []


async def test_live_off_refuses_an_approved_entry_at_the_press_and_at_the_code_by_name(tmp_path):
    # the one entry gate holds while live is paused: a card shown while live was on places nothing afterwards
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await switched_on(telegram)
            pressed_card = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect=CARD)
            coded_card = await telegram.ask(OWNER, "/buy ETH/USDT 100", expect=CARD)
            assert (await press(telegram, coded_card)).startswith("Approved: now send your 6-digit code")
            await telegram.ask(OWNER, "/live off", expect="⏸")
            at_press = await press(telegram, pressed_card)
            pressed = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == pressed_card.message_id
                                              and "Not placed" in s.text)
            at_code = await code_reply(telegram, code_now(1))
            coded = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == coded_card.message_id
                                            and "Not placed" in s.text)
    assert at_press.startswith("Not placed") and exchange.account.orders == []
    for card in (pressed.text, coded.text):
        assert "Not opened: Live trading is paused" in card and "/live on" in card, card
    assert at_code.text == ("✅ Code accepted, but nothing was placed: Not opened: Live trading is paused (a live "
                            "process always starts paused). /live on and a code lift it.")
