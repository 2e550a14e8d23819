"""Replies for what no handler took: unknown commands and buttons that mean nothing any more (plain text is /ask)."""
from __future__ import annotations

from telegram import Update

from bot.callback_data import OUT_OF_DATE
from bot.context import BotContext, message_of, query_of
from bot.views.about import nearest
from trading.domain.errors import shortened


async def unknown_command(update: Update, context: BotContext) -> None:
    """Say the command is unknown, suggest the nearest one, and say where the list is."""
    typed = (message_of(update).text or "").split(maxsplit=1)
    names = [name for group in context.command_groups.values() for name, _usage, _summary in group]
    close = nearest(typed[0], names) if typed else None
    hint = f" Did you mean /{close}?" if close else ""
    await message_of(update).reply_text(
        f"I don't know {shortened(typed[0]) if typed else 'that'}.{hint} Type /help to see the commands.")


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a press no handler claims (an old card, forged data) so the phone's spinner stops."""
    await query_of(update).answer(OUT_OF_DATE)
