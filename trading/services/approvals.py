"""Live-order approvals: a card per order, Approve, a two-factor code, then exactly one placement.

Built on confirmations: the card is a confirmation row (who may answer, the hash of the ticket shown, expiry)
and pending -> claimed is the one conditional UPDATE made after the code is verified and before the order
leaves. A press is checked against the stored approval (the hash in the button must match it) and answered
from the database alone (press: the presser's next code is for this card, and the prompt says which request it
replaced); after the answer, and again at the code, the order is re-quoted (recheck): a price that moved more
than the slippage allowed, or orders that no longer match, replace the card with a fresh one; a hold or a risk
rule that now blocks an entry ends it. The legs go out with client ids derived from the approval's id, so after
a restart a claimed approval with no recorded result is looked up on the exchange by those ids before anything
trades again.
"""
from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Awaitable, Callable, Mapping, Protocol

from trading.adapters.sqlite_approvals import SqliteApprovals
from trading.domain.approval_cards import card_label, describe, ended_by_recheck, requote_change
from trading.domain.approvals import APPROVAL_ACTION, Approval, TapOutcome, TapResult
from trading.domain.confirmations import ClaimOutcome, Confirmation, payload_hash
from trading.domain.errors import InvalidInput, TradingError
from trading.domain.events import Event, EventKind, Severity
from trading.domain.manual_orders import ManualOrder, OrderTicket, approval_client_id
from trading.domain.orders import Order
from trading.ports import Broker, Clock
from trading.services.code_requests import CodeRequest, CodeRequests
from trading.services.confirmations import Confirmations, new_confirmation_id
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.order_outcomes import TicketInterrupted, Unanswered, look_up
from trading.services.portfolio import PortfolioService

_CLAIMS = {ClaimOutcome.NOT_YOURS: TapOutcome.NOT_YOURS, ClaimOutcome.ALREADY_ANSWERED: TapOutcome.ALREADY_ANSWERED,
           ClaimOutcome.EXPIRED: TapOutcome.EXPIRED, ClaimOutcome.UNKNOWN: TapOutcome.UNKNOWN}


Quote = Callable[[ManualOrder], Awaitable[OrderTicket]]
ResumeEntry = Callable[[Approval], Awaitable[str]]    # arms a placed bot entry's stored plan; says what it did


class ApprovedOrders(Protocol):
    """How one kind of card (a confirmation action) is quoted again at the tap and carried out after the code."""

    async def quote(self, approval: Approval) -> OrderTicket:
        """Return the card's order at today's prices; raise InvalidInput when it may not go out now."""
        ...

    async def execute(self, approval: Approval) -> list[Order]:
        """Place the card's orders with its client ids; raise InvalidInput or TradingError when refused."""
        ...

    def replaced(self, old: Approval, new: Approval) -> None:
        """Carry what the old card stood for over to the card that replaces it."""
        ...


class ManualApprovedOrders:
    """The user's own orders (/buy, /close, /cancel...): quoted and carried out by the portfolio."""

    def __init__(self, quote: Quote, portfolio: PortfolioService) -> None:
        self._quote = quote
        self._portfolio = portfolio

    async def quote(self, approval: Approval) -> OrderTicket:
        """Return the manual order's ticket at today's prices."""
        return await self._quote(approval.ticket.order)

    async def execute(self, approval: Approval) -> list[Order]:
        """Carry out the ticket's legs with the approval's client ids."""
        return await self._portfolio.execute(approval.ticket, approval.client_order_ids)

    def replaced(self, old: Approval, new: Approval) -> None:
        """Nothing to carry over: the ticket is the whole order."""


@dataclass(frozen=True, slots=True)
class Pressed:
    """An Approve press answered from the database: what to toast, and the code request it made, if any."""

    result: TapResult
    request: CodeRequest | None = None


@dataclass(frozen=True, slots=True)
class ApprovalSettings:
    """How long a card lives and how far the price may move before it is shown again."""

    timeout_ms: int = 120_000
    max_slippage_bps: Decimal = Decimal(50)


class Approvals:
    """Asks, checks and carries out live-order approvals."""

    def __init__(self, store: SqliteApprovals, confirmations: Confirmations, quote: Quote,
                 portfolio: PortfolioService, codes: CodeRequests, gate: EntryGate, events: EventBus, clock: Clock,
                 settings: ApprovalSettings = ApprovalSettings()) -> None:
        self._kinds: dict[str, ApprovedOrders] = {APPROVAL_ACTION: ManualApprovedOrders(quote, portfolio)}
        self._portfolio = portfolio
        self._store = store
        self._confirmations = confirmations
        self._codes = codes
        self._gate = gate
        self._events = events
        self._clock = clock
        self.settings = settings
        self._settling = asyncio.Lock()    # a re-quote after a press and a code's release, one at a time

    def handle(self, action: str, kind: ApprovedOrders) -> None:
        """Quote and carry out the cards of action with kind (the bot's own entries, beside the manual orders)."""
        self._kinds[action] = kind

    async def propose(self, user_id: int, chat_id: int, ticket: OrderTicket, reason: str = "manual",
                      action: str = APPROVAL_ACTION, plan: Mapping[str, Any] | None = None) -> Approval:
        """Store a card for ticket that only user_id may approve, until the timeout (plan: a bot entry's, kept)."""
        if action not in self._kinds:
            raise ValueError(f"no way to carry out approvals of {action!r}")
        now = self._clock.now_ms()
        approval_id = new_confirmation_id()
        confirmation = Confirmation(approval_id, user_id, chat_id, action, payload_hash(ticket.canonical()),
                                    now, now + self.settings.timeout_ms)
        ids = tuple(approval_client_id(approval_id, i) for i in range(len(ticket.legs)))
        approval = Approval(confirmation, ticket, ids, reason, plan=plan)
        await self._store.add(approval)
        await self._audit(f"Approval {approval_id} asked of user {user_id}: {describe(ticket)}", approval)
        return approval

    async def waiting(self, symbol: str) -> Approval | None:
        """Return a card still waiting (pending, unexpired) that opens or grows a position in symbol, if any."""
        now = self._clock.now_ms()
        return next((a for a in await self._store.pending()
                     if a.confirmation.expires_ms > now and symbol in a.ticket.entry_symbols()), None)

    async def shown(self, approval_id: str, message_id: int) -> None:
        """Remember the chat message that shows the card."""
        await self._store.set_message(approval_id, message_id)

    async def press(self, approval_id: str, shown_hash: str, user_id: int) -> Pressed:
        """Answer an Approve press from the database alone: claim it and ask the presser for this card's code.

        No network: the press is answered at once, and recheck() re-quotes the card afterwards. The claim is a
        conditional UPDATE of the card's code_asked_ms, so of two presses read at once only one asks.
        """
        approval, refusal = await self._pressable(approval_id, shown_hash, user_id)
        if refusal is not None:
            return Pressed(refusal)
        locked = self._codes.locked_until_ms()
        if locked:
            return Pressed(TapResult(TapOutcome.LOCKED, approval, locked_until_ms=locked))
        waiting = self._codes.waiting(user_id)
        if waiting is not None and waiting.ref == approval.id:
            return Pressed(TapResult(TapOutcome.WAITING, approval))
        blocked = self._blocked(approval)
        if blocked:
            return Pressed(await self._block(approval, blocked))
        now = self._clock.now_ms()
        if not await self._store.ask_code(approval.id, user_id, approval.confirmation.payload_hash, now,
                                          seen_ms=approval.code_asked_ms):
            return Pressed(TapResult(TapOutcome.WAITING, approval))
        label = card_label(approval)
        request = self._codes.ask(user_id, f"send {describe(approval.ticket)} ({label})",
                                  lambda: self._release(approval.id, user_id), ref=approval.id,
                                  ttl_ms=max(1, approval.confirmation.expires_ms - now),
                                  redo=f"press Approve on {label} again")
        return Pressed(TapResult(TapOutcome.CODE_ASKED, approval), request)

    async def recheck(self, approval_id: str) -> TapResult | None:
        """Re-quote a card just approved: a refreshed or blocked result ends its code request; None when it holds.

        Runs after the press was answered; a code typed meanwhile waits for it, then finds the card as it left it.
        """
        async with self._settling:
            approval = await self._store.get(approval_id)
            if approval is None or approval.confirmation.state.value != "pending":
                return None
            return await self._recheck(approval)

    async def approve(self, approval_id: str, shown_hash: str, user_id: int) -> TapResult:
        """Answer an Approve press and re-quote the card at once (press, then recheck: for callers with no chat)."""
        pressed = await self.press(approval_id, shown_hash, user_id)
        if pressed.result.outcome is not TapOutcome.CODE_ASKED:
            return pressed.result
        return await self.recheck(approval_id) or pressed.result

    async def card(self, approval_id: str) -> Approval | None:
        """Return the card with this id (to show it again), or None."""
        return await self._store.get(approval_id)

    async def reject(self, approval_id: str, shown_hash: str, user_id: int) -> TapResult:
        """Answer a Reject press: the card ends and nothing is placed."""
        approval, refusal = await self._pressable(approval_id, shown_hash, user_id)
        if refusal is not None:
            return refusal
        if not await self._store.expire(approval.id, "rejected", self._clock.now_ms()):
            return TapResult(TapOutcome.ALREADY_ANSWERED, approval)
        self._codes.withdraw(user_id, approval.id)
        await self._audit(f"Approval {approval.id} rejected by user {user_id}", approval)
        return TapResult(TapOutcome.REJECTED, approval)

    async def expire_due(self) -> list[Approval]:
        """Expire the cards past their time and return them, so their buttons can be taken away."""
        lapsed = await self._store.due(self._clock.now_ms())
        for approval in lapsed:
            self._codes.withdraw(approval.confirmation.user_id, approval.id)
            await self._audit(f"Approval {approval.id} expired unexecuted", approval)
        return lapsed

    async def start(self, broker: Broker, resume: ResumeEntry | None = None) -> list[str]:
        """Expire cards from before a restart, and settle claimed ones by their client ids; return what to tell.

        A bot entry found placed has its stored plan's exits armed by resume (the loop), not the defaults.
        """
        now, told = self._clock.now_ms(), []
        for approval in await self._store.pending():
            if await self._store.expire(approval.id, "expired at restart", now):
                told.append(f"Card from before the restart expired, nothing placed: {describe(approval.ticket)}.")
        for approval in await self._store.claimed_without_result():
            told.append(await self._settle_claimed(approval, broker, resume))
        if told:
            await self._events.emit(Event(EventKind.APPROVAL, now, "\n".join(told), {"count": len(told)},
                                          Severity.WARNING))
        return told

    # ---- steps ------------------------------------------------------------------------------------

    async def _pressable(self, approval_id: str, shown_hash: str, user_id: int
                         ) -> tuple[Approval, TapResult | None]:
        approval = await self._store.get(approval_id) if approval_id else None
        if approval is None or not hmac.compare_digest(approval.hash_shown, shown_hash):
            return approval, TapResult(TapOutcome.UNKNOWN)      # type: ignore[return-value]
        c = approval.confirmation
        if c.user_id != user_id:
            return approval, TapResult(TapOutcome.NOT_YOURS, approval)
        if c.state.value in ("claimed", "done"):
            return approval, TapResult(TapOutcome.ALREADY_ANSWERED, approval)
        if c.state.value != "pending" or c.expires_ms <= self._clock.now_ms():
            await self._store.expire(approval.id, "expired unexecuted", self._clock.now_ms())
            return approval, TapResult(TapOutcome.EXPIRED, approval)
        return approval, None

    def _blocked(self, approval: Approval) -> str:
        """Return why a hold or a brake blocks the card's entries now ('' when none): local, no network."""
        try:
            for symbol in approval.ticket.entry_symbols():
                self._gate.check(symbol)          # a hold or a brake: EntryRefused names it and how to lift it
        except InvalidInput as exc:
            return str(exc)
        return ""

    async def _block(self, approval: Approval, blocked: str) -> TapResult:
        if not await self._store.expire(approval.id, f"blocked: {blocked}"[:200], self._clock.now_ms()):
            return TapResult(TapOutcome.ALREADY_ANSWERED, approval)
        self._codes.withdraw(approval.confirmation.user_id, approval.id)
        return TapResult(TapOutcome.BLOCKED, approval, detail=blocked)

    async def _recheck(self, approval: Approval) -> TapResult | None:
        """Return a refreshed or blocked result when the order is no longer the one shown; None when it is."""
        ticket, blocked, newer = approval.ticket, self._blocked(approval), approval.ticket
        if not blocked:
            try:
                newer = await self._kind(approval).quote(approval)
            except InvalidInput as exc:
                blocked = str(exc)
        if blocked:
            return await self._block(approval, blocked)
        why = requote_change(ticket, newer, self.settings.max_slippage_bps)
        if not why:
            return None
        # only the one that ends the card shows its replacement: a code and a press re-quoting it make one card
        if not await self._store.expire(approval.id, "refreshed", self._clock.now_ms()):
            return TapResult(TapOutcome.ALREADY_ANSWERED, approval)
        self._codes.withdraw(approval.confirmation.user_id, approval.id)
        c = approval.confirmation
        replacement = await self.propose(c.user_id, c.chat_id, newer, approval.reason, c.action, approval.plan)
        self._kind(approval).replaced(approval, replacement)
        return TapResult(TapOutcome.REFRESHED, approval, replacement, detail=why)

    def _kind(self, approval: Approval) -> ApprovedOrders:
        kind = self._kinds.get(approval.confirmation.action)
        if kind is None:      # a bot-entry card after a restart with LIVE_AUTONOMY=autonomous: never carried out
            raise InvalidInput("cards of this kind are no longer carried out; nothing was placed")
        return kind

    async def _release(self, approval_id: str, user_id: int) -> TapResult:
        """Carry out an approval whose code was just verified: re-check, claim once, place, record."""
        async with self._settling:
            return await self._released(approval_id, user_id)

    async def _released(self, approval_id: str, user_id: int) -> TapResult:
        approval = await self._store.get(approval_id)
        if approval is None:
            return TapResult(TapOutcome.UNKNOWN)
        changed = await self._recheck(approval) if approval.confirmation.state.value == "pending" else \
            ended_by_recheck(approval)
        if changed is not None:
            return changed
        claim = await self._confirm(approval, user_id)
        if claim is not None:
            return claim
        try:
            orders = await self._kind(approval).execute(approval)
        except TicketInterrupted as exc:       # it went out, or may have: never recorded or told as refused
            late = self._portfolio.unsettled(exc.placed) if self._portfolio is not None else ""
            await self._finish(approval, exc.record + (f"; {late}" if late else ""))
            return TapResult(TapOutcome.PLACED, approval, orders=exc.placed,
                             detail=" ".join(n for n in (str(exc), late) if n))
        except (InvalidInput, TradingError) as exc:
            await self._finish(approval, f"failed: {exc}")
            return TapResult(TapOutcome.FAILED, approval, detail=str(exc))
        # an order that went out is done even when following it up failed: the receipt says the bot picks it up
        # the portfolio notes late follow-ups of manual orders; a rig of bot-entry cards may run without one
        late = self._portfolio.unsettled(orders) if self._portfolio is not None else ""
        await self._finish(approval, "placed: " + ", ".join(f"{o.id} {o.status}" for o in orders)
                           + (f"; {late}" if late else ""))
        return TapResult(TapOutcome.PLACED, approval, orders=tuple(orders), detail=late)

    async def _confirm(self, approval: Approval, user_id: int) -> TapResult | None:
        # the one conditional UPDATE (pending -> claimed, same user, same hash, unexpired) before the order leaves
        claim = await self._confirmations.claim(approval.id, user_id, approval.confirmation.action,
                                                approval.ticket.canonical())
        if not claim.granted:
            return TapResult(_CLAIMS[claim.outcome], approval)
        await self._store.code_verified(approval.id, self._clock.now_ms())
        return None

    async def _finish(self, approval: Approval, result: str) -> None:
        await self._confirmations.finish(approval.id, result)
        await self._audit(f"Approval {approval.id}: {result}", approval)

    async def _settle_claimed(self, approval: Approval, broker: Broker, resume: ResumeEntry | None) -> str:
        """Settle a card claimed before the restart by its orders' client ids; one whose look-up fails stays
        claimed (the next start looks again) and MAY have gone out."""
        found, unknown = [], False
        for leg, client_id in zip(approval.ticket.legs, approval.client_order_ids):
            if leg.cancel_id:
                continue
            order = await look_up(broker, client_id, leg.symbol)
            unknown = unknown or isinstance(order, Unanswered)
            if isinstance(order, Order):
                found.append(f"{order.id} {order.status}")
        if unknown:
            await self._audit(f"Approval {approval.id}: outcome unknown at the restart, looked up again at the "
                              f"next", approval)
            seen = f" (found: {', '.join(found)})" if found else ""
            return (f"Approved order from before the restart ({describe(approval.ticket)}) MAY have reached the "
                    f"exchange: looking it up failed{seen}; check /orders and /positions before placing it again. "
                    f"The bot looks it up again at its next start.")
        result = ("placed before the restart: " + ", ".join(found)) if found else \
            "not placed: the process stopped before the order left"
        if found and approval.plan is not None and resume is not None:
            result += f"; {await resume(approval)}"
        await self._finish(approval, result)
        return f"Approved order from before the restart ({describe(approval.ticket)}) was {result}."

    async def _audit(self, message: str, approval: Approval) -> None:
        await self._events.emit(Event(EventKind.APPROVAL, self._clock.now_ms(), message,
                                      {"approval": approval.id, "user_id": approval.confirmation.user_id},
                                      notify=False))
