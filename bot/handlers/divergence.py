"""/divergence [DAYS]: the account's trades against the backtest of the same period, per strategy, fill by fill."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of
from bot.views.divergence import divergence_html
from trading.services.divergence_report import DivergenceService, parse_days


async def divergence(update: Update, context: BotContext) -> None:
    """Show where paper or live trading departed from what the backtest of the same candles did."""
    days = parse_days(context.words)
    service: DivergenceService = context.bot_data["divergence"]
    report = await service.report(days)
    await message_of(update).reply_text(divergence_html(report), parse_mode=ParseMode.HTML)
