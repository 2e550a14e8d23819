"""What a two-factor code is for: each user has at most one request waiting for a code, answered once.

The chat asks for a code (/live on, an approved live order, /resume after a kill switch, raising a risk limit)
and the next six digits the user types in the private chat answer it. The request holds the action to run once
the code is accepted; a wrong code leaves it waiting (until the lockout), an expired one never runs. A new request
replaces the one waiting and keeps it as `replaced`, so the prompt can say which request a code no longer runs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Awaitable, Callable

from trading.ports import Clock
from trading.services.two_factor import CodeCheck, CodeVerdict, TwoFactor

CODE_TTL_MS = 120_000


class AnswerOutcome(StrEnum):
    """What came of a typed code."""

    DONE = "done"                  # accepted, and the action ran
    REFUSED = "refused"            # wrong, reused, malformed or locked out: see the check
    NOTHING_ASKED = "nothing_asked"
    EXPIRED = "expired"
    NOT_PRIVATE = "not_private"    # typed in a group: codes are read only in the user's private chat
    NO_TWO_FACTOR = "no_two_factor"


@dataclass(frozen=True, slots=True)
class CodeRequest:
    """A question waiting for one user's code: what it authorises, and until when."""

    user_id: int
    purpose: str                   # shown to the user: "switch live trading on"
    asked_ms: int
    expires_ms: int
    action: Callable[[], Awaitable[Any]]
    ref: str = ""                  # what it belongs to (an approval's id), so a newer card can replace it
    redo: str = ""                 # how to ask for it again once replaced: "press Approve on card #Ab3x again"
    replaced: CodeRequest | None = None   # the different request that was waiting when this one was asked


    def forgotten(self) -> CodeRequest:
        """Return this request without the one it replaced (a chain of replacements is not kept)."""
        return replace(self, replaced=None)


@dataclass(frozen=True, slots=True)
class CodeAnswer:
    """The outcome of a typed code, with the request it answered and what its action returned."""

    outcome: AnswerOutcome
    check: CodeCheck | None = None
    request: CodeRequest | None = None
    result: Any = None


class CodeRequests:
    """The requests waiting for a code, one per user, kept in memory: none survives a restart."""

    def __init__(self, factor: TwoFactor | None, clock: Clock) -> None:
        self.factor = factor
        self._clock = clock
        self._waiting: dict[int, CodeRequest] = {}

    @property
    def enabled(self) -> bool:
        """Return True when a TOTP secret is configured (live mode)."""
        return self.factor is not None

    def locked_until_ms(self) -> int:
        """Return when the lockout after wrong codes ends (0 when none)."""
        return self.factor.locked_until_ms() if self.factor is not None else 0

    def ask(self, user_id: int, purpose: str, action: Callable[[], Awaitable[Any]], ref: str = "",
            ttl_ms: int = CODE_TTL_MS, redo: str = "") -> CodeRequest:
        """Wait for user_id's next code to run action; the request it replaces, if another, is kept to be told."""
        now, before = self._clock.now_ms(), self.waiting(user_id)
        same = before is not None and (before.ref, before.purpose) == (ref, purpose)
        replaced = before if before is not None and not same else None
        request = CodeRequest(user_id, purpose, now, now + ttl_ms, action, ref, redo,
                              replaced.forgotten() if replaced is not None else None)
        self._waiting[user_id] = request
        return request

    def waiting(self, user_id: int) -> CodeRequest | None:
        """Return the user's unexpired request, if any."""
        request = self._waiting.get(user_id)
        return request if request is not None and request.expires_ms > self._clock.now_ms() else None

    def withdraw(self, user_id: int, ref: str) -> None:
        """Drop the user's request for ref (its card was rejected, refreshed or expired)."""
        request = self._waiting.get(user_id)
        if request is not None and request.ref == ref:
            del self._waiting[user_id]

    async def answer(self, user_id: int, chat_id: int, code: str) -> CodeAnswer:
        """Check a code typed by user_id in chat_id and, when accepted, run what it was asked for (once)."""
        if self.factor is None:
            return CodeAnswer(AnswerOutcome.NO_TWO_FACTOR)
        if chat_id != user_id:
            return CodeAnswer(AnswerOutcome.NOT_PRIVATE)
        request = self._waiting.pop(user_id, None)      # taken before anything is awaited: it runs once
        if request is None:
            return CodeAnswer(AnswerOutcome.NOTHING_ASKED)
        if request.expires_ms <= self._clock.now_ms():
            return CodeAnswer(AnswerOutcome.EXPIRED, request=request)
        check = await self.factor.check(code, f"user:{user_id}")
        if not check.accepted:
            if check.verdict is not CodeVerdict.LOCKED:
                self._waiting.setdefault(user_id, request)   # a wrong code leaves it waiting for another try
            return CodeAnswer(AnswerOutcome.REFUSED, check, request)
        return CodeAnswer(AnswerOutcome.DONE, check, request, await request.action())
