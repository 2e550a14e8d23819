"""/chart: a symbol's candlesticks with the ICT zones the strategies see and the bot's own trades."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of, user_id_of
from bot.views.charts import chart_caption
from bot.views.choices import CHART, symbol_choices, timeframe_choices
from trading.domain.errors import InvalidInput
from trading.services.charts import USAGE, ChartService


def _charts(context: BotContext) -> ChartService:
    return context.bot_data["charts"]


async def chart(update: Update, context: BotContext) -> None:
    """Send a symbol's candlesticks with its ICT zones, liquidity and the bot's own trades."""
    if len(context.words) > 2:
        raise InvalidInput(USAGE)
    try:
        picture = await _charts(context).chart(*context.words) if context.words else None
    except InvalidInput as exc:
        if "Unknown symbol" not in str(exc):
            raise
        await message_of(update).reply_text(str(exc), reply_markup=symbol_choices(
            CHART, context.assistant.profile.symbols, user_id_of(update)))
        return
    if picture is None:                # no symbol: offer the traded ones
        await message_of(update).reply_text(f"Which market? {USAGE}", reply_markup=symbol_choices(
            CHART, context.assistant.profile.symbols, user_id_of(update)))
        return
    await message_of(update).reply_photo(picture.png, caption=chart_caption(picture), parse_mode=ParseMode.HTML,
                                         reply_markup=timeframe_choices(picture.symbol, user_id_of(update)))
