"""/live on|off, /mode, /pause, and the two-factor codes typed in the private chat."""
from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import approval_cards
from bot.context import BotContext, chat_id_of, message_of, user_id_of
from bot.parsing import code_digits
from bot.views.approvals import code_reply
from bot.views.parameters import change_text as parameter_change_text
from bot.views.tuning import change_text
from bot.views.signals import switch_text
from bot.views import control as views
from trading.domain.approvals import TapResult
from trading.domain.errors import InvalidInput
from trading.services.chat_settings import SettingChange
from trading.services.live_control import Switch, SwitchOutcome
from trading.services.strategy_parameters import ParameterChange
from trading.services.strategy_switches import StrategySwitch


async def live(update: Update, context: BotContext) -> None:
    """Switch live trading on (asks for a code) or pause new live entries (at once)."""
    if context.words not in (["on"], ["off"]):
        raise InvalidInput("Usage: /live on (asks for a two-factor code) or /live off (pauses new entries now)")
    user = user_id_of(update)
    if context.words == ["on"]:
        switch = context.control.live_on(user)
        await tell(update, context, switch, "🟢 Live trading is ON.", "Live trading is already on.")
        return
    switch = await context.control.live_off(user)
    await tell(update, context, switch, "⏸ Live trading paused: no new position opens. /live on resumes.",
               "Live trading is already paused.")


async def mode(update: Update, context: BotContext) -> None:
    """Show paper, live paused or live on."""
    await message_of(update).reply_text(views.mode_text(context.control.mode()), parse_mode=ParseMode.HTML)


async def pause(update: Update, context: BotContext) -> None:
    """Hold new entries until /resume (exits and stops keep running)."""
    switch = await context.control.pause(user_id_of(update))
    await tell(update, context, switch, "⏸ New entries paused; exits and stops still run. /resume lifts it.",
               "New entries are already paused. /resume lifts it.")


async def tell(update: Update, context: BotContext, switch: Switch, done: str, unchanged: str) -> None:
    """Reply with the switch's outcome; a code is asked for in the user's private chat."""
    text = views.switch_text(switch, done, unchanged)
    user, chat = user_id_of(update), chat_id_of(update)
    if switch.outcome is SwitchOutcome.CODE_ASKED and chat != user:
        await context.bot.send_message(user, text, parse_mode=ParseMode.HTML)
        text = "I asked for the code in our private chat."
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)
    if switch.request is not None:       # a card whose code request this one replaced says so
        await approval_cards.replaced(context, switch.request)


async def code(update: Update, context: BotContext) -> None:
    """Read a six-digit code, delete the message that carried it, and do what it was asked for."""
    message = message_of(update)
    typed = code_digits(message.text or "")
    with contextlib.suppress(TelegramError):     # in a group the bot may lack the right; the code is spent anyway
        await message.delete()
    if len(typed) != 6:        # text with digits in it while a code is awaited: not sent anywhere, not spent
        await context.bot.send_message(chat_id_of(update), "A code is the six digits your authenticator app shows "
                                       "(like 123456 or 123 456). Nothing was done; type the code again.")
        return
    answer = await context.codes.answer(user_id_of(update), chat_id_of(update), typed)
    if isinstance(answer.result, TapResult):          # the code released a live order's approval
        await approval_cards.settle(context, answer.result)
        text = code_reply(answer.result)
    elif isinstance(answer.result, SettingChange):    # the code raised a risk limit
        text = "✅ Code accepted. " + change_text(answer.result)
    elif isinstance(answer.result, ParameterChange):  # the code applied a strategy's parameters
        text = "✅ Code accepted. " + parameter_change_text(answer.result)
    elif isinstance(answer.result, StrategySwitch):   # the code switched a strategy on
        text = "✅ Code accepted. " + switch_text(answer.result)
    else:
        text = views.code_answer_text(answer)
    await context.bot.send_message(chat_id_of(update), text, parse_mode=ParseMode.HTML)
