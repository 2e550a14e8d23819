"""/profit, /performance, /daily, /weekly, /monthly, and the Refresh buttons that redraw a reply in place."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.callback_data import NOT_YOURS, OUT_OF_DATE, asker_and_ref, decode, for_asker
from bot.context import BotContext, message_of, query_of, user_id_of
from bot.handlers.position_buttons import positions_keyboard
from bot.parsing import count
from bot.views import performance as views
from bot.views import portfolio as portfolio_views
from bot.views import status as status_views
from bot.views.decisions import deciding_lines
from bot.views.refresh import refresh_button
from trading.domain.errors import InvalidInput
from trading.services.performance import Period

TITLES = {Period.DAY: "Daily", Period.WEEK: "Weekly", Period.MONTH: "Monthly"}


async def render(context: BotContext, view: str, arg: str = "") -> str:
    """Return the current text of a refreshable view."""
    if view == "status":
        deciding = deciding_lines(await context.decisions.deciding())
        return "\n".join([status_views.status_text(await context.assistant.status()), *deciding])
    if view == "balance":
        return portfolio_views.balance_text(await context.portfolio.balance())
    if view == "positions":
        return portfolio_views.positions_text(await context.portfolio.positions())
    if view == "profit":
        return views.profit_text(await context.performance.profit(int(arg) if arg else None))
    raise InvalidInput(OUT_OF_DATE)


async def profit(update: Update, context: BotContext) -> None:
    """Show realised and unrealised PnL, per strategy (all time, or the last n days)."""
    days = count(context.words, 0, 3650, "/profit [days], e.g. /profit 7") if context.words else 0
    arg = str(days) if days else ""
    await message_of(update).reply_text(await render(context, "profit", arg), parse_mode=ParseMode.HTML,
                                        reply_markup=refresh_button("profit", for_asker(user_id_of(update), arg)))


async def performance(update: Update, context: BotContext) -> None:
    """Show the statistics per symbol."""
    await message_of(update).reply_text(views.performance_text(await context.performance.by_symbol()),
                                        parse_mode=ParseMode.HTML)


async def daily(update: Update, context: BotContext) -> None:
    """Show the net PnL of the last n days (7 by default)."""
    await _table(update, context, Period.DAY, count(context.words, 7, 60, "/daily [n], e.g. /daily 14"))


async def weekly(update: Update, context: BotContext) -> None:
    """Show the net PnL of the last n weeks (4 by default)."""
    await _table(update, context, Period.WEEK, count(context.words, 4, 52, "/weekly [n], e.g. /weekly 8"))


async def monthly(update: Update, context: BotContext) -> None:
    """Show the net PnL of the last n months (6 by default)."""
    await _table(update, context, Period.MONTH, count(context.words, 6, 24, "/monthly [n], e.g. /monthly 12"))


async def _table(update: Update, context: BotContext, period: Period, n: int) -> None:
    rows = await context.performance.table(period, n)
    await message_of(update).reply_text(views.table_text(TITLES[period], rows), parse_mode=ParseMode.HTML)


async def refreshed(update: Update, context: BotContext) -> None:
    """Redraw a view in place ("not modified" is fine: nothing changed)."""
    query = query_of(update)
    try:
        callback = decode(query.data)
        asker, arg = asker_and_ref(callback)
        if asker != query.from_user.id:
            await query.answer(NOT_YOURS)
            return
    except InvalidInput:
        await query.answer(OUT_OF_DATE)
        return
    await query.answer("Refreshing…")        # at once: the view below asks the exchange for prices
    try:
        if callback.action == "positions":   # its Close buttons are redrawn for the positions open now
            found = await context.portfolio.positions()
            text, keyboard = portfolio_views.positions_text(found), positions_keyboard(found, asker)
        else:
            text, keyboard = await render(context, callback.action, arg), refresh_button(callback.action, callback.id)
    except (InvalidInput, ValueError):
        return
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
