"""/start, /status and /health."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of, user_id_of
from bot.callback_data import for_asker
from bot.handlers.trader import render
from bot.views.about import menu_keyboard
from bot.views import status as views
from bot.views.refresh import refresh_button


async def start(update: Update, context: BotContext) -> None:
    """Welcome the user with what this bot is running."""
    report = await context.assistant.status()
    await message_of(update).reply_text(views.welcome(report.profile, report.data_source),
                                        parse_mode=ParseMode.HTML,
                                        reply_markup=menu_keyboard(user_id_of(update)))


async def status(update: Update, context: BotContext) -> None:
    """Show mode, data source, uptime, last tick, kill switch, open positions and who decides, with a Refresh button."""
    button = refresh_button("status", for_asker(user_id_of(update)))
    await message_of(update).reply_text(await render(context, "status"), parse_mode=ParseMode.HTML,
                                        reply_markup=button)


async def health(update: Update, context: BotContext) -> None:
    """Show the exchange connection's calls, errors and latency per endpoint."""
    await message_of(update).reply_text(views.health_text(context.assistant.health()),
                                        parse_mode=ParseMode.HTML)
