"""Placing orders on a ccxt exchange account once and only once.

The intent is journaled (and checkpointed to the database) before it is sent; a retry after a transient
failure, and any attempt for a journaled client id after a restart, first looks the order up by its client id
and sends it only when the exchange definitely has none. Exchanges refuse a repeated client id only while the
first order is open (Binance accepts it again once that order has filled), so the look-up, not the exchange,
is what prevents a duplicate. A placement whose outcome stays unknown keeps its journal entry until a later
look-up (resolve_journal, at every track) finds it or finds it never sent.
"""
from __future__ import annotations

import asyncio
import itertools
import secrets
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Awaitable, Callable, Mapping

from trading.adapters.ccxt_orders import CONDITIONAL, OrderRequest, order_request
from trading.adapters.exchange_account import ExchangeAccount
from trading.adapters.followed_orders import FollowedOrders
from trading.adapters.order_errors import DuplicateClientOrderId
from trading.adapters.order_tracking import LimitTimeout
from trading.domain.errors import InvalidOrder, RateLimited, RejectedError, RetryableError, TradingError, \
    VenueUnavailable
from trading.domain.events import Event
from trading.domain.instruments import Instrument, amount_text
from trading.domain.orders import Order, OrderIntent, OrderStatus
from trading.domain.positions import Position
from trading.engine import execution_events as events
from trading.engine.entry_pipeline import CLIENT_ID_PREFIX
from trading.engine.snapshots import from_plain, to_plain
from trading.logs import get_logger
from trading.ports import Clock

log = get_logger(__name__)
BOT_CLIENT_ID_PREFIX = f"{CLIENT_ID_PREFIX}-"      # every order the bot places carries it; adopted on restart


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """How the live broker places and follows orders."""

    quote: str = "USDT"
    placement_delays_s: tuple[float, ...] = (1.0, 2.0, 5.0)   # waits before the retries of a placement
    limit_timeout_ms: int = 10 * 60_000                        # 0: limit orders wait for ever
    on_limit_timeout: LimitTimeout = LimitTimeout.REPRICE
    max_reprices: int = 2                                      # then the remainder is cancelled
    default_leverage: int = 5
    mark_max_age_ms: int = 60_000                              # older marks are fetched again for sizing
    final_orders_kept: int = 200


@dataclass(frozen=True, slots=True)
class PlacementWiring:
    """What placing reads from and tells the broker: its markets, followed orders, marks, events and checkpoint."""

    instrument: Callable[[str], Instrument]
    orders: FollowedOrders
    mark: Callable[[str], Decimal | None]               # the fresh mark of a symbol, None when stale
    on_price: Callable[[str, int, Decimal], None]
    emit: Callable[[Event], None]
    checkpoint: Callable[[], Awaitable[None]]
    held: Callable[[str], Position | None]             # the book's open position in a symbol


class Placements:
    """Sends orders with a journal and look-ups before retries; keeps the journal and the leverage set per market."""

    def __init__(self, account: ExchangeAccount, clock: Clock, options: LiveOptions, wiring: PlacementWiring,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.account = account
        self.options = options
        self.leverage: dict[str, int] = {}
        self._leverage_set: set[str] = set()     # markets whose leverage this run set (a saved one may be stale)
        self._clock = clock
        self._wiring = wiring
        self._sleep = sleep
        self._journal: dict[str, tuple[OrderIntent, int]] = {}      # client id -> (intent, when journaled)
        self._ids = itertools.count(1)
        # two processes on one account may both place a manual order in the same millisecond: a per-process tag
        # keeps their client ids apart (the bot's decisions carry ids derived from the decision itself)
        self._process_tag = secrets.token_hex(3)

    def manual_client_id(self) -> str:
        """Return a new client id for an order that no decision names: 'ta-m<ms>-<process tag>-<n>', <= 36 chars."""
        return f"{BOT_CLIENT_ID_PREFIX}m{self._clock.now_ms()}-{self._process_tag}-{next(self._ids)}"

    def journaled(self, client_order_id: str) -> bool:
        """Return True while a placement with this client id has an outcome not yet known."""
        return client_order_id in self._journal

    async def submit(self, intent: OrderIntent, *, announce: bool = True) -> Order:
        """Place intent (the caller holds the broker's lock): journal, send with look-ups before retries, absorb.

        announce=False: a failure is recorded but not pushed (the caller tells the user in its own words).
        """
        wiring = self._wiring
        instrument = wiring.instrument(intent.symbol)
        client_id = intent.client_order_id or self.manual_client_id()
        known = wiring.orders.known_client_id(client_id)
        if known is not None:
            return known
        request = order_request(intent, instrument, client_id, await self._reference_price(intent))
        if self.account.futures and not intent.reduce_only:
            await self._ensure_leverage(intent.symbol, intent.leverage)
        seen_before = client_id in self._journal
        self._journal[client_id] = (replace(intent, client_order_id=client_id), self._clock.now_ms())
        await wiring.checkpoint()          # written before it is sent: a crash from here on is recoverable
        try:
            order = await self._send(request, look_first=seen_before)
        except RejectedError as exc:
            self._journal.pop(client_id, None)
            wiring.emit(_told(events.order_failed(self._unplaced(request, intent), instrument, str(exc)), announce))
            raise
        except RetryableError as exc:    # the journal keeps it: track() looks it up again
            wiring.emit(_told(self._unanswered(request, intent, instrument, exc), announce))
            raise
        self._journal.pop(client_id, None)
        order = wiring.orders.absorb(order, reason=intent.reason, resting=False)
        await wiring.checkpoint()
        return order

    async def look_up(self, client_order_id: str, symbol: str, conditional: bool | None = None) -> Order | None:
        """Return the exchange's order with this client id (plain orders first, then conditional ones)."""
        kinds = (False, True) if conditional is None and self.account.futures else (bool(conditional),)
        for kind in kinds:
            found = await self.account.by_client_id(client_order_id, symbol, kind)
            if found is not None:
                return found
        return None

    async def resolve_journal(self) -> tuple[list[Order], list[str]]:
        """Look up every journaled placement whose outcome is unknown; return (found, never sent)."""
        found, unsent = [], []
        for client_id, (intent, _) in list(self._journal.items()):
            order = await self.look_up(client_id, intent.symbol, intent.type in CONDITIONAL)
            self._journal.pop(client_id)
            if order is None:
                unsent.append(client_id)
                log.warning("a journaled order never reached the exchange", client_order_id=client_id)
            else:
                found.append(self._wiring.orders.absorb(order, reason=intent.reason, resting=False))
        return found, unsent

    def to_state(self) -> dict[str, Any]:
        """Return the journal and the leverage per market as JSON-able data."""
        return {"journal": {cid: [to_plain(intent), ts] for cid, (intent, ts) in self._journal.items()},
                "leverage": dict(self.leverage)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the journal and the leverage per market with a to_state() saved before a restart."""
        self._journal = {cid: (from_plain(OrderIntent, intent), int(ts))
                         for cid, (intent, ts) in (state.get("journal") or {}).items()}
        self.leverage = {k: int(v) for k, v in (state.get("leverage") or {}).items()}

    async def _send(self, request: OrderRequest, look_first: bool) -> Order:
        error: TradingError | None = None
        for attempt, delay in enumerate((0.0, *self.options.placement_delays_s)):
            if attempt:
                await self._sleep(_wait_s(delay, error))
            if attempt or look_first:
                try:
                    found = await self.account.by_client_id(request.client_order_id, request.symbol,
                                                            request.conditional)
                except TradingError as exc:      # cannot tell whether it landed: never send blind
                    error = VenueUnavailable(f"cannot tell whether order {request.client_order_id} reached "
                                             f"the exchange: {exc}")
                    continue
                if found is not None:
                    log.info("order found by its client id; not sent again", client_order_id=found.client_order_id)
                    return found
            try:
                return await self.account.create(request)
            except DuplicateClientOrderId:
                found = await self.account.by_client_id(request.client_order_id, request.symbol,
                                                        request.conditional)
                if found is None:
                    raise
                return found
            except RetryableError as exc:
                error = exc
                log.warning("order placement failed, will look it up and retry", attempt=attempt + 1,
                            client_order_id=request.client_order_id, error=str(exc))
        assert error is not None
        raise error

    async def _reference_price(self, intent: OrderIntent) -> Decimal:
        if intent.price is not None or intent.stop_price is not None:
            return intent.price or intent.stop_price   # type: ignore[return-value]
        mark = self._wiring.mark(intent.symbol)
        if mark is None:
            last = await self.account.last_price(intent.symbol)
            if last is None:
                raise InvalidOrder(f"no price is known for {intent.symbol}; try again shortly")
            self._wiring.on_price(intent.symbol, self._clock.now_ms(), mark := last)
        return mark

    def note_leverage(self, symbol: str, leverage: int) -> None:
        """Remember symbol's leverage as the exchange has it now (seen on its position this run)."""
        self.leverage[symbol] = leverage
        self._leverage_set.add(symbol)

    async def _ensure_leverage(self, symbol: str, asked: int | None) -> None:
        held = self._wiring.held(symbol)
        if held is not None:
            # the leverage is the symbol's: setting it re-levers the open position (its margin, its liquidation)
            if asked is not None and asked != held.leverage:
                raise InvalidOrder(f"{symbol} has an open {held.leverage}x position; an order that adds to it is "
                                   f"placed at {held.leverage}x (close it first to trade at {asked}x)")
            self.leverage[symbol] = held.leverage      # what the add's fill is margined at, whatever was saved
            return
        leverage = asked or self.options.default_leverage
        # set once a run at least: the leverage saved by the last run may have been changed on the exchange since
        if self.leverage.get(symbol) != leverage or symbol not in self._leverage_set:
            await self.account.set_leverage(symbol, leverage)
            self.leverage[symbol] = leverage
            self._leverage_set.add(symbol)

    def _unplaced(self, request: OrderRequest, intent: OrderIntent) -> Order:
        now = self._clock.now_ms()
        return Order(request.client_order_id, request.client_order_id, request.symbol, intent.side, intent.type,
                     request.amount, OrderStatus.REJECTED, now, request.price, intent.stop_price,
                     reduce_only=intent.reduce_only, updated_ms=now, reason=intent.reason)

    def _unanswered(self, request: OrderRequest, intent: OrderIntent, instrument: Instrument,
                    error: RetryableError) -> Event:
        tries = len(self.options.placement_delays_s) + 1
        failed = events.order_failed(self._unplaced(request, intent), instrument, str(error))
        # it may have reached the exchange: never worded as refused (the user then places it twice)
        line = (f"Order {request.client_order_id} ({intent.side} {amount_text(request.amount, instrument.amount_step)} "
                f"{request.symbol}) MAY have reached the exchange: no answer after {tries} tries ({error}); it will "
                f"be looked up by its client id before anything is resent")
        return replace(failed, message=line)


def _wait_s(delay: float, error: BaseException | None) -> float:
    if isinstance(error, RateLimited) and error.retry_after_s is not None:
        return max(delay, min(error.retry_after_s, 60.0))
    return delay


def _told(event: Event, announce: bool) -> Event:
    return event if announce else replace(event, notify=False)
