"""/notify: switch notification categories on and off with buttons."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.callback_data import OUT_OF_DATE, decode
from bot.context import BotContext, message_of, query_of, user_id_of
from bot.views.notify import notify_keyboard, notify_text
from trading.domain.errors import InvalidInput
from trading.services.notification_policy import Category

NOT_YOURS = "These buttons belong to the person who asked; send /notify yourself."


async def notify(update: Update, context: BotContext) -> None:
    """Show the categories with a switch each."""
    policy = context.notifications
    await message_of(update).reply_text(notify_text(policy), parse_mode=ParseMode.HTML,
                                        reply_markup=notify_keyboard(policy, user_id_of(update)))


async def switched(update: Update, context: BotContext) -> None:
    """Set a category on or off (the button says which, so a repeated press changes nothing) and redraw."""
    query = query_of(update)
    try:
        callback = decode(query.data)
        verb, _, name = callback.action.partition("_")
        category = Category(name)
    except (InvalidInput, ValueError):
        await query.answer(OUT_OF_DATE)
        return
    if callback.id != str(query.from_user.id) or verb not in ("on", "off"):
        await query.answer(NOT_YOURS if verb in ("on", "off") else OUT_OF_DATE)
        return
    await context.notifications.switch(category, verb == "on")
    await query.answer(f"{category.value}: {verb}")
    policy = context.notifications
    await query.edit_message_text(notify_text(policy), parse_mode=ParseMode.HTML,
                                  reply_markup=notify_keyboard(policy, query.from_user.id))
