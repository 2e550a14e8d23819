"""The small interfaces the engine talks through; adapters implement them, tests fake them."""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Protocol, Sequence

from trading.domain.candles import Candles, Timeframe
from trading.domain.approvals import Approval, Proposal
from trading.domain.confirmations import Claim, Confirmation
from trading.domain.decision_log import CachedReply, DecisionRecord
from trading.domain.decisions import Decision, DecisionRequest
from trading.domain.events import Event
from trading.domain.health import ClockSync, EndpointStats
from trading.domain.instruments import Instrument
from trading.domain.market import Ticker
from trading.domain.orders import Order, OrderIntent
from trading.domain.positions import Position
from trading.engine.account import AccountSummary
from trading.engine.entry_pipeline import EntryPlan


class Clock(Protocol):
    """Where time comes from: the wall clock live, a simulated one in replay and backtests."""

    def now_ms(self) -> int:
        """Return the current time in epoch milliseconds."""
        ...


class SyncedClock(Clock, Protocol):
    """A clock kept in step with a venue's server time: the exchange's clock in live trading."""

    def sync_state(self) -> ClockSync:
        """Return the offset last measured and how the measurements went."""
        ...

    def sync_due(self) -> bool:
        """Return True when the offset should be measured again."""
        ...

    async def sync(self) -> bool:
        """Measure the offset now; on failure keep the last one and return False."""
        ...


class MarketData(Protocol):
    """Candles and tickers; only closed candles ever reach signals."""

    @property
    def source(self) -> str:
        """Return a short description such as 'binance (live)' or 'replay: bundled sample'."""
        ...

    async def instruments(self) -> dict[str, Instrument]:
        """Return the tradable markets keyed by unified symbol."""
        ...

    async def candles(self, symbol: str, timeframe: Timeframe, limit: int = 500) -> Candles:
        """Return up to limit most recent closed candles."""
        ...

    async def ticker(self, symbol: str) -> Ticker:
        """Return the latest ticker."""
        ...

    async def poll(self, symbols: Sequence[str], timeframes: Sequence[Timeframe]
                   ) -> list[tuple[str, Timeframe, Candles]]:
        """Return, per (symbol, timeframe), the candles that closed since the last poll (each once)."""
        ...

    def health(self) -> Mapping[str, EndpointStats]:
        """Return latency and error counts per endpoint (empty for a feed that calls no exchange)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class Broker(Protocol):
    """Where orders go: the paper simulator or an exchange."""

    async def place(self, intent: OrderIntent) -> Order:
        """Send an order; raise a RejectedError or RetryableError from trading.domain.errors."""
        ...

    async def cancel(self, order_id: str, symbol: str) -> Order:
        """Cancel an open order."""
        ...

    async def find_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        """Return the order with this client id, if the venue has it."""
        ...

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Return orders not yet final."""
        ...

    async def filled_orders(self, symbol: str, since_ms: int) -> list[Order]:
        """Return the orders of symbol it remembers that filled (wholly or in part) since since_ms, oldest first."""
        ...

    async def positions(self) -> list[Position]:
        """Return open positions."""
        ...

    async def balances(self) -> dict[str, Decimal]:
        """Return total balance per asset."""
        ...

    @property
    def kind(self) -> str:
        """Return 'spot' or 'futures': the kind of account, whatever the markets' own kind."""
        ...

    def summary(self, marks: Mapping[str, Decimal] | None = None) -> AccountSummary:
        """Return cash, holds and positions at marks (the broker's last prices where not given): equity's one source."""
        ...


class DecisionMaker(Protocol):
    """Decides whether to act on a signal or a position in a soft zone (rules now, an LLM later)."""

    async def decide(self, request: DecisionRequest) -> Decision:
        """Return the decision; must answer within its own timeout."""
        ...


class Notifier(Protocol):
    """Pushes events to the user; must never block or raise into the caller."""

    def notify(self, event: Event) -> None:
        """Queue the event for delivery."""
        ...

    def withdraw(self, event: Event) -> None:
        """Take back the queued alerts a lift (data "lifts": rules) makes stale, without pushing the lift itself."""
        ...


class EventLog(Protocol):
    """The append-only audit log."""

    async def append_event(self, event: Event) -> None:
        """Store one event."""
        ...


class StateStore(Protocol):
    """Snapshots that survive restarts, and the few counts the status needs."""

    async def save_state(self, key: str, value: object) -> None:
        """Store a JSON-able snapshot under key."""
        ...

    async def load_state(self, key: str) -> object | None:
        """Return the snapshot under key, or None."""
        ...

    async def written_last(self, prefixes: Sequence[str]) -> str | None:
        """Return the key written last of those starting with one of prefixes, or None."""
        ...

    async def delete_state(self, key: str) -> None:
        """Forget the snapshot under key."""
        ...

    async def open_position_count(self) -> int:
        """Return how many positions are open."""
        ...


class ConfirmationStore(Protocol):
    """Questions put to one user, each answerable once (see trading/services/confirmations.py)."""

    async def add(self, confirmation: Confirmation) -> None:
        """Store a new pending confirmation."""
        ...

    async def claim(self, confirmation_id: str, user_id: int, action: str, payload_hash: str | None,
                    now_ms: int) -> Claim:
        """Atomically move a pending, unexpired confirmation of this user and action to claimed."""
        ...

    async def finish(self, confirmation_id: str, result: str, now_ms: int) -> bool:
        """Mark a claimed confirmation done."""
        ...

    async def expire_pending(self, now_ms: int) -> int:
        """Expire every pending confirmation."""
        ...

    async def forget_before(self, ts_ms: int) -> int:
        """Delete finished confirmations created before ts_ms."""
        ...

    async def press(self, button: str, now_ms: int, again_after_ms: int) -> bool:
        """Atomically claim a press of a show-only button unless it was pressed within again_after_ms."""
        ...


class LlmBudget(Protocol):
    """Today's LLM budget, shared by every call the product makes (decisions, /ask, the universe, sweeps)."""

    async def refusal(self, now_ms: int, what: str) -> str | None:
        """Return why `what` may not call the LLM now (the budget is spent: until when, how to raise it), or None."""
        ...

    async def record_spend(self, ts_ms: int, prompt_tokens: int, completion_tokens: int) -> None:
        """Count one call's tokens and cost against today's budget."""
        ...


class DecisionLog(Protocol):
    """Where every LLM decision is stored with its prompt, reply and outcome, and replies are cached."""

    async def record(self, entry: DecisionRecord) -> int:
        """Store a decision; return its id."""
        ...

    async def record_outcome(self, ref: int, verdict: str, order_id: str = "") -> None:
        """Store the risk verdict of a decision and the client id of the order it led to."""
        ...

    async def recent(self, symbol: str, limit: int, run: str = "live") -> list[DecisionRecord]:
        """Return the symbol's newest decisions that had a call, newest last."""
        ...

    async def cached(self, key: str) -> CachedReply | None:
        """Return the reply cached under key, or None."""
        ...

    async def cache(self, key: str, model: str, reply: CachedReply) -> None:
        """Keep a reply under key."""
        ...


class EntryApprovals(Protocol):
    """Where the loop puts its own live entries when they wait for the owner (LIVE_AUTONOMY=approve).

    Nothing is placed here: an approved card is carried out later with the plan's stop and target, through the
    same entry gate (trading/services/entry_proposals.py implements it).
    """

    async def propose(self, plan: EntryPlan, mark: Decimal) -> Proposal:
        """Put plan to the owner as a card (mark: where a market entry fills), unless its symbol has one waiting."""
        ...


class ApprovalCards(Protocol):
    """The chat that shows the cards of the bot's own entries (bot/ implements it; the core never renders)."""

    def approver(self) -> int | None:
        """Return the user who approves the bot's entries, in their private chat; None when none is known yet."""
        ...

    def show(self, approval: Approval) -> None:
        """Queue the card in the approver's private chat; never block or raise into the caller."""
        ...
