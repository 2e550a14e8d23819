"""A live-order approval: a confirmation that binds an order ticket and needs a two-factor code to act.

Two kinds share the card, the code and the one claim: the user's own orders (/buy, /close...) and the bot's own
entries while LIVE_AUTONOMY=approve (a strategy's or the LLM's plan, placed with the plan's exits once approved).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from trading.domain.confirmations import Confirmation
from trading.domain.manual_orders import OrderTicket
from trading.domain.orders import Order

APPROVAL_ACTION = "live_order"          # the confirmation action of a manual order's card
ENTRY_ACTION = "bot_entry"              # ... and of a card for the bot's own entry
APPROVAL_ACTIONS = (APPROVAL_ACTION, ENTRY_ACTION)
HASH_SHOWN = 12          # hex characters of the ticket's hash carried in the buttons


@dataclass(frozen=True, slots=True)
class Approval:
    """A card: its confirmation (who, where, hash, expiry, state), the ticket, and the client ids of its legs."""

    confirmation: Confirmation
    ticket: OrderTicket
    client_order_ids: tuple[str, ...]
    reason: str = ""                  # why the order is proposed: "manual", or the strategy's / the LLM's reason
    message_id: int | None = None
    code_asked_ms: int | None = None
    code_verified_ms: int | None = None
    plan: Mapping[str, Any] | None = None   # a bot entry's plan as plain data, stored with the card; None: manual

    @property
    def id(self) -> str:
        """Return the approval's id (the confirmation's)."""
        return self.confirmation.id

    @property
    def bot_entry(self) -> bool:
        """Return True for a card of the bot's own entry (a strategy's or the LLM's), False for a manual order."""
        return self.confirmation.action == ENTRY_ACTION

    @property
    def hash_shown(self) -> str:
        """Return the part of the ticket's hash the buttons carry."""
        return self.confirmation.payload_hash[:HASH_SHOWN]


class TapOutcome(StrEnum):
    """What a press on a card, or a code for it, came to."""

    CODE_ASKED = "code_asked"        # approved: the next code in the private chat sends the order
    WAITING = "waiting"              # approved already; still waiting for the code
    PLACED = "placed"                # the code was right and the order(s) went out
    FAILED = "failed"                # claimed, but the exchange refused or could not be reached
    REFRESHED = "refreshed"          # the price moved or the orders changed: a new card replaces this one
    BLOCKED = "blocked"              # a risk rule or a hold blocks it now; nothing was placed
    REJECTED = "rejected"            # the user said no
    LOCKED = "locked"                # codes are locked out after wrong ones
    NOT_YOURS = "not_yours"
    ALREADY_ANSWERED = "already_answered"
    EXPIRED = "expired"
    UNKNOWN = "unknown"              # forged, or a hash that does not match the stored order


@dataclass(frozen=True, slots=True)
class TapResult:
    """The outcome of a press or a code, with the card it concerns, its replacement, and what was placed."""

    outcome: TapOutcome
    approval: Approval | None = None
    replacement: Approval | None = None
    orders: tuple[Order, ...] = ()
    detail: str = ""                 # why it was blocked, refreshed or failed, in words
    locked_until_ms: int = 0

    @property
    def final(self) -> bool:
        """Return True when the card can no longer do anything (its buttons go)."""
        return self.outcome not in (TapOutcome.CODE_ASKED, TapOutcome.WAITING, TapOutcome.NOT_YOURS,
                                    TapOutcome.LOCKED)


class ProposalOutcome(StrEnum):
    """What became of the bot's own entry put to the owner."""

    PROPOSED = "proposed"            # a card is on its way to the owner's private chat
    ALREADY_WAITING = "already_waiting"    # the symbol has a card waiting already: no second one
    NO_APPROVER = "no_approver"      # no private chat to ask in (nobody has written to the bot yet)


@dataclass(frozen=True, slots=True)
class Proposal:
    """The outcome of putting an entry to the owner, with the card it made or the one already waiting."""

    outcome: ProposalOutcome
    approval: Approval | None = None
