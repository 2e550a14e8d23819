"""The cards of the bot's own entries around a loop rig, wired as trading.bootstrap_controls.entry_proposals wires
them: approvals on the rig's database and clock, a two-factor secret, and a chat that records the cards it shows."""
from __future__ import annotations

from dataclasses import dataclass

import pyotp

from tests.fakes.loop_rig import LoopRig
from trading.adapters.sqlite_approvals import SqliteApprovals
from trading.adapters.sqlite_confirmations import SqliteConfirmations
from trading.domain.approvals import ENTRY_ACTION, Approval, TapOutcome, TapResult
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderTicket
from trading.services.approvals import ApprovalSettings, Approvals
from trading.services.code_requests import CodeRequests
from trading.services.confirmations import Confirmations
from trading.services.entry_gate import EntryGate
from trading.services.entry_proposals import EntryProposals
from trading.services.two_factor import TwoFactor

OWNER = 4242
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class RecordingCards:
    """An ApprovalCards chat that keeps the cards it is asked to show (rendering them is bot/'s business)."""

    def __init__(self, approver: int | None = OWNER) -> None:
        self.shown: list[Approval] = []
        self._approver = approver

    def approver(self) -> int | None:
        """Return the user the cards are for."""
        return self._approver

    def show(self, approval: Approval) -> None:
        """Keep the card."""
        self.shown.append(approval)


@dataclass
class ProposalRig:
    """A loop whose entries wait for the owner's approval, and the means to give it."""

    loop: LoopRig
    approvals: Approvals
    proposals: EntryProposals
    cards: RecordingCards
    codes: CodeRequests

    def code(self) -> str:
        """Return the authenticator app's code at the rig's time."""
        return pyotp.TOTP(TOTP_SECRET).at(self.loop.clock.now_ms() // 1000)

    async def approve(self, approval: Approval, user: int = OWNER) -> TapResult:
        """Press Approve on the card, then send the right code; return what came of it."""
        pressed = await self.approvals.approve(approval.id, approval.hash_shown, user)
        if pressed.outcome is not TapOutcome.CODE_ASKED:
            return pressed
        answer = await self.codes.answer(user, user, self.code())
        return answer.result


async def _no_manual_orders(order: ManualOrder) -> OrderTicket:
    raise InvalidInput("this rig proposes the bot's own entries only")


async def with_proposals(rig: LoopRig, timeout_ms: int = 120_000, cards: RecordingCards | None = None
                         ) -> ProposalRig:
    """Return rig with its entries put to the owner as cards that live timeout_ms."""
    events, clock = rig.loop.events, rig.clock
    factor = TwoFactor(TOTP_SECRET, rig.store, events, clock)
    await factor.load()
    codes = CodeRequests(factor, clock)
    gate = EntryGate(rig.engine, clock)
    confirmations = Confirmations(SqliteConfirmations(rig.store), clock)
    approvals = Approvals(SqliteApprovals(rig.store), confirmations, _no_manual_orders, None,  # type: ignore[arg-type]
                          codes, gate, events, clock, ApprovalSettings(timeout_ms=timeout_ms))
    proposals = EntryProposals(approvals, rig.loop, gate, events, clock)
    approvals.handle(ENTRY_ACTION, proposals)
    rig.loop.ask_approval(proposals)
    proposals.cards = cards or RecordingCards()
    return ProposalRig(rig, approvals, proposals, proposals.cards, codes)  # type: ignore[arg-type]
