"""An /optimize proposal as a card: Apply sets exactly the parameters shown, once, for the user who asked.

The proposal is stored under its card's confirmation id, and the confirmation holds the hash of the strategy
and parameters, so a press applies what the card showed and never re-runs the sweep. A press claims the
confirmation in SQLite before anything changes: another user's press, a double tap, a re-delivered callback,
a late one or one from before a restart does nothing and says why. In live mode Apply asks for a two-factor
code and the parameters change only when the right code comes; a wrong one changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Mapping

from trading.adapters.sqlite_strategy_parameters import SqliteStrategyParameters, StoredProposal
from trading.domain.confirmations import ClaimOutcome
from trading.domain.errors import InvalidInput
from trading.ports import Clock
from trading.services.code_requests import CodeRequest, CodeRequests
from trading.services.confirmations import DEFAULT_TTL_MS, KEPT_FOR_MS, Confirmations
from trading.services.strategy_parameters import ParameterChange, StrategyParameters
from trading.strategies.parameter_space import params_text

PROPOSAL_ACTION = "apply_parameters"


class ProposalOutcome(StrEnum):
    """What a press on a proposal card came to."""

    APPLIED = "applied"
    DISMISSED = "dismissed"
    CODE_ASKED = "code_asked"
    LOCKED = "locked"            # too many wrong codes: the card stays, try again after the lockout
    REFUSED = "refused"          # not the asker's, already answered, expired or unknown: see claim
    INVALID = "invalid"          # the values are no longer valid (see reason); nothing changed


@dataclass(frozen=True, slots=True)
class ProposalAnswer:
    """The outcome of a press, with the proposal, the change made and the code request, when there are."""

    outcome: ProposalOutcome
    proposal: StoredProposal | None = None
    claim: ClaimOutcome | None = None
    change: ParameterChange | None = None
    request: CodeRequest | None = None
    locked_until_ms: int = 0
    reason: str = ""


def payload(strategy: str, params: Mapping[str, float]) -> dict[str, object]:
    """Return what a proposal card's confirmation is bound to."""
    return {"strategy": strategy, "params": dict(sorted(params.items()))}


class ParameterProposals:
    """Puts /optimize proposals to their asker and applies the one they accept, once."""

    def __init__(self, confirmations: Confirmations, store: SqliteStrategyParameters, parameters: StrategyParameters,
                 codes: CodeRequests, live: bool, clock: Clock, ttl_ms: int = DEFAULT_TTL_MS) -> None:
        self._confirmations, self._store, self._parameters = confirmations, store, parameters
        self._codes, self._live, self._clock, self.ttl_ms = codes, live, clock, ttl_ms

    async def start(self) -> None:
        """Forget proposals older than the confirmations kept for the record."""
        await self._store.forget_proposals_before(self._clock.now_ms() - KEPT_FOR_MS)

    async def propose(self, user_id: int, chat_id: int, strategy: str, symbol: str, params: Mapping[str, float],
                      summary: str) -> StoredProposal:
        """Store the proposal for user_id to answer; raise InvalidInput when its values are not applicable."""
        values = self._parameters.checked(strategy, params)
        name = self._parameters.table(strategy).strategy
        asked = await self._confirmations.ask(user_id, chat_id, PROPOSAL_ACTION, payload(name, values), self.ttl_ms)
        proposal = StoredProposal(asked.id, name, symbol, values, summary, asked.created_ms)
        await self._store.add_proposal(proposal)
        return proposal

    async def answer(self, proposal_id: str, user_id: int, apply: bool) -> ProposalAnswer:
        """Claim the press, then apply (paper), ask for a code (live) or dismiss; any other press does nothing."""
        proposal = await self._store.proposal(proposal_id) if len(proposal_id) <= 40 else None
        if proposal is None:
            return ProposalAnswer(ProposalOutcome.REFUSED, claim=ClaimOutcome.UNKNOWN)
        locked = self._codes.locked_until_ms() if apply and self._live else 0
        if locked:              # not claimed: the card still works once the lockout ends
            return ProposalAnswer(ProposalOutcome.LOCKED, proposal, locked_until_ms=locked)
        claim = await self._confirmations.claim(proposal_id, user_id, PROPOSAL_ACTION,
                                                payload(proposal.strategy, proposal.params))
        if not claim.granted:
            return ProposalAnswer(ProposalOutcome.REFUSED, proposal, claim.outcome)
        if not apply:
            await self._confirmations.finish(proposal_id, "dismissed")
            return ProposalAnswer(ProposalOutcome.DISMISSED, proposal)
        if self._live:
            purpose = f"apply {proposal.strategy} {params_text(proposal.params)}"
            request = self._codes.ask(user_id, purpose, lambda: self._apply(proposal, user_id), ref=proposal_id)
            return ProposalAnswer(ProposalOutcome.CODE_ASKED, proposal, request=request)
        try:
            change = await self._apply(proposal, user_id)
        except InvalidInput as exc:
            return ProposalAnswer(ProposalOutcome.INVALID, proposal, reason=str(exc))
        return ProposalAnswer(ProposalOutcome.APPLIED, proposal, change=change)

    async def _apply(self, proposal: StoredProposal, user_id: int) -> ParameterChange:
        """Apply the stored parameters and record what came of the card."""
        try:
            change = await self._parameters.apply(proposal.strategy, proposal.params, user_id,
                                                  f"/optimize proposal {proposal.id}")
        except InvalidInput:
            await self._confirmations.finish(proposal.id, "failed: no longer valid")
            raise
        await self._confirmations.finish(proposal.id, "applied")
        return change

