"""Manual orders: /buy, /sell, /short, /cover, /close, /cancel, /reset_paper."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.callback_data import Callback, decode
from bot.context import BotContext
from bot.parsing import entry_request, exit_request
from bot.views import money
from bot.views.portfolio import cancelled_text, receipt_text
from trading.domain.errors import InvalidInput

RESET = "paper"


async def buy(update: Update, context: BotContext) -> None:
    """Buy (spot) or go long (futures) for an amount of USDT."""
    request = entry_request(context.args, "buy")
    order = await context.portfolio.buy(request.symbol, request.quote, request.limit)
    await update.effective_message.reply_text(receipt_text(order), parse_mode=ParseMode.HTML)


async def short(update: Update, context: BotContext) -> None:
    """Open a short for an amount of USDT (futures)."""
    request = entry_request(context.args, "short")
    order = await context.portfolio.short(request.symbol, request.quote, request.limit)
    await update.effective_message.reply_text(receipt_text(order), parse_mode=ParseMode.HTML)


async def sell(update: Update, context: BotContext) -> None:
    """Sell holdings or reduce a long."""
    request = exit_request(context.args, "sell")
    order = await context.portfolio.sell(request.symbol, request.size)
    await update.effective_message.reply_text(receipt_text(order), parse_mode=ParseMode.HTML)


async def cover(update: Update, context: BotContext) -> None:
    """Buy back a short."""
    request = exit_request(context.args, "cover")
    order = await context.portfolio.cover(request.symbol, request.size)
    await update.effective_message.reply_text(receipt_text(order), parse_mode=ParseMode.HTML)


async def close(update: Update, context: BotContext) -> None:
    """Close a whole position at market."""
    if len(context.args) != 1:
        raise InvalidInput("Usage: /close SYMBOL, e.g. /close BTC/USDT")
    order = await context.portfolio.close(context.args[0])
    await update.effective_message.reply_text(receipt_text(order), parse_mode=ParseMode.HTML)


async def cancel(update: Update, context: BotContext) -> None:
    """Cancel an open order by id."""
    if len(context.args) != 1:
        raise InvalidInput("Usage: /cancel ORDER_ID (see /orders for the ids)")
    order = await context.portfolio.cancel(context.args[0])
    await update.effective_message.reply_text(cancelled_text(order), parse_mode=ParseMode.HTML)


async def reset_paper(update: Update, context: BotContext) -> None:
    """Ask for confirmation before wiping the paper account."""
    if context.portfolio.mode != "paper":
        raise InvalidInput("/reset_paper only exists in paper mode.")
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton("Yes, reset", callback_data=Callback(RESET, "reset", "yes").encode()),
        InlineKeyboardButton("No, keep it", callback_data=Callback(RESET, "reset", "no").encode())]])
    await update.effective_message.reply_text(
        "Reset the paper account? Positions, orders and PnL start over from the starting balance.",
        reply_markup=keyboard)


async def reset_paper_answer(update: Update, context: BotContext) -> None:
    """Carry out or drop the reset the user answered."""
    query = update.callback_query
    await query.answer()
    callback = decode(query.data)
    if callback is None or callback.id != "yes":
        await query.edit_message_text("Kept the paper account as it is.")
        return
    balance = await context.portfolio.reset()
    await query.edit_message_text(f"Paper account reset to {money(balance)} USDT.")
