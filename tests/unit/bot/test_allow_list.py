"""Who may use the bot: listed users, else the owner learned at /start in an allowed private chat."""
import pytest
from telegram import Chat, Message, Update, User

from bot.auth import OWNER_KEY, AllowList
from tests.fakes.databases import opened_store

OWNER, OTHER, GROUP = 4242, 5151, -100500


@pytest.fixture
async def store(tmp_path):
    async with opened_store(tmp_path) as opened:
        yield opened


def typed(text, chat_id, user_id):
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    return Update(1, message=Message(1, None, chat, from_user=User(user_id, "U", False), text=text))


async def test_listed_users_are_the_only_ones_anywhere(store):
    allow = AllowList(frozenset({OWNER, GROUP}), frozenset({OWNER, 7}), store)
    await allow.load()
    assert allow.allows_user(OWNER) and allow.allows_user(7) and not allow.allows_user(OTHER)
    assert allow.recipients() == {OWNER, GROUP}


async def test_the_first_start_in_an_allowed_private_chat_makes_the_owner_and_survives_a_restart(store):
    allow = AllowList(frozenset({OWNER, OTHER}), frozenset(), store)
    await allow.load()
    assert allow.allows_user(OWNER) and allow.allows_user(OTHER)      # either may become the owner
    await allow.learn_owner(typed("/status", OWNER, OWNER))
    assert allow.owner is None, "only /start makes the owner"
    await allow.learn_owner(typed("/start", OWNER, OWNER))
    await allow.learn_owner(typed("/start", OTHER, OTHER))

    again = AllowList(frozenset({OWNER, OTHER}), frozenset(), store)
    await again.load()
    assert again.owner == OWNER and again.allows_user(OWNER) and not again.allows_user(OTHER)
    assert again.recipients() == {OWNER}


async def test_an_owner_whose_chat_is_no_longer_allowed_locks_nobody_out(store):
    await store.save_state(OWNER_KEY, 1)                # learned in the offline demo's chat 1
    allow = AllowList(frozenset({OWNER}), frozenset(), store)
    await allow.load()
    assert allow.allows_user(OWNER)
    await allow.learn_owner(typed("/start@trading_assistant_bot", OWNER, OWNER))
    assert allow.owner == OWNER and await store.load_state(OWNER_KEY) == OWNER


async def test_a_group_member_is_never_let_in_by_default(store):
    allow = AllowList(frozenset({GROUP}), frozenset(), store)
    await allow.load()
    await allow.learn_owner(typed("/start", GROUP, OTHER))
    assert allow.owner is None and not allow.allows_user(OTHER)
