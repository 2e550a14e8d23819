"""/report [day|week|month]: the account's PnL, equity against buy-and-hold, positions, trades and risk."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of
from bot.views.reports import report_caption, report_message
from trading.domain.errors import InvalidInput
from trading.services.reports import ReportService


def report_service(context: BotContext) -> ReportService:
    """Return the report service."""
    return context.bot_data["reports"]


async def report(update: Update, context: BotContext) -> None:
    """Send the day's, week's or month's report with its equity chart."""
    if len(context.words) > 1:
        raise InvalidInput("Usage: /report [day|week|month]")
    found = await report_service(context).report(context.words[0] if context.words else "day")
    message = message_of(update)
    if found.chart is None:
        await message.reply_text(report_message(found), parse_mode=ParseMode.HTML)
        return
    caption = report_caption(found)
    await message.reply_photo(found.chart, caption=caption, parse_mode=ParseMode.HTML)
    if caption is None:
        await message.reply_text(report_message(found), parse_mode=ParseMode.HTML)
