"""The typed accessors of an update's parts: what a handler is wired for comes back typed; an update of another
shape is a named wiring error, not an AttributeError on None somewhere down the handler."""
from datetime import datetime, timezone

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.context import UnexpectedUpdate, chat_id_of, message_of, query_of, user_id_of

WHEN = datetime(2025, 7, 1, tzinfo=timezone.utc)
OWNER = User(42, "Owner", False)
GROUP = Chat(-100, Chat.SUPERGROUP)


def typed(text: str) -> Update:
    return Update(1, message=Message(7, WHEN, GROUP, from_user=OWNER, text=text))


def pressed(data: str) -> Update:
    card = Message(8, WHEN, GROUP, from_user=User(1, "Bot", True), text="card")
    return Update(2, callback_query=CallbackQuery("q1", OWNER, "ci", message=card, data=data))


def test_a_typed_command_gives_its_message_its_user_and_its_chat():
    update = typed("/buy BTC/USDT 100")
    assert message_of(update).text == "/buy BTC/USDT 100"
    assert (user_id_of(update), chat_id_of(update)) == (42, -100)


def test_a_press_gives_its_query_its_card_and_who_pressed():
    update = pressed("ap:ok:1")
    assert query_of(update).data == "ap:ok:1" and message_of(update).message_id == 8
    assert (user_id_of(update), chat_id_of(update)) == (42, -100)


def test_an_update_without_the_part_asked_for_is_a_named_wiring_error():
    with pytest.raises(UnexpectedUpdate, match="update 1 carries no button press"):
        query_of(typed("/buy"))
    bare = Update(3)      # a poll, say: no message, user or chat
    for part, what in ((message_of, "message"), (user_id_of, "user"), (chat_id_of, "chat")):
        with pytest.raises(UnexpectedUpdate, match=f"update 3 carries no {what}"):
            part(bare)
