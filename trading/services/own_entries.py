"""The bot's own entries: sent to the broker at once, or put to the owner as an approval card first.

The loop and the LLM's symbol reviews hand every entry plan that passed the engine's entry gate to
OwnEntries. Without approvals (paper, or live with LIVE_AUTONOMY=autonomous) the order goes out now. With
them (live, LIVE_AUTONOMY=approve; chosen in trading/bootstrap_controls.py) nothing is placed: the plan waits
as a card, and an approved card comes back through TradingLoop.enter_approved.
"""
from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from trading.domain.approvals import ProposalOutcome
from trading.engine.entry_pipeline import EntryPlan
from trading.ports import EntryApprovals
from trading.services.order_outcomes import Unanswered
from trading.services.position_sync import PositionSync


class EntryOutcome(StrEnum):
    """What became of one of the bot's entries."""

    PLACED = "placed"
    FAILED = "failed"                  # the broker refused it (an alert says why)
    UNKNOWN = "unknown"                # no answer, no look-up either: it MAY be on the exchange (a warning says so)
    PROPOSED = "proposed"              # a card waits for the owner
    ALREADY_WAITING = "already_waiting"    # the symbol has a card waiting: no second one
    NO_APPROVER = "no_approver"        # nobody to ask: not proposed

    def verdict(self, symbol: str) -> str:
        """Return the outcome as the decision log records it."""
        return {EntryOutcome.PLACED: "allowed: order sent",
                EntryOutcome.FAILED: "allowed, but the broker refused the order",
                EntryOutcome.UNKNOWN: "allowed: the order MAY have reached the exchange (no answer); looked up by "
                                      "its client id",
                EntryOutcome.PROPOSED: "allowed: a card waits for the owner's approval",
                EntryOutcome.ALREADY_WAITING: f"allowed, but a card for {symbol} already waits: not proposed again",
                EntryOutcome.NO_APPROVER: "allowed, but nobody can approve it yet (no private chat): not proposed",
                }[self]


_PROPOSALS = {ProposalOutcome.PROPOSED: EntryOutcome.PROPOSED,
              ProposalOutcome.ALREADY_WAITING: EntryOutcome.ALREADY_WAITING,
              ProposalOutcome.NO_APPROVER: EntryOutcome.NO_APPROVER}


class OwnEntries:
    """Places the bot's entry plans, or proposes them when its live entries need the owner's approval."""

    def __init__(self, sync: PositionSync) -> None:
        self._sync = sync
        self.approvals: EntryApprovals | None = None

    async def enter(self, plan: EntryPlan, now_ms: int, mark: Decimal | None) -> EntryOutcome:
        """Send plan's order, or put it to the owner (mark: the last price, where a market entry fills)."""
        if self.approvals is None:
            order = await self._sync.place_entry(plan, now_ms)
            if isinstance(order, Unanswered):
                return EntryOutcome.UNKNOWN
            return EntryOutcome.PLACED if order is not None else EntryOutcome.FAILED
        proposal = await self.approvals.propose(plan, mark if mark is not None else plan.signal.entry)
        return _PROPOSALS[proposal.outcome]
