"""One process per bot token: at start-up, before anything trades, make sure no other process gets its updates.

Two processes polling with one token both run (Telegram answers each one's polls with 409 Conflict now and then)
and both trade on the same exchange account. Telegram ends a pending long poll with 409 when another one starts,
so a short long poll at start-up meets the other process's next poll and is answered 409.
"""
from __future__ import annotations

from telegram import Bot
from telegram.error import Conflict, TelegramError
from telegram.request import HTTPXRequest

from trading.domain.errors import AlreadyRunning
from trading.logs import get_logger

log = get_logger(__name__)
CONFLICT_PROBE_S = 3.0


async def ensure_sole_poller(token: str, base_url: str, probe_s: float = CONFLICT_PROBE_S) -> None:
    """Raise AlreadyRunning when Telegram answers 409 Conflict; return when it does not, or cannot be asked."""
    request = HTTPXRequest(connect_timeout=10, read_timeout=10, write_timeout=10)
    try:
        async with Bot(token, base_url=base_url, request=request, get_updates_request=request) as bot:
            # not confirmed (no offset): the updates it may return come again to the real poller
            await bot.get_updates(timeout=int(probe_s), limit=1)
    except Conflict as exc:
        raise AlreadyRunning(
            f"another process already receives this bot's Telegram updates (409 Conflict: {exc.message}). "
            f"Stop it, or give this process its own TELEGRAM_BOT_TOKEN. Nothing was traded.") from None
    except TelegramError as exc:   # unreachable, or a bad token: the Telegram connection reports and retries that
        log.warning("could not check that no other process polls this bot", error=str(exc))


def on_polling_error(exc: TelegramError) -> None:
    """Log a polling failure in one line; a 409 names its likely cause."""
    if isinstance(exc, Conflict):
        log.error("another process polls Telegram with this bot token (409 Conflict); stop one of them",
                  error=exc.message)
    else:
        log.warning("telegram polling failed, retrying", error=str(exc))
