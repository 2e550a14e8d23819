"""/help [COMMAND], /version, /show_config, /logs, /locks, /unlock, and the menu buttons under /start and /help."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import confirmation_cards as cards
from bot.callback_data import NOT_YOURS, OUT_OF_DATE, asker_and_ref, decode
from bot.context import BotContext, chat_id_of, message_of, query_of, user_id_of
from bot.notifier import answered_in
from bot.parsing import count
from bot.views import about as views
from bot.views import status as status_views
from trading.domain.errors import InvalidInput, shortened
from trading.services import about


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands, or explain one with examples."""
    commands = {name: (usage, summary) for group in context.command_groups.values() for name, usage, summary in group}
    if not context.words:
        await message_of(update).reply_text(status_views.help_text(context.command_groups)
                                            + "\n\nSend /help COMMAND for one with examples.",
                                            parse_mode=ParseMode.HTML,
                                            reply_markup=views.menu_keyboard(user_id_of(update)))
        return
    typed = context.words[0].lstrip("/").lower()
    if typed not in commands:
        close = views.nearest(typed, list(commands))
        hint = f" Did you mean /help {close}?" if close else ""
        raise InvalidInput(f"No command /{shortened(typed, 20)}.{hint} /help lists them.")
    await message_of(update).reply_text(views.command_help(typed, *commands[typed]), parse_mode=ParseMode.HTML)


async def version(update: Update, context: BotContext) -> None:
    """Show the version of the bot and its main libraries."""
    await message_of(update).reply_text(views.versions_text(about.versions()), parse_mode=ParseMode.HTML)


async def show_config(update: Update, context: BotContext) -> None:
    """Show the effective settings, secrets masked: what this process runs with, and what waits for a restart."""
    settings, profile = context.tuning.current, context.assistant.profile
    api_url = context.bot.base_url.removesuffix(context.bot.token)      # never the token
    running = about.running_values(settings, context.assistant.market.source, api_url, profile.symbols,
                                   context.performance.zone)
    rows = about.effective_settings(settings, running)
    await message_of(update).reply_text(views.config_text(rows), parse_mode=ParseMode.HTML)


async def logs(update: Update, context: BotContext) -> None:
    """Show the newest warnings and errors of the log (20 by default), secrets masked."""
    limit = count(context.words, 20, 200, "/logs [n], e.g. /logs 50")
    lines = about.recent_problems(context.tuning.current.data_dir, limit)
    await message_of(update).reply_text(views.logs_text(lines), parse_mode=ParseMode.HTML)


async def locks(update: Update, context: BotContext) -> None:
    """Show what blocks new entries now, for how long, and how to lift each."""
    await message_of(update).reply_text(views.locks_text(context.control.locks()), parse_mode=ParseMode.HTML)


async def unlock(update: Update, context: BotContext) -> None:
    """Lift a loss-streak cooldown now (audited)."""
    with answered_in(chat_id_of(update)):        # the reply says it here; the push tells the other chats
        lifted = await context.control.unlock(user_id_of(update))
    await message_of(update).reply_text("🔓 Cooldown lifted: new entries allowed again." if lifted else
                                        "No cooldown is running. /locks shows what blocks entries.")


async def menu_pressed(update: Update, context: BotContext) -> None:
    """Run a menu button's command as if it had been typed (read-only commands only)."""
    from bot.commands import COMMANDS      # the registry imports this module: look it up at the press
    query = query_of(update)
    try:
        callback = decode(query.data)
    except InvalidInput:
        await query.answer(OUT_OF_DATE)
        return
    handler = next((c.handler for c in COMMANDS if c.name == callback.action), None)
    if handler is None or callback.action not in dict(views.MENU):
        await query.answer(OUT_OF_DATE)
        return
    if asker_and_ref(callback)[0] != query.from_user.id:
        await query.answer(NOT_YOURS)
        return
    if not await cards.fresh_press(update, context):      # a double tap runs the command once
        return
    await query.answer()
    context.args = []
    await handler(update, context)
