"""A question put to one user that may be answered once: a confirmation card, a live-order approval."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping


class ConfirmationState(StrEnum):
    """Where a confirmation is: waiting, being carried out, finished, or no longer answerable."""

    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    EXPIRED = "expired"


class ClaimOutcome(StrEnum):
    """What an answer to a confirmation got: the right to act on it, or the reason it did nothing."""

    CLAIMED = "claimed"
    NOT_YOURS = "not_yours"              # another user asked
    ALREADY_ANSWERED = "already_answered"  # a double tap, or the same callback delivered again
    EXPIRED = "expired"                  # too late, or asked before a restart
    UNKNOWN = "unknown"                  # no such question for this action: forged, or from elsewhere


@dataclass(frozen=True, slots=True)
class Confirmation:
    """One question: who asked, where, about what (action and payload hash), and until when."""

    id: str
    user_id: int
    chat_id: int
    action: str
    payload_hash: str
    created_ms: int
    expires_ms: int
    state: ConfirmationState = ConfirmationState.PENDING
    result: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of answering a confirmation; confirmation is None when the id is unknown."""

    outcome: ClaimOutcome
    confirmation: Confirmation | None = None

    @property
    def granted(self) -> bool:
        """Return True when the answer may be acted on (exactly once)."""
        return self.outcome is ClaimOutcome.CLAIMED


def payload_hash(payload: Mapping[str, Any]) -> str:
    """Return the SHA-256 of the payload's canonical JSON, so an answer binds to exactly what was asked."""
    canonical = json.dumps(dict(payload), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
