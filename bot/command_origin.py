"""Only commands the user typed just now execute: edited messages and forwarded commands are answered, not run.

Telegram delivers an edit of an old message as a new update; run as a command, editing `/buy BTC/USDT 20` would
buy again. A forwarded `/kill flat` is someone else's words, maybe from long ago.
"""
from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext

EDITED = "Edits are not executed; send a new command."
FORWARDED = "Forwarded commands are not executed; type the command yourself if you mean it."


async def screen(update: Update, context: BotContext) -> None:
    """Stop edits, and forwarded messages that carry a command, before any command handler sees them."""
    edited = update.edited_message or update.edited_channel_post or update.edited_business_message
    if edited is not None:
        if carries_command(edited):
            await edited.reply_text(EDITED, do_quote=True)
        raise ApplicationHandlerStop
    message = update.message
    if message is not None and (message.forward_origin is not None or message.is_automatic_forward) \
            and carries_command(message):
        await message.reply_text(FORWARDED, do_quote=True)
        raise ApplicationHandlerStop


def carries_command(message: Message) -> bool:
    """Return True when a message's text or caption holds a bot command anywhere."""
    text = (message.text or message.caption or "").lstrip()
    entities = (*message.entities, *message.caption_entities)
    return text.startswith("/") or any(e.type == MessageEntity.BOT_COMMAND for e in entities)
