"""/balance, /positions (a Close button each), /orders (a Cancel button each), /trades."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.callback_data import NOT_YOURS, OUT_OF_DATE, Callback, asker_and_ref, decode, for_asker
from bot.confirmation_cards import fresh_press
from bot.context import BotContext, message_of, query_of, user_id_of
from bot.handlers.orders import order
from bot.handlers.position_buttons import ACT, MAX_BUTTONS, closed_position, positions_keyboard
from bot.handlers.reports import report_service
from bot.handlers.trader import render
from bot.parsing import count
from bot.views import portfolio as views
from bot.views.refresh import refresh_button
from bot.views.reports import trades_text
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderKind


async def balance(update: Update, context: BotContext) -> None:
    """Show equity, cash and PnL, with a Refresh button."""
    button = refresh_button("balance", for_asker(user_id_of(update)))
    await message_of(update).reply_text(await render(context, "balance"), parse_mode=ParseMode.HTML,
                                        reply_markup=button)


async def positions(update: Update, context: BotContext) -> None:
    """Show open positions marked to market, with a Close button each and Refresh."""
    found = await context.portfolio.positions()
    await message_of(update).reply_text(views.positions_text(found), parse_mode=ParseMode.HTML,
                                        reply_markup=positions_keyboard(found, user_id_of(update)))


async def orders(update: Update, context: BotContext) -> None:
    """Show open orders with their ids and a Cancel button each."""
    found, asker = await context.portfolio.open_orders(), user_id_of(update)
    rows = [[InlineKeyboardButton(f"Cancel {o.id}",
                                  callback_data=Callback(ACT, "cancel", for_asker(asker, o.id)).encode())]
            for o in found[:MAX_BUTTONS] if _fits(for_asker(asker, o.id))]
    await message_of(update).reply_text(views.orders_text(found, await context.portfolio.markets()),
                                        parse_mode=ParseMode.HTML,
                                        reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def trades(update: Update, context: BotContext) -> None:
    """Show the last n fills (10 by default) since the last paper reset."""
    limit = count(context.words, 10, 50, "/trades [n]")
    listing = await report_service(context).trades(limit)
    await message_of(update).reply_text(trades_text(listing, await context.portfolio.markets()),
                                        parse_mode=ParseMode.HTML)


async def pressed(update: Update, context: BotContext) -> None:
    """Close a position or cancel an order from its button: the same path as /close and /cancel."""
    query = query_of(update)
    try:
        callback = decode(query.data)
    except InvalidInput:
        await query.answer(OUT_OF_DATE)
        return
    asker, ref = asker_and_ref(callback)
    if asker != query.from_user.id:
        await query.answer(NOT_YOURS)
        return
    if callback.action not in ("close", "cancel"):
        await query.answer(OUT_OF_DATE)
        return
    if not await fresh_press(update, context):      # a double tap or a re-delivered press: answered, nothing done
        return
    await query.answer()
    if callback.action == "cancel":
        await order(update, context, ManualOrder(OrderKind.CANCEL, order_id=ref))
        return
    symbol, opened = closed_position(ref)       # the core refuses a button drawn for a position since closed
    await order(update, context, ManualOrder(OrderKind.CLOSE, symbol, opened_ms=opened))

def _fits(ref: str) -> bool:
    return Callback(ACT, "cancel", ref).fits()
