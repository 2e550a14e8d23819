"""/settings, /set NAME VALUE and /symbols [add|remove SYMBOL]."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import approval_cards
from bot.context import BotContext, chat_id_of, message_of, user_id_of
from bot.notifier import answered_in
from bot.views import tuning as views
from trading.domain.errors import InvalidInput
from trading.services.chat_settings import ChangeOutcome, SettingChange

SET_USAGE = "Usage: /set NAME VALUE, e.g. /set RISK_PER_TRADE_PCT 1, or /set NAME default. /settings lists them."


async def settings(update: Update, context: BotContext) -> None:
    """List the settings tuned from the chat with their values and defaults."""
    rows = await context.tuning.rows()
    await message_of(update).reply_text(views.settings_text(rows), parse_mode=ParseMode.HTML)


async def set_value(update: Update, context: BotContext) -> None:
    """Change one setting (validated, applied, stored, audited); a riskier live limit asks for a code."""
    if len(context.words) != 2:
        raise InvalidInput(SET_USAGE)
    with answered_in(chat_id_of(update)):        # the reply says it here; the push tells the other chats
        change = await context.tuning.change(context.words[0], context.words[1], user_id_of(update))
    await reply(update, context, change)


async def symbols(update: Update, context: BotContext) -> None:
    """List the traded symbols, or add or remove one (for the next start)."""
    if not context.words:
        traded = context.assistant.profile.symbols
        await message_of(update).reply_text(views.symbols_text(traded, context.tuning.current.symbol_list),
                                            parse_mode=ParseMode.HTML)
        return
    if len(context.words) != 2 or context.words[0].lower() not in ("add", "remove"):
        raise InvalidInput("Usage: /symbols, /symbols add SYMBOL or /symbols remove SYMBOL, e.g. /symbols add SOL/USDT")
    with answered_in(chat_id_of(update)):
        change = await context.tuning.symbols(context.words[0].lower(), context.words[1], user_id_of(update))
    await reply(update, context, change)


async def reply(update: Update, context: BotContext, change: SettingChange) -> None:
    """Answer a change; a code is asked for in the user's private chat."""
    text = views.change_text(change)
    user, chat = user_id_of(update), chat_id_of(update)
    if change.outcome is ChangeOutcome.CODE_ASKED and chat != user:
        await context.bot.send_message(user, text, parse_mode=ParseMode.HTML)
        text = "I asked for the code in our private chat."
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)
    if change.request is not None:       # a card whose code request this one replaced says so
        await approval_cards.replaced(context, change.request)
