"""/chart: a symbol's candlesticks with the ICT zones the strategies see and the bot's own trades."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.views.charts import chart_caption
from trading.domain.errors import InvalidInput
from trading.services.charts import USAGE, ChartService


def _charts(context: BotContext) -> ChartService:
    return context.bot_data["charts"]


async def chart(update: Update, context: BotContext) -> None:
    """Send a symbol's candlesticks with its ICT zones, liquidity and the bot's own trades."""
    if not 1 <= len(context.args) <= 2:
        raise InvalidInput(USAGE)
    picture = await _charts(context).chart(*context.args)
    await update.effective_message.reply_photo(picture.png, caption=chart_caption(picture),
                                               parse_mode=ParseMode.HTML)
