"""Manual orders: /buy, /sell, /short, /cover, /close, /closeall, /cancel, /reset_paper.

Each parses, asks the core's manual orders what the order needs, and shows it: a receipt (paper), a confirm
card (paper /closeall), or an approval card (live: every order).
"""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import approval_cards
from bot import confirmation_cards as cards
from bot.context import BotContext, chat_id_of, message_of, query_of, user_id_of
from bot.parsing import entry_request, exit_request
from bot.views import money
from bot.views.approvals import receipts
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderKind
from trading.services.manual_orders import Executed, NeedsApproval

RESET = "paper"                 # the reset card's callback prefix
RESET_ACTION = "reset_paper"
RESET_CHOICES = (cards.Choice("Yes, reset", "reset"), cards.Choice("No, keep it", "keep"))
CLOSE_ALL = "closeall"          # the paper /closeall card's callback prefix
CLOSE_ALL_CHOICES = (cards.Choice("Yes, close all", "close"), cards.Choice("No, keep them", "keep"))


async def buy(update: Update, context: BotContext) -> None:
    """Buy (spot) or go long (futures) for an amount of USDT."""
    request = entry_request(context.words, "buy")
    await order(update, context, ManualOrder(OrderKind.BUY, request.symbol, request.quote, request.limit))


async def short(update: Update, context: BotContext) -> None:
    """Open a short for an amount of USDT (futures)."""
    request = entry_request(context.words, "short")
    await order(update, context, ManualOrder(OrderKind.SHORT, request.symbol, request.quote, request.limit))


async def sell(update: Update, context: BotContext) -> None:
    """Sell holdings or reduce a long."""
    request = exit_request(context.words, "sell")
    await order(update, context, ManualOrder(OrderKind.SELL, request.symbol, size=request.size))


async def cover(update: Update, context: BotContext) -> None:
    """Buy back a short."""
    request = exit_request(context.words, "cover")
    await order(update, context, ManualOrder(OrderKind.COVER, request.symbol, size=request.size))


async def close(update: Update, context: BotContext) -> None:
    """Close a whole position at market."""
    if len(context.words) != 1:
        raise InvalidInput("Usage: /close SYMBOL, e.g. /close BTC/USDT")
    await order(update, context, ManualOrder(OrderKind.CLOSE, context.words[0]))


async def close_all(update: Update, context: BotContext) -> None:
    """Close every open position at market, after a confirm (paper) or an approval (live)."""
    await order(update, context, ManualOrder(OrderKind.CLOSE_ALL))


async def cancel(update: Update, context: BotContext) -> None:
    """Cancel an open order by id."""
    if len(context.words) != 1:
        raise InvalidInput("Usage: /cancel ORDER_ID (see /orders for the ids)")
    await order(update, context, ManualOrder(OrderKind.CANCEL, order_id=context.words[0]))


async def order(update: Update, context: BotContext, manual: ManualOrder) -> None:
    """Ask the core what the order needs and show the receipt, the confirm card or the approval card."""
    outcome = await context.orders.request(user_id_of(update), chat_id_of(update), manual)
    if isinstance(outcome, Executed):
        await message_of(update).reply_text(receipts(outcome.orders, outcome.ticket, outcome.note),
                                            parse_mode=ParseMode.HTML)
    elif isinstance(outcome, NeedsApproval):
        await approval_cards.show(context, chat_id_of(update), outcome.approval)
    else:
        count = len(outcome.ticket.legs)
        left = "".join(f"\n{n}." for n in outcome.ticket.notes)     # plain text: the card is not HTML
        await cards.ask(update, context, CLOSE_ALL, {"positions": count}, CLOSE_ALL,
                        f"Close all {count} open position(s) at market?{left}", CLOSE_ALL_CHOICES)


async def close_all_answer(update: Update, context: BotContext) -> None:
    """Close every position once the asker confirmed, once."""
    callback = await cards.claim(update, context, CLOSE_ALL, CLOSE_ALL_CHOICES)
    if callback is None:
        return
    if callback.action != "close":
        await context.confirmations.finish(callback.id, "declined")
        await query_of(update).edit_message_text("Kept the positions open.")
        return
    done = await cards.carry_out(context, callback, context.orders.close_all())
    await query_of(update).edit_message_text(receipts(done.orders, done.ticket, done.note), parse_mode=ParseMode.HTML)


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
        await query_of(update).edit_message_text("Kept the paper account as it is.")
        return
    balance = await cards.carry_out(context, callback, context.portfolio.reset())
    await query_of(update).edit_message_text(f"Paper account reset to {money(balance)} USDT.")
