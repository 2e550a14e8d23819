"""/signals and /strategies."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of, user_id_of
from bot.views.choices import strategy_switches
from bot.views.signals import signals_text, strategies_text
from trading.domain.errors import InvalidInput

USAGE = "Usage: /strategies to list, /strategies NAME on|off to switch, e.g. /strategies B off"


async def signals(update: Update, context: BotContext) -> None:
    """Show live zones, liquidity, trends and the latest signals for a symbol."""
    if len(context.words) > 1:
        raise InvalidInput("One symbol at a time, e.g. /signals BTC/USDT")
    report = await context.signals.report(context.words[0] if context.words else "")
    await message_of(update).reply_text(signals_text(report), parse_mode=ParseMode.HTML)


async def strategies(update: Update, context: BotContext) -> None:
    """List the strategies, or switch one on or off."""
    if context.words:
        if len(context.words) != 2 or context.words[1].lower() not in ("on", "off"):
            raise InvalidInput(USAGE)
        was_on = {n for n, on in context.signals.strategies() if on}
        name = await context.signals.switch(context.words[0], context.words[1].lower() == "on")
        state = context.words[1].lower()
        already = (name in was_on) == (state == "on")
        await message_of(update).reply_text(f"Strategy {name} is already {state}; nothing changed." if already
                                            else f"Strategy {name} switched {state}.")
        return
    strategies = context.signals.strategies()
    await message_of(update).reply_text(strategies_text(strategies), parse_mode=ParseMode.HTML,
                                        reply_markup=strategy_switches(strategies, user_id_of(update)))
