"""Only commands the user typed just now execute: edited messages and forwarded commands are answered, not run.

Telegram delivers an edit of an old message as a new update; run as a command, editing `/buy BTC/USDT 20` would
buy again. A forwarded `/kill flat` is someone else's words, maybe from long ago. A message sent "via @some_bot"
holds text an inline bot wrote (its result was picked, not typed), and one sent as a channel or as the group (an
anonymous admin) does not say who sent it: neither runs a command. None of these is a question or a code either
(bot/app.py keeps them from the LLM). A reply that quotes another message is typed now: it runs as typed.
"""
from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext

EDITED = "Edits are not executed; send a new command."
FORWARDED = "Forwarded commands are not executed; type the command yourself if you mean it."
VIA_BOT = "Commands sent through an inline bot are not executed; type the command yourself if you mean it."
ANONYMOUS = ("Commands sent as a channel or anonymously as the group are not executed: I cannot tell who sent "
             "them. Send the command as yourself.")


async def screen(update: Update, context: BotContext) -> None:
    """Stop edits, and forwarded messages that carry a command, before any command handler sees them."""
    edited = update.edited_message or update.edited_channel_post or update.edited_business_message
    if edited is not None:
        if carries_command(edited):
            await edited.reply_text(EDITED, do_quote=True)
        raise ApplicationHandlerStop
    message = update.message
    refusal = not_typed_by_the_user(message) if message is not None else None
    if message is not None and refusal is not None and carries_command(message):
        await message.reply_text(refusal, do_quote=True)
        raise ApplicationHandlerStop


def not_typed_by_the_user(message: Message) -> str | None:
    """Return why a message's words are not the allowed user's own, typed now (None when they are)."""
    if message.forward_origin is not None or message.is_automatic_forward:
        return FORWARDED
    if message.via_bot is not None:
        return VIA_BOT
    if message.sender_chat is not None:
        return ANONYMOUS
    return None


def carries_command(message: Message) -> bool:
    """Return True when a message's text or caption holds a bot command anywhere."""
    text = (message.text or message.caption or "").lstrip()
    entities = (*message.entities, *message.caption_entities)
    return text.startswith("/") or any(e.type == MessageEntity.BOT_COMMAND for e in entities)
