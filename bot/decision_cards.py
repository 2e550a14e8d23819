"""The cards of the bot's own live entries (LIVE_AUTONOMY=approve), shown in the owner's private chat.

Implements the core's ApprovalCards port: the core decides what is proposed and to whom it may go
(trading/services/entry_proposals.py); this module names the approver and sends the card. The loop calls show()
with its lock held, so the card is sent by a task of its own and never holds the trading loop up. Presses and
codes then go through the same handlers as the cards of manual orders (bot/approval_cards.py).
"""
from __future__ import annotations

import asyncio

from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.approval_cards import send_card
from bot.auth import AllowList
from bot.notifier import retry_after_seconds
from trading.domain.approvals import Approval
from trading.logs import get_logger
from trading.services.approvals import Approvals

log = get_logger(__name__)
SEND_ATTEMPTS = 4
BACKOFF_S = 1.0


class DecisionCards:
    """Sends each card of the bot's own entries to the approver's private chat, in the background."""

    def __init__(self, app: Application, allow: AllowList, approvals: Approvals) -> None:
        self._app = app
        self._allow = allow
        self._approvals = approvals
        self._sending: set[asyncio.Task[None]] = set()

    def approver(self) -> int | None:
        """Return the owner (else the first allowed private chat's user); None while Telegram is not connected."""
        if not self._app.running:
            return None
        private = sorted(c for c in self._allow.recipients() if c > 0)     # a private chat's id is its user's
        if self._allow.owner in private:
            return self._allow.owner
        return private[0] if private else None

    def show(self, approval: Approval) -> None:
        """Queue the card in its chat; a card Telegram never takes simply expires, nothing placed."""
        task = asyncio.get_running_loop().create_task(self._send(approval))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, approval: Approval) -> None:
        chat_id = approval.confirmation.chat_id
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await send_card(self._app.bot, self._approvals, chat_id, approval)
                return
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
            except NetworkError as exc:
                log.warning("the card of the bot's entry did not go out; retrying", attempt=attempt, error=str(exc))
                await asyncio.sleep(BACKOFF_S * attempt)
            except TelegramError as exc:
                log.error("Telegram refused the card of the bot's entry; it will expire unseen", error=str(exc))
                return
        log.error("the card of the bot's entry could not be sent; it will expire unseen", approval=approval.id)
