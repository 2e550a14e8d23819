"""/price and /markets."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of, user_id_of
from bot.views.choices import PRICE, symbol_choices
from bot.views.market import markets_text, ticker_text
from trading.domain.errors import InvalidInput


async def price(update: Update, context: BotContext) -> None:
    """Show the last price, 24h change and spread of one market."""
    if len(context.words) > 1:
        await message_of(update).reply_text("One market at a time, e.g. /price BTC/USDT")
        return
    try:
        ticker = await context.assistant.price(context.words[0] if context.words else "")
    except InvalidInput as exc:        # unknown or missing: offer the traded symbols as buttons
        await message_of(update).reply_text(
            str(exc), reply_markup=symbol_choices(PRICE, context.assistant.profile.symbols, user_id_of(update)))
        return
    await message_of(update).reply_text(ticker_text(ticker), parse_mode=ParseMode.HTML)


async def markets(update: Update, context: BotContext) -> None:
    """List the tradable markets, optionally filtered."""
    typed = " ".join(context.words)
    found = await context.assistant.markets(typed)
    await message_of(update).reply_text(markets_text(found, typed), parse_mode=ParseMode.HTML)
