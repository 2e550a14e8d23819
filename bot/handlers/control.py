"""/kill, /resume and /risk: the brakes."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, chat_id_of, message_of, user_id_of
from bot.handlers.live import tell
from bot.notifier import answered_in
from bot.views.risk import nothing_to_resume, risk_text
from trading.domain.errors import InvalidInput


async def kill(update: Update, context: BotContext) -> None:
    """Stop all new orders now; '/kill flat' also closes every position at market."""
    if context.words not in ([], ["flat"]):
        raise InvalidInput("Usage: /kill to stop new orders, /kill flat to also close every position")
    flat = context.words == ["flat"]
    # the reply is the one message about it: the loop records the event without pushing it too
    changed = await context.loop.kill(flat, f"chat:{chat_id_of(update)}", "/kill" + " flat" * flat,
                                      notify=False)
    what = "No new orders; closing every position at market." if flat else "No new orders. Positions stay protected."
    prefix = "🛑 Kill switch on." if changed else "🛑 Kill switch was already on."
    await message_of(update).reply_text(f"{prefix} {what} /resume lifts it.")


async def resume(update: Update, context: BotContext) -> None:
    """Lift a pause, the kill switch, a drawdown halt and a loss-streak cooldown (live: the kill switch and the
    halt after a code)."""
    with answered_in(chat_id_of(update)):        # the reply says it here; the push tells the other chats
        switch = await context.control.resume(user_id_of(update))
    await tell(update, context, switch, "▶️ Trading resumed: lifted {lifted}.",
               nothing_to_resume(context.loop.risk_status()))


async def risk(update: Update, context: BotContext) -> None:
    """Show limits, today's PnL, drawdown, cooldowns, breaker and kill switch."""
    await message_of(update).reply_text(risk_text(context.loop.risk_status()), parse_mode=ParseMode.HTML)
