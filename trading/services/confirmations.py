"""Confirmations: ask one user a question, and let exactly one answer from that user act on it.

The chat's confirmation cards (/reset_paper) and, later, live-order approvals are built on this. An answer is
claimed in the database (pending -> claimed, one conditional UPDATE) before any side effect, so a double tap or a
callback Telegram delivers twice acts once; another user's answer, a late one, or one from before a restart does
nothing and says why.
"""
from __future__ import annotations

import secrets
from typing import Any, Callable, Mapping

from trading.domain.confirmations import Claim, ClaimOutcome, Confirmation, payload_hash
from trading.ports import Clock, ConfirmationStore

DEFAULT_TTL_MS = 10 * 60_000
PRESS_AGAIN_AFTER_MS = 10_000   # a show-only button pressed again within this is a double tap (or a re-delivery)
KEPT_FOR_MS = 30 * 86_400_000     # finished questions are kept a month for the record, then deleted
MAX_ID_LENGTH = 40


def new_confirmation_id() -> str:
    """Return an unguessable id that fits in callback data (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


class Confirmations:
    """Puts questions and claims their answers; time is the wall clock's, whatever the market's clock does."""

    def __init__(self, store: ConfirmationStore, clock: Clock,
                 new_id: Callable[[], str] = new_confirmation_id) -> None:
        self._store = store
        self._clock = clock
        self._new_id = new_id

    async def start(self) -> int:
        """Expire what was still pending before this process started; return how many."""
        now = self._clock.now_ms()
        expired = await self._store.expire_pending(now)
        await self._store.forget_before(now - KEPT_FOR_MS)
        return expired

    async def ask(self, user_id: int, chat_id: int, action: str, payload: Mapping[str, Any],
                  ttl_ms: int = DEFAULT_TTL_MS) -> Confirmation:
        """Record a question about action (with payload) that only user_id may answer, until ttl_ms from now."""
        now = self._clock.now_ms()
        confirmation = Confirmation(self._new_id(), user_id, chat_id, action, payload_hash(payload), now, now + ttl_ms)
        await self._store.add(confirmation)
        return confirmation

    async def claim(self, confirmation_id: str, user_id: int, action: str,
                    payload: Mapping[str, Any] | None = None) -> Claim:
        """Claim the right to act on an answer, once; payload, when given, must be what was asked about."""
        if not confirmation_id or len(confirmation_id) > MAX_ID_LENGTH:
            return Claim(ClaimOutcome.UNKNOWN)
        expected = payload_hash(payload) if payload is not None else None
        return await self._store.claim(confirmation_id, user_id, action, expected, self._clock.now_ms())

    async def press(self, chat_id: int, message_id: int, data: str) -> bool:
        """Claim a press of a button that only shows something; False: the same press was just handled."""
        return await self._store.press(f"{chat_id}:{message_id}:{data}", self._clock.now_ms(), PRESS_AGAIN_AFTER_MS)

    async def finish(self, confirmation_id: str, result: str = "done") -> bool:
        """Record what came of a claimed answer (done, declined, failed: ...)."""
        return await self._store.finish(confirmation_id, result[:200], self._clock.now_ms())
