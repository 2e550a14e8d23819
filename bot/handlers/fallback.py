"""The reply for a command no handler took (plain text is a question for /ask: see handlers.decisions)."""
from __future__ import annotations

from telegram import Update

from bot.context import BotContext


async def unknown_command(update: Update, context: BotContext) -> None:
    """Say the command is unknown and where the list is."""
    typed = (update.effective_message.text or "").split()[0]
    await update.effective_message.reply_text(f"I don't know {typed}. Type /help to see the commands.")

