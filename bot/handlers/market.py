"""/price."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.views.market import ticker_text
from trading.domain.errors import InvalidInput


async def price(update: Update, context: BotContext) -> None:
    """Show the last price, 24h change and spread of one market."""
    if len(context.args) > 1:
        await update.effective_message.reply_text("One market at a time, e.g. /price BTC/USDT")
        return
    try:
        ticker = await context.assistant.price(context.args[0] if context.args else "")
    except InvalidInput as exc:
        await update.effective_message.reply_text(str(exc))
        return
    await update.effective_message.reply_text(ticker_text(ticker), parse_mode=ParseMode.HTML)
