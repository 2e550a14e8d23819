"""/signals and /strategies."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import approval_cards
from bot.context import BotContext, chat_id_of, message_of, user_id_of
from bot.views.choices import strategy_switches
from bot.views.signals import signals_text, strategies_text, switch_text
from trading.domain.errors import InvalidInput
from trading.services.chat_settings import ChangeOutcome
from trading.services.strategy_switches import StrategySwitch

USAGE = "Usage: /strategies to list, /strategies NAME on|off to switch, e.g. /strategies B off"


async def signals(update: Update, context: BotContext) -> None:
    """Show live zones, liquidity, trends and the latest signals for a symbol."""
    if len(context.words) > 1:
        raise InvalidInput("One symbol at a time, e.g. /signals BTC/USDT")
    report = await context.signals.report(context.words[0] if context.words else "")
    await message_of(update).reply_text(signals_text(report), parse_mode=ParseMode.HTML)


async def strategies(update: Update, context: BotContext) -> None:
    """List the strategies, or switch one on or off (on takes a code in live mode)."""
    if context.words:
        if len(context.words) != 2 or context.words[1].lower() not in ("on", "off"):
            raise InvalidInput(USAGE)
        switch = await context.switches.switch(context.words[0], context.words[1].lower() == "on",
                                               user_id_of(update))
        await tell_switch(update, context, switch)
        return
    strategies = context.switches.strategies()
    await message_of(update).reply_text(strategies_text(strategies), parse_mode=ParseMode.HTML,
                                        reply_markup=strategy_switches(strategies, user_id_of(update)))


async def tell_switch(update: Update, context: BotContext, switch: StrategySwitch) -> None:
    """Reply with the switch's outcome; a code is asked for in the user's private chat."""
    text, user, chat = switch_text(switch), user_id_of(update), chat_id_of(update)
    if switch.outcome is ChangeOutcome.CODE_ASKED and chat != user:
        await context.bot.send_message(user, text, parse_mode=ParseMode.HTML)
        text = "I asked for the code in our private chat."
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)
    if switch.request is not None:       # a card whose code request this one replaced says so
        await approval_cards.replaced(context, switch.request)
