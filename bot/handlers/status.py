"""/start, /help, /status and /health."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.views import status as views
from bot.views.decisions import deciding_lines


async def start(update: Update, context: BotContext) -> None:
    """Welcome the user with what this bot is running."""
    report = await context.assistant.status()
    await update.effective_message.reply_text(views.welcome(report.profile, report.data_source),
                                              parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands from the registry."""
    await update.effective_message.reply_text(views.help_text(context.command_groups), parse_mode=ParseMode.HTML)


async def status(update: Update, context: BotContext) -> None:
    """Show mode, data source, uptime, last tick, kill switch, open positions, and who decides now."""
    report = await context.assistant.status()
    deciding = await context.decisions.deciding()
    text = "\n".join([views.status_text(report), *deciding_lines(deciding)])
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def health(update: Update, context: BotContext) -> None:
    """Show the exchange connection's calls, errors and latency per endpoint."""
    await update.effective_message.reply_text(views.health_text(context.assistant.health()),
                                              parse_mode=ParseMode.HTML)
