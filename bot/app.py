"""Build the python-telegram-bot Application: all handler wiring in one place."""
from __future__ import annotations

import html
from typing import Mapping

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler,
                          TypeHandler, filters)

from bot import approval_cards, command_origin
from bot.auth import AccessGuard
from bot.commands import COMMANDS, by_group
from bot.context import BotContext
from bot.decision_cards import DecisionCards
from bot.callback_data import REFRESH, pattern
from bot.parsing import CODE
from bot.handlers import about, choices, decisions, fallback, live, notify, orders, parameters, portfolio, trader
from bot.reply_bot import reply_bot
from bot.views import approvals as approvals_view
from bot.views import about as about_view
from bot.views import choices as choices_view
from bot.views import decisions as decision_views
from bot.views import notify as notify_view
from bot.views import parameters as parameter_views
from trading.domain.errors import InvalidInput, RetryableError
from trading.logs import get_logger
from trading.services.entry_proposals import EntryProposals

log = get_logger(__name__)
ACCESS_GROUP = -2      # who: allowed users in allowed chats, for every kind of update
ORIGIN_GROUP = -1      # what: only commands typed just now (no edits, no forwards)
EXPIRY_CHECK_S = 2     # one indexed query: cards lose their buttons within moments of their expiry


def build_application(token: str, base_url: str, services: Mapping[str, object], guard: AccessGuard) -> Application:
    """Return the Application with the access guard, the command handlers and the error handler."""
    app = Application.builder().bot(reply_bot(token, base_url)).context_types(ContextTypes(context=BotContext)).build()
    app.bot_data.update(services)   # the typed BotContext exposes them (assistant, portfolio, signals)
    app.bot_data["command_groups"] = {g: [(c.name, c.usage, c.summary) for c in cmds]
                                      for g, cmds in by_group().items()}
    app.add_handler(TypeHandler(Update, guard), group=ACCESS_GROUP)
    app.add_handler(TypeHandler(Update, command_origin.screen), group=ORIGIN_GROUP)
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, command.run, filters=filters.UpdateType.MESSAGE,
                                       block=command.block))
    app.add_handler(CallbackQueryHandler(orders.reset_paper_answer, pattern=pattern(orders.RESET)))
    app.add_handler(CallbackQueryHandler(orders.close_all_answer, pattern=pattern(orders.CLOSE_ALL)))
    app.add_handler(CallbackQueryHandler(approval_cards.pressed, pattern=pattern(approvals_view.PREFIX)))
    app.add_handler(CallbackQueryHandler(notify.switched, pattern=pattern(notify_view.PREFIX)))
    app.add_handler(CallbackQueryHandler(trader.refreshed, pattern=pattern(REFRESH)))
    app.add_handler(CallbackQueryHandler(portfolio.pressed, pattern=pattern(portfolio.ACT)))
    app.add_handler(CallbackQueryHandler(about.menu_pressed, pattern=pattern(about_view.GO)))
    for prefix in (choices_view.PRICE, choices_view.CHART, choices_view.STRATEGY, choices_view.BACKTEST):
        app.add_handler(CallbackQueryHandler(choices.pressed, pattern=pattern(prefix)))
    app.add_handler(CallbackQueryHandler(decisions.decisions_button, pattern=pattern(decision_views.PREFIX)))
    app.add_handler(CallbackQueryHandler(parameters.proposal_pressed, pattern=pattern(parameter_views.PREFIX)))
    app.add_handler(CallbackQueryHandler(fallback.stale_button))
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    # an edited or forwarded message, one an inline bot wrote or one sent as a channel or the group is never
    # taken as a code or a question: only text the user typed just now (bot/command_origin.py)
    typed_now = (filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE & ~filters.FORWARDED
                 & ~filters.IS_AUTOMATIC_FORWARD & ~filters.VIA_BOT & ~filters.SenderChat.ALL)
    app.add_handler(MessageHandler(typed_now & filters.Regex(CODE), live.code))     # in any form it is typed
    # plain text is a question for the LLM; an answer takes seconds, so it does not hold other updates back
    app.add_handler(MessageHandler(typed_now, decisions.ask, block=False))
    app.add_error_handler(on_error)
    if app.job_queue is not None:     # cards past their time lose their buttons within a few seconds
        app.job_queue.run_repeating(approval_cards.expire_due, interval=EXPIRY_CHECK_S, first=EXPIRY_CHECK_S)
    proposals = services.get("proposals")
    if isinstance(proposals, EntryProposals):    # live, LIVE_AUTONOMY=approve: the bot's entries wait for a card
        proposals.cards = DecisionCards(app, guard.allow, proposals.approvals)
    return app


def menu_commands() -> list[BotCommand]:
    """Return the phone's command menu, from the same registry as /help."""
    return [BotCommand(c.name, c.summary) for c in COMMANDS]


async def on_error(update: object, context: BotContext) -> None:
    """Answer bad input with its message; log real failures and tell the chat; never raise itself."""
    try:
        await _tell(update if isinstance(update, Update) else None, context.error)
    except Exception as exc:   # the last stop: a reply that fails here can only be logged
        log.warning("could not tell the chat about an error", error=repr(exc), original=repr(context.error))


async def _tell(update: Update | None, error: BaseException | None) -> None:
    message = update.effective_message if update is not None else None
    if update is not None and update.callback_query is not None:
        await update.callback_query.answer()          # stop the spinner; a press already answered is let go
    if isinstance(error, InvalidInput) and message is not None:
        await message.reply_text(str(error))
        return
    if isinstance(error, RetryableError) and message is not None:
        await message.reply_text(f"The exchange is not answering right now ({error}). "
                                 f"Nothing was changed; try again in a moment.")
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("telegram unreachable while answering", error=str(error))   # a reply could not get out
        return
    log.error("handler failed", error=repr(error), exc_info=error)
    if message is not None:
        what = "that button" if update is not None and update.callback_query is not None else _command(message.text)
        await message.reply_text(
            f"Sorry, {html.escape(what)} failed on my side ({html.escape(type(error).__name__)}). "
            f"It was logged; nothing was changed. Try again in a moment.", parse_mode=ParseMode.HTML)


def _command(text: str | None) -> str:
    words = (text or "").split(maxsplit=1)
    return words[0][:32] if words else "that"
