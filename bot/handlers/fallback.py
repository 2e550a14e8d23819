"""Replies for what no command handler took: unknown commands and plain text."""
from __future__ import annotations

from telegram import Update

from bot.context import BotContext


async def unknown_command(update: Update, context: BotContext) -> None:
    """Say the command is unknown and where the list is."""
    typed = (update.effective_message.text or "").split()[0]
    await update.effective_message.reply_text(f"I don't know {typed}. Type /help to see the commands.")


async def plain_text(update: Update, context: BotContext) -> None:
    """Point plain messages at the commands."""
    await update.effective_message.reply_text("I answer commands for now. Type /help to see them.")
