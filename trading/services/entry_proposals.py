"""The bot's own live entries as approval cards (LIVE_AUTONOMY=approve): the loop's plan in, a card out.

The loop hands over each entry plan the engine made (a strategy's signal decided by the rules or an LLM, or the
LLM's own idea), already through the entry gate; nothing is placed here. The plan becomes the card the user's own
live orders get, with the strategy's or the LLM's reason, in the owner's private chat (ApprovalCards, from bot/).
A symbol with a card waiting gets no second one. The card expires unexecuted after APPROVAL_TIMEOUT_SECONDS.

At the tap the card is quoted again here: the entry gate with the engine's own pace rules, a symbol taken
meanwhile or a price already past the plan's stop refuse it; a price moved beyond APPROVAL_MAX_SLIPPAGE_BPS gives
a fresh card (trading/services/approvals.py). After the code the loop places the plan under the approval's client
id (TradingLoop.enter_approved), so the position opens with the plan's stop, target, partial and trailing exits,
exactly as the loop's own entries do, never as a naked manual position. The plan is stored with the card: if the
process stops after the order leaves and before it is recorded, start-up finds the order by the approval's client
id and arms the stored plan's exits (resume_entry) instead of the defaults an unknown position gets.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.approvals import ENTRY_ACTION, Approval, Proposal, ProposalOutcome
from trading.domain.errors import EntryRefused, InvalidInput, OrderNotFound, RetryableError, TradingError
from trading.domain.events import Event, EventKind, Severity
from trading.domain.instruments import price_text
from trading.domain.manual_orders import OrderTicket
from trading.domain.orders import Order
from trading.engine.entry_gate import EntryOrigin
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.entry_tickets import past_stop, plan_ticket, plan_reason
from trading.engine.snapshots import from_plain, to_plain
from trading.ports import ApprovalCards, Clock
from trading.services.approvals import Approvals
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.order_outcomes import found_after
from trading.services.trading_loop import TradingLoop

KEEP_AFTER_EXPIRY_MS = 60_000     # a plan outlives its card a little: a claim made just before expiry still places


@dataclass(frozen=True, slots=True)
class _Waiting:
    plan: EntryPlan
    expires_ms: int


class EntryProposals:
    """Implements the loop's EntryApprovals port, and quotes and carries out the cards it raised."""

    def __init__(self, approvals: Approvals, loop: TradingLoop, gate: EntryGate, events: EventBus,
                 clock: Clock) -> None:
        self.approvals = approvals
        self._loop = loop
        self._gate = gate
        self._events = events
        self._clock = clock            # the approvals' clock: real time, like the cards' expiry
        self._plans: dict[str, _Waiting] = {}     # by approval id; cards from before a restart expire at start
        self.cards: ApprovalCards | None = None   # the chat that shows them, bound once the bot is up

    async def propose(self, plan: EntryPlan, mark: Decimal) -> Proposal:
        """Put plan to the owner as a card (mark: where a market entry fills), unless its symbol has one waiting."""
        symbol = plan.signal.symbol
        waiting = await self.approvals.waiting(symbol)
        if waiting is not None:
            await self._audit(f"Entry {symbol} not proposed again: card {waiting.id} still waits", notify=False)
            return Proposal(ProposalOutcome.ALREADY_WAITING, waiting)
        user = self.cards.approver() if self.cards is not None else None
        if user is None or self.cards is None:
            await self._audit(f"The bot wanted to enter {symbol} but nobody can approve it: send /start in your "
                              f"private chat with the bot. Nothing was placed.", notify=True)
            return Proposal(ProposalOutcome.NO_APPROVER)
        now = self._clock.now_ms()
        ticket = plan_ticket(plan, self._loop.instruments[symbol], mark, now)
        # a private chat's id is its user's id: the card goes where codes are accepted
        approval = await self.approvals.propose(user, user, ticket, plan_reason(plan), ENTRY_ACTION, to_plain(plan))
        self._forget_lapsed(now)
        self._plans[approval.id] = _Waiting(plan, approval.confirmation.expires_ms)
        self.cards.show(approval)
        return Proposal(ProposalOutcome.PROPOSED, approval)

    async def quote(self, approval: Approval) -> OrderTicket:
        """Return the card's entry at today's price; raise InvalidInput when it may not go out now."""
        plan = self._plan(approval)
        symbol = plan.signal.symbol
        self._gate.check(symbol, EntryOrigin.ENGINE)       # the holds, the brakes and the bot's own pace
        if self._loop.engine.state.busy(symbol):
            raise InvalidInput(f"{symbol} already has a position or an entry on its way; the bot holds one per "
                               f"symbol")
        price = (await self._loop.market.ticker(symbol)).last
        if past_stop(plan, price) and plan.stop is not None:
            tick = self._loop.instruments[symbol].price_tick
            raise InvalidInput(f"the price {price_text(price, tick)} is already past the plan's stop "
                               f"{price_text(plan.stop, tick)}; the setup failed")
        return plan_ticket(plan, self._loop.instruments[symbol], price, self._clock.now_ms())

    async def execute(self, approval: Approval) -> list[Order]:
        """Place the approved plan through the loop, under the approval's client id."""
        plan = self._plan(approval)
        try:
            order = await self._loop.enter_approved(plan, approval.client_order_ids[0])
        except EntryRefused:           # the gate refused it before anything went out
            raise
        except TradingError as exc:    # refused, unanswered, or failing after it went out: ask the exchange
            order = await self._found(plan, approval.client_order_ids[0], exc)
        self._plans.pop(approval.id, None)
        return [order]

    async def _found(self, plan: EntryPlan, client_id: str, error: TradingError) -> Order:
        """Return the entry the exchange holds under client_id after error, its plan's exits armed; re-raise error
        when the exchange has none (OrderNotFound, saying not placed, after an error that left it unknown); raise
        OrderOutcomeUnknown when it cannot be asked either."""
        found = await found_after(self._loop.broker, client_id, plan.signal.symbol, error)
        if found is None and isinstance(error, RetryableError):     # its "MAY have reached" is answered now
            raise OrderNotFound(f"the {plan.signal.symbol} entry was not placed: the exchange has no order "
                                f"{client_id} (it did not answer, and a later look-up found none)")
        if found is None:
            raise error
        try:        # the loop did not record it when the failure came before it did: the plan's exits, not defaults
            armed = await self._loop.resume_approved(plan, client_id)
        except TradingError as exc:       # the order stands; the loop's next sync adopts it
            armed = f"arming its exits failed ({exc}); the next sync adopts the position"
        await self._audit(f"Approved entry {client_id} ({plan.signal.symbol}) went out despite a failure "
                          f"({type(error).__name__}): {armed}", notify=False)
        return found

    def replaced(self, old: Approval, new: Approval) -> None:
        """Carry the plan over to the card that replaces old (the price moved)."""
        waiting = self._plans.pop(old.id, None)
        if waiting is not None:
            self._plans[new.id] = _Waiting(waiting.plan, new.confirmation.expires_ms)

    def _plan(self, approval: Approval) -> EntryPlan:
        waiting = self._plans.get(approval.id)
        if waiting is None:
            raise InvalidInput("the bot's plan for this entry is gone (the bot restarted); nothing was placed")
        return waiting.plan

    def _forget_lapsed(self, now_ms: int) -> None:
        for approval_id in [k for k, w in self._plans.items() if w.expires_ms + KEEP_AFTER_EXPIRY_MS < now_ms]:
            del self._plans[approval_id]

    async def _audit(self, message: str, notify: bool) -> None:
        await self._events.emit(Event(EventKind.APPROVAL, self._clock.now_ms(), message,
                                      severity=Severity.WARNING if notify else Severity.INFO, notify=notify))


def stored_plan(approval: Approval) -> EntryPlan | None:
    """Return the entry plan stored with a bot entry's card (None: a manual order's card)."""
    return from_plain(EntryPlan, dict(approval.plan)) if approval.plan is not None else None


async def resume_entry(loop: TradingLoop, approval: Approval) -> str:
    """Arm the stored plan's exits on a card's entry placed before a restart (Approvals.start's resume)."""
    plan = stored_plan(approval)
    if plan is None:
        return "no plan was stored with the card: its position keeps the default exits"
    return await loop.resume_approved(plan, approval.client_order_ids[0])

