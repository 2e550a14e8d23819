"""/balance, /positions, /orders, /trades."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.parsing import count
from bot.views import portfolio as views


async def balance(update: Update, context: BotContext) -> None:
    """Show equity, cash and PnL."""
    report = await context.portfolio.balance()
    await update.effective_message.reply_text(views.balance_text(report), parse_mode=ParseMode.HTML)


async def positions(update: Update, context: BotContext) -> None:
    """Show open positions marked to market."""
    found = await context.portfolio.positions()
    await update.effective_message.reply_text(views.positions_text(found), parse_mode=ParseMode.HTML)


async def orders(update: Update, context: BotContext) -> None:
    """Show open orders with their ids."""
    found = await context.portfolio.open_orders()
    await update.effective_message.reply_text(views.orders_text(found), parse_mode=ParseMode.HTML)


async def trades(update: Update, context: BotContext) -> None:
    """Show the last n fills (10 by default)."""
    limit = count(context.args, 10, 50, "/trades [n]")
    rows = await context.portfolio.trades(limit)
    await update.effective_message.reply_text(views.trades_text(rows), parse_mode=ParseMode.HTML)
