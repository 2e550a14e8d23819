"""Manual orders: /buy, /sell, /short, /cover, /close, /cancel, /reset_paper."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import confirmation_cards as cards
from bot.context import BotContext
from bot.parsing import entry_request, exit_request
from bot.views import money
from bot.views.portfolio import cancelled_text, receipt_text
from trading.domain.errors import InvalidInput

RESET = "paper"                 # the reset card's callback prefix
RESET_ACTION = "reset_paper"
RESET_CHOICES = (cards.Choice("Yes, reset", "reset"), cards.Choice("No, keep it", "keep"))


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
    """Ask for confirmation before wiping the paper account; only the asker's one press counts."""
    if context.portfolio.mode != "paper":
        raise InvalidInput("/reset_paper only exists in paper mode.")
    await cards.ask(update, context, RESET_ACTION, {"account": "paper"}, RESET,
                    "Reset the paper account? Positions, orders and PnL start over from the starting balance.",
                    RESET_CHOICES)


async def reset_paper_answer(update: Update, context: BotContext) -> None:
    """Carry out or drop the reset the asker answered, once."""
    callback = await cards.claim(update, context, RESET_ACTION, RESET_CHOICES)
    if callback is None:
        return
    if callback.action != "reset":
        await context.confirmations.finish(callback.id, "declined")
        await update.callback_query.edit_message_text("Kept the paper account as it is.")
        return
    balance = await cards.carry_out(context, callback, context.portfolio.reset())
    await update.callback_query.edit_message_text(f"Paper account reset to {money(balance)} USDT.")
