"""/balance, /positions (a Close button each), /orders (a Cancel button each), /trades."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.callback_data import OUT_OF_DATE, Callback, decode
from bot.context import BotContext
from bot.handlers.orders import order
from bot.handlers.trader import REFRESH, render, refresh_button
from bot.parsing import count
from bot.views import portfolio as views
from bot.views.choices import symbol_of, symbol_ref
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderKind

ACT = "acct"                     # Close and Cancel buttons: 'acct:close:BTC.USDT', 'acct:cancel:P-3'
MAX_BUTTONS = 20


async def balance(update: Update, context: BotContext) -> None:
    """Show equity, cash and PnL, with a Refresh button."""
    await update.effective_message.reply_text(await render(context, "balance"), parse_mode=ParseMode.HTML,
                                              reply_markup=refresh_button("balance"))


async def positions(update: Update, context: BotContext) -> None:
    """Show open positions marked to market, with a Close button each and Refresh."""
    found = await context.portfolio.positions()
    rows = [[InlineKeyboardButton(f"Close {v.position.symbol}",
                                  callback_data=Callback(ACT, "close", symbol_ref(v.position.symbol)).encode())]
            for v in found[:MAX_BUTTONS]]
    rows.append([InlineKeyboardButton("🔄 Refresh", callback_data=Callback(REFRESH, "positions").encode())])
    await update.effective_message.reply_text(views.positions_text(found), parse_mode=ParseMode.HTML,
                                              reply_markup=InlineKeyboardMarkup(rows))


async def orders(update: Update, context: BotContext) -> None:
    """Show open orders with their ids and a Cancel button each."""
    found = await context.portfolio.open_orders()
    rows = [[InlineKeyboardButton(f"Cancel {o.id}", callback_data=Callback(ACT, "cancel", o.id).encode())]
            for o in found[:MAX_BUTTONS] if _fits(o.id)]
    await update.effective_message.reply_text(views.orders_text(found), parse_mode=ParseMode.HTML,
                                              reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def trades(update: Update, context: BotContext) -> None:
    """Show the last n fills (10 by default)."""
    limit = count(context.args, 10, 50, "/trades [n]")
    rows = await context.portfolio.trades(limit)
    await update.effective_message.reply_text(views.trades_text(rows), parse_mode=ParseMode.HTML)


async def pressed(update: Update, context: BotContext) -> None:
    """Close a position or cancel an order from its button: the same path as /close and /cancel."""
    query = update.callback_query
    try:
        callback = decode(query.data)
    except InvalidInput:
        await query.answer(OUT_OF_DATE)
        return
    if callback.action == "close":
        manual = ManualOrder(OrderKind.CLOSE, symbol_of(callback.id))
    elif callback.action == "cancel":
        manual = ManualOrder(OrderKind.CANCEL, order_id=callback.id)
    else:
        await query.answer(OUT_OF_DATE)
        return
    await query.answer()
    await order(update, context, manual)


def _fits(order_id: str) -> bool:
    try:
        Callback(ACT, "cancel", order_id).encode()
    except ValueError:
        return False
    return True
