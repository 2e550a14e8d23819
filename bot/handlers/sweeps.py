"""/sweeps: the stored parameter sweeps, a page at a time, or one in full (read-only, thin)."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext, message_of
from bot.views.sweeps import sweep_report, sweeps_page
from trading.services.sweeps import SweepService, sweeps_request


async def sweeps(update: Update, context: BotContext) -> None:
    """List the newest sweeps (/sweeps, /sweeps older ID) or show one (/sweeps ID)."""
    service: SweepService = context.bot_data["sweeps"]
    kind, sweep_id = sweeps_request(context.words)
    if kind == "show":
        text = sweep_report(await service.sweep(sweep_id))     # type: ignore[arg-type]
    else:
        text = sweeps_page(await service.recent(before_id=sweep_id))
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)
