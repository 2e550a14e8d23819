"""Who may do what in the chat, through the fake Bot API: buttons answer only their asker, once; other users,
edits and forwards never execute; every press is answered."""
import sqlite3

from bot.auth import REFUSED_PRESS
from bot.callback_data import OUT_OF_DATE
from bot.command_origin import EDITED, FORWARDED
from bot.confirmation_cards import TOASTS
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.confirmations import ClaimOutcome

GROUP, MEMBER, STRANGER = -100500, 666, 999
RESET_DONE = "Paper account reset to 10,000.00 USDT."
BOUGHT = "✅ Bought"


def paper_bot(tmp_path, telegram, **overrides):
    return bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001, **overrides)


def group_bot(tmp_path, telegram, users=f"{OWNER},{MEMBER}"):
    return paper_bot(tmp_path, telegram, telegram_allowed_chat_ids=f"{OWNER},{GROUP}",
                     telegram_allowed_user_ids=users)


async def reset_card(telegram, chat, user=None):
    card = await telegram.ask(chat, "/reset_paper", user_id=user)
    assert card.text.startswith("Reset the paper account?")
    yes, no = card.buttons[0]
    return card, yes["callback_data"], no["callback_data"]


def resets(telegram, chat):
    return [s for s in telegram.replies_to(chat) if s.edited and s.text == RESET_DONE]


async def test_another_users_press_does_nothing_and_the_owners_double_press_resets_once(tmp_path):
    async with FakeTelegram() as telegram, running_bot(group_bot(tmp_path, telegram)):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        assert (await telegram.ask(GROUP, "/buy BTC/USDT 100", user_id=OWNER)).text.startswith(BOUGHT)
        card, yes, _ = await reset_card(telegram, GROUP, user=OWNER)

        by_member = telegram.user_presses(GROUP, card.message_id, yes, user_id=MEMBER)
        assert await telegram.answered(by_member) == TOASTS[ClaimOutcome.NOT_YOURS]
        assert "Holdings: 0.00085 BTC" in (await telegram.ask(OWNER, "/balance")).text, "nothing was reset"

        first = telegram.user_presses(GROUP, card.message_id, yes, user_id=OWNER)
        second = telegram.user_presses(GROUP, card.message_id, yes, user_id=OWNER)
        assert await telegram.answered(first) == ""
        assert await telegram.answered(second) == TOASTS[ClaimOutcome.ALREADY_ANSWERED]
        await telegram.wait_for(GROUP, lambda s: s.edited and s.text == RESET_DONE)
        assert (await telegram.ask(GROUP, "/buy BTC/USDT 100", user_id=OWNER)).text.startswith(BOUGHT)
        third = telegram.user_presses(GROUP, card.message_id, yes, user_id=OWNER)
        assert await telegram.answered(third) == TOASTS[ClaimOutcome.ALREADY_ANSWERED]
        balance = await telegram.ask(OWNER, "/balance")
    assert len(resets(telegram, GROUP)) == 1
    assert "Holdings: 0.00085 BTC" in balance.text, "the buy after the reset is still there: it reset once"


async def test_a_redelivered_press_and_a_card_from_before_a_restart_do_nothing(tmp_path):
    async with FakeTelegram() as telegram:
        settings = paper_bot(tmp_path, telegram)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            done, yes, _ = await reset_card(telegram, OWNER)
            press = telegram.user_presses(OWNER, done.message_id, yes)
            await telegram.wait_for(OWNER, lambda s: s.edited and s.text == RESET_DONE)
            await telegram.ask(OWNER, "/buy BTC/USDT 100")
            telegram.redeliver(press)                        # Telegram sends the same update again
            await telegram.ask(OWNER, "/status")             # handled in order: the press came first
            stale, stale_yes, _ = await reset_card(telegram, OWNER)
        before = len(telegram.sent)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before)
            late = telegram.user_presses(OWNER, stale.message_id, stale_yes)
            assert await telegram.answered(late) == OUT_OF_DATE
            balance = await telegram.ask(OWNER, "/balance")
    assert len(resets(telegram, OWNER)) == 1
    assert "Holdings: 0.00085 BTC" in balance.text


async def test_stale_forged_and_unknown_button_data_get_an_out_of_date_toast(tmp_path):
    async with FakeTelegram() as telegram, running_bot(paper_bot(tmp_path, telegram)):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        card, yes, _ = await reset_card(telegram, OWNER)
        confirmation_id = yes.rsplit(":", 1)[1]
        for data in ("paper:reset:NotAnId", f"paper:explode:{confirmation_id}", "zz:top:1", "garbage!", "x" * 64,
                     "paper:reset:", f"kill:flat:{confirmation_id}"):
            press = telegram.user_presses(OWNER, card.message_id, data)
            assert await telegram.answered(press) == OUT_OF_DATE, data
        status = await telegram.ask(OWNER, "/status")
        still_valid = telegram.user_presses(OWNER, card.message_id, yes)
        assert await telegram.answered(still_valid) == ""
        await telegram.wait_for(OWNER, lambda s: s.edited and s.text == RESET_DONE)
    assert "Kill switch: off" in status.text
    assert not [s for s in telegram.replies_to(OWNER) if "failed on my side" in s.text]


async def test_an_edited_command_is_not_executed(tmp_path):
    async with FakeTelegram() as telegram, running_bot(paper_bot(tmp_path, telegram)):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        before = len(telegram.replies_to(OWNER))
        typed = telegram.user_says(OWNER, "/buy BTC/USDT 20")
        assert (await telegram.next_reply(OWNER, before)).text.startswith(BOUGHT)
        before = len(telegram.replies_to(OWNER))
        telegram.user_edits(typed, "/buy BTC/USDT 30")
        assert (await telegram.next_reply(OWNER, before)).text == EDITED
        trades = await telegram.ask(OWNER, "/trades")
    assert trades.text.count("BTC/USDT") == 1


async def test_a_forwarded_kill_flat_is_not_executed(tmp_path):
    async with FakeTelegram() as telegram, running_bot(paper_bot(tmp_path, telegram)):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        await telegram.ask(OWNER, "/buy BTC/USDT 100")
        before = len(telegram.replies_to(OWNER))
        telegram.user_forwards(OWNER, "/kill flat")
        assert (await telegram.next_reply(OWNER, before)).text == FORWARDED
        status = await telegram.ask(OWNER, "/status")
    assert "Kill switch: off" in status.text and "Open positions: 1" in status.text


async def test_a_group_member_not_on_the_user_list_is_refused_for_commands_and_buttons(tmp_path):
    async with FakeTelegram() as telegram, running_bot(group_bot(tmp_path, telegram, users=str(OWNER))):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        refusal = await telegram.ask(GROUP, "/kill flat", user_id=STRANGER)
        assert "private trading bot" in refusal.text and f"user id is {STRANGER}" in refusal.text
        assert "TELEGRAM_ALLOWED_USER_IDS" in refusal.text
        card, yes, _ = await reset_card(telegram, GROUP, user=OWNER)
        press = telegram.user_presses(GROUP, card.message_id, yes, user_id=STRANGER)
        assert await telegram.answered(press) == REFUSED_PRESS
        status = await telegram.ask(GROUP, "/status", user_id=OWNER)
    assert "Kill switch: off" in status.text
    assert not resets(telegram, GROUP)
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        refused = db.execute("SELECT data_json FROM events WHERE kind = 'access_denied'").fetchall()
    assert len(refused) == 2 and all(f'"user_id": {STRANGER}' in row[0] for row in refused)


async def test_without_a_user_list_the_owner_is_who_sent_start_first_and_stays_after_a_restart(tmp_path):
    other = 5151
    async with FakeTelegram() as telegram:
        settings = paper_bot(tmp_path, telegram, telegram_allowed_chat_ids=f"{OWNER},{other}")
        async with running_bot(settings):
            # before an owner is known, the start-up notice goes to every allowed chat: let it arrive first,
            # so the next message to the other chat is the answer to its /start
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            await telegram.wait_for(other, lambda s: "Started" in s.text)
            assert "PAPER" in (await telegram.ask(OWNER, "/start")).text
            refused = await telegram.ask(other, "/start")
            await telegram.ask(OWNER, "/status")
        told_other = len(telegram.replies_to(other))
        before = len(telegram.sent)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before)
            telegram.user_says(other, "/status")
            telegram.user_says(OWNER, "/status")
            await telegram.wait_for(OWNER, lambda s: "Mode: paper" in s.text and telegram.sent.index(s) >= before)
    assert f"user id is {other}" in refused.text
    after_restart = telegram.replies_to(other)[told_other:]
    assert [s.text.startswith("This is a private trading bot") for s in after_restart] == [True], \
        "after the restart: refused, and no notification"
    assert not [s for s in telegram.replies_to(OWNER)[1:] if "Refused" in s.text and s.chat_id == other]
