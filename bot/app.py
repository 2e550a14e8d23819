"""Build the python-telegram-bot Application: all handler wiring in one place."""
from __future__ import annotations

import html
from typing import Mapping

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler,
                          TypeHandler, filters)

from bot.auth import AccessGuard
from bot.commands import COMMANDS, by_group
from bot.context import BotContext
from bot.callback_data import pattern
from bot.views import decisions as decision_views
from bot.handlers import decisions, fallback, orders
from trading.domain.errors import InvalidInput, RetryableError
from trading.logs import get_logger

log = get_logger(__name__)


def build_application(token: str, base_url: str, services: Mapping[str, object], guard: AccessGuard) -> Application:
    """Return the Application with the access guard, the command handlers and the error handler."""
    app = (Application.builder().token(token).base_url(base_url)
           .context_types(ContextTypes(context=BotContext))
           .connect_timeout(10).read_timeout(15).write_timeout(30).get_updates_read_timeout(40)
           .build())
    app.bot_data.update(services)   # the typed BotContext exposes them (assistant, portfolio, signals)
    app.bot_data["command_groups"] = {g: [(c.name, c.usage, c.summary) for c in cmds]
                                      for g, cmds in by_group().items()}
    app.add_handler(TypeHandler(Update, guard), group=-1)
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, command.handler))
    app.add_handler(CallbackQueryHandler(orders.reset_paper_answer, pattern=pattern(orders.RESET)))
    app.add_handler(CallbackQueryHandler(decisions.decisions_button, pattern=pattern(decision_views.PREFIX)))
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    # plain text is a question for the LLM; an edited or forwarded message is never taken as one
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE & ~filters.FORWARDED,
                                   decisions.ask))
    app.add_error_handler(on_error)
    return app


def menu_commands() -> list[BotCommand]:
    """Return the phone's command menu, from the same registry as /help."""
    return [BotCommand(c.name, c.summary) for c in COMMANDS]


async def on_error(update: object, context: BotContext) -> None:
    """Answer bad input with its message; log real failures and tell the chat without leaking internals."""
    message = update.effective_message if isinstance(update, Update) else None
    if isinstance(context.error, InvalidInput) and message is not None:
        await message.reply_text(str(context.error))
        return
    if isinstance(context.error, RetryableError) and message is not None:
        await message.reply_text(f"The exchange is not answering right now ({context.error}). "
                                 f"Nothing was changed; try again in a moment.")
        return
    log.error("handler failed", error=repr(context.error), exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        what = html.escape((update.effective_message.text or "that").split()[0])
        await update.effective_message.reply_text(
            f"Sorry, {what} failed on my side ({html.escape(type(context.error).__name__)}). "
            f"It was logged; nothing was changed. Try again in a moment.", parse_mode=ParseMode.HTML)
