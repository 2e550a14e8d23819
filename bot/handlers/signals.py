"""/signals and /strategies."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.views.choices import strategy_switches
from bot.views.signals import signals_text, strategies_text
from trading.domain.errors import InvalidInput

USAGE = "Usage: /strategies to list, /strategies NAME on|off to switch, e.g. /strategies B off"


async def signals(update: Update, context: BotContext) -> None:
    """Show live zones, liquidity, trends and the latest signals for a symbol."""
    if len(context.args) > 1:
        raise InvalidInput("One symbol at a time, e.g. /signals BTC/USDT")
    report = await context.signals.report(context.args[0] if context.args else "")
    await update.effective_message.reply_text(signals_text(report), parse_mode=ParseMode.HTML)


async def strategies(update: Update, context: BotContext) -> None:
    """List the strategies, or switch one on or off."""
    if context.args:
        if len(context.args) != 2 or context.args[1].lower() not in ("on", "off"):
            raise InvalidInput(USAGE)
        name = await context.signals.switch(context.args[0], context.args[1].lower() == "on")
        await update.effective_message.reply_text(f"Strategy {name} switched {context.args[1].lower()}.")
        return
    strategies = context.signals.strategies()
    await update.effective_message.reply_text(strategies_text(strategies), parse_mode=ParseMode.HTML,
                                              reply_markup=strategy_switches(strategies, update.effective_user.id))
