"""The live broker: the Broker port over a ccxt exchange account, for spot or USDT-M futures.

Placement never sends an order twice. The intent is journaled (and checkpointed to the database) before
it is sent; a retry after a transient failure, and any attempt for a journaled client id after a restart,
first looks the order up by its client id and sends it only when the exchange definitely has none.
Exchanges refuse a repeated client id only while the first order is open (Binance accepts it again once
that order has filled), so the look-up, not the exchange, is what prevents a duplicate.

Orders are followed until final (track()); fills update the position book; events are the simulator's
(order_placed, order_filled, order_cancelled, order_failed, position_*), sent to on_event.
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
from trading.adapters.order_supervision import expire_limits
from trading.adapters.order_tracking import LimitTimeout
from trading.adapters.position_book import PositionBook
from trading.adapters.protective_orders import Protection, ProtectiveOrders
from trading.adapters.reconciliation import DriftWatch, ReconciliationReport, reconcile, reconcile_positions
from trading.domain.errors import (BadSymbol, ConfigurationError, InvalidOrder, OrderNotFound, RateLimited,
                                   RejectedError, RetryableError, TradingError, VenueUnavailable)
from trading.domain.events import Event
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import Order, OrderIntent, OrderStatus
from trading.domain.positions import Position
from trading.engine import execution_events as events
from trading.engine.account import AccountSummary
from trading.engine.entry_pipeline import CLIENT_ID_PREFIX
from trading.engine.snapshots import from_plain, to_plain
from trading.logs import get_logger
from trading.ports import Clock

log = get_logger(__name__)
ZERO = Decimal(0)
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


class CcxtBroker:
    """Places, cancels and follows orders on one exchange account; the book of positions lives here too."""

    def __init__(self, account: ExchangeAccount, instruments: Mapping[str, Instrument], clock: Clock, *,
                 options: LiveOptions = LiveOptions(), on_event: Callable[[Event], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        kind = MarketKind.PERP if account.futures else MarketKind.SPOT
        self.account = account
        self.instruments = {s: i for s, i in instruments.items() if i.kind is kind}
        self.options = options
        self.book = PositionBook(account.futures)
        # exits found on the exchange of positions closed outside the bot (unfilled: unknown), for the engine
        self.closed_outside: dict[str, Order] = {}
        self.orders = FollowedOrders(self.book, self.instrument, self.emit, clock, self.leverage,
                                     options.final_orders_kept)
        self.protection = ProtectiveOrders(self)
        self.lock = asyncio.Lock()
        self.starting_balance = ZERO
        self.checkpoint: Callable[[], Awaitable[None]] = _nothing   # set by the venue: persist state now
        self._clock = clock
        self._emit: Callable[[Event], None] = on_event or (lambda event: None)
        self._sleep = sleep
        self._journal: dict[str, tuple[OrderIntent, int]] = {}      # client id -> (intent, when journaled)
        self._leverage: dict[str, int] = {}
        self._marks: dict[str, tuple[int, Decimal]] = {}
        self._balances: dict[str, Decimal] = {}
        self._ids = itertools.count(1)
        # two processes on one account may both place a manual order in the same millisecond: a per-process tag
        # keeps their client ids apart (the bot's decisions carry ids derived from the decision itself)
        self._process_tag = secrets.token_hex(3)
        self._drift = DriftWatch()

    @property
    def futures(self) -> bool:
        """Return True for a USDT-M futures account."""
        return self.account.futures

    @property
    def kind(self) -> str:
        """Return 'spot' or 'futures'."""
        return "futures" if self.futures else "spot"

    def instrument(self, symbol: str) -> Instrument:
        """Return the market rules of symbol, or raise BadSymbol."""
        try:
            return self.instruments[symbol]
        except KeyError:
            raise BadSymbol(f"{symbol} is not a {self.kind} market of this exchange") from None

    # ---- the Broker port ----------------------------------------------------------------------

    async def place(self, intent: OrderIntent) -> Order:
        """Send an order once and only once; raise a RejectedError, or a RetryableError after the retries."""
        async with self.lock:
            return await self.submit(intent)

    async def cancel(self, order_id: str, symbol: str) -> Order:
        """Cancel an open order; raise InvalidOrder when it has already ended, OrderNotFound when unknown."""
        async with self.lock:
            order = await self.withdraw(order_id, symbol, "cancelled on request")
        if order.status is not OrderStatus.CANCELLED:
            raise InvalidOrder(f"order {order_id} is already {order.status}")
        return order

    async def find_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        """Return the order with this client id: from memory, else looked up (and adopted) on the exchange."""
        known = self.orders.known_client_id(client_order_id)
        if known is not None:
            return known if known.symbol == symbol else None
        async with self.lock:
            found = await self.look_up(client_order_id, symbol)
            return self.orders.absorb(found) if found is not None else None

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Return the orders being followed that are not final yet (as of the last look)."""
        return self.orders.working(symbol)

    async def filled_orders(self, symbol: str, since_ms: int) -> list[Order]:
        """Return the followed orders of symbol that filled (wholly or in part) since since_ms, oldest first."""
        return self.orders.filled(symbol, since_ms)

    async def positions(self) -> list[Position]:
        """Return the open positions in the book."""
        return self.book.all()

    async def balances(self) -> dict[str, Decimal]:
        """Return the exchange's total balance per asset (futures: the wallet)."""
        self._balances = await self.account.balances()
        return dict(self._balances)

    # ---- what the venue drives ------------------------------------------------------------------

    async def track(self) -> None:
        """Follow every order to its final state; OCO, re-arming, limit timeouts; positions vs the exchange."""
        async with self.lock:
            await self.resolve_journal()
            await self.refresh_working()
            await reconcile_positions(self, self._drift)
            await self.protection.supervise()
            await expire_limits(self)

    async def protect(self, symbol: str, stop: Decimal | None, take_profit: Decimal | None) -> Protection:
        """Place the stop and target of the futures position in symbol on the exchange, one cancelling the other."""
        async with self.lock:
            return await self.protection.arm(symbol, stop, take_profit)

    async def reconcile(self, warnings: tuple[str, ...] = ()) -> ReconciliationReport:
        """Compare what the bot remembers with the exchange, adopt or flag the differences, re-arm stops."""
        async with self.lock:
            return await reconcile(self, warnings)

    def attach(self, on_event: Callable[[Event], None], checkpoint: Callable[[], Awaitable[None]]) -> None:
        """Send events to on_event; checkpoint() persists the state (before an order leaves, and after)."""
        self._emit, self.checkpoint = on_event, checkpoint

    def now_ms(self) -> int:
        """Return the time on the broker's clock."""
        return self._clock.now_ms()

    def emit(self, event: Event) -> None:
        """Send an event to the venue."""
        self._emit(event)

    def journaled(self, client_order_id: str) -> bool:
        """Return True while a placement with this client id has an outcome not yet known."""
        return client_order_id in self._journal

    @staticmethod
    def is_ours(client_order_id: str) -> bool:
        """Return True for a client id the bot gives its orders."""
        return client_order_id.startswith(BOT_CLIENT_ID_PREFIX)

    # ---- what the services read ---------------------------------------------------------------

    def on_price(self, symbol: str, ts_ms: int, price: Decimal) -> None:
        """Note the latest price of symbol (marks for the summary, reference prices for market orders)."""
        self._marks[symbol] = (ts_ms, price)

    def mark(self, symbol: str) -> Decimal | None:
        """Return the last price noted for symbol while still fresh (mark_max_age_ms), else None."""
        ts, price = self._marks.get(symbol, (0, ZERO))
        fresh = price > 0 and self._clock.now_ms() - ts <= self.options.mark_max_age_ms
        return price if fresh else None

    def summary(self, marks: Mapping[str, Decimal] | None = None) -> AccountSummary:
        """Return cash and the positions at their marks, from the balances last read (no network call)."""
        known = {symbol: price for symbol, (_, price) in self._marks.items()}
        return self.book.summary(self.options.quote, self._balances.get(self.options.quote, ZERO),
                                 {**known, **(marks or {})})

    def equity(self) -> Decimal:
        """Return cash plus positions at their marks."""
        return self.summary().equity

    # ---- placing --------------------------------------------------------------------------------

    def manual_client_id(self) -> str:
        """Return a new client id for an order that no decision names: 'ta-m<ms>-<process tag>-<n>', <= 36 chars."""
        return f"{BOT_CLIENT_ID_PREFIX}m{self._clock.now_ms()}-{self._process_tag}-{next(self._ids)}"

    async def submit(self, intent: OrderIntent, *, announce: bool = True) -> Order:
        """Place intent (the caller holds the lock): journal, send with look-ups before retries, absorb.

        announce=False: a failure is recorded but not pushed (the caller tells the user in its own words).
        """
        instrument = self.instrument(intent.symbol)
        client_id = intent.client_order_id or self.manual_client_id()
        known = self.orders.known_client_id(client_id)
        if known is not None:
            return known
        request = order_request(intent, instrument, client_id, await self._reference_price(intent))
        if self.futures and not intent.reduce_only:
            await self._ensure_leverage(intent.symbol, intent.leverage or self.options.default_leverage)
        seen_before = client_id in self._journal
        self._journal[client_id] = (replace(intent, client_order_id=client_id), self._clock.now_ms())
        await self.checkpoint()          # written before it is sent: a crash from here on is recoverable
        try:
            order = await self._send(request, look_first=seen_before)
        except RejectedError as exc:
            self._journal.pop(client_id, None)
            self._emit(_told(events.order_failed(self._unplaced(request, intent), instrument, str(exc)), announce))
            raise
        except RetryableError as exc:    # the journal keeps it: track() looks it up again
            tries = len(self.options.placement_delays_s) + 1
            self._emit(_told(events.order_failed(self._unplaced(request, intent), instrument,
                                                 f"no answer after {tries} tries ({exc}); it will be looked up "
                                                 f"again before anything is resent"), announce))
            raise
        self._journal.pop(client_id, None)
        order = self.orders.absorb(order, reason=intent.reason, resting=False)
        await self.checkpoint()
        return order

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
        ts, mark = self._marks.get(intent.symbol, (0, ZERO))
        if mark <= 0 or self._clock.now_ms() - ts > self.options.mark_max_age_ms:
            last = await self.account.last_price(intent.symbol)
            if last is None:
                raise InvalidOrder(f"no price is known for {intent.symbol}; try again shortly")
            self.on_price(intent.symbol, self._clock.now_ms(), mark := last)
        return mark

    async def _ensure_leverage(self, symbol: str, leverage: int) -> None:
        if self._leverage.get(symbol) != leverage:
            await self.account.set_leverage(symbol, leverage)
            self._leverage[symbol] = leverage

    def _unplaced(self, request: OrderRequest, intent: OrderIntent) -> Order:
        now = self._clock.now_ms()
        return Order(request.client_order_id, request.client_order_id, request.symbol, intent.side, intent.type,
                     request.amount, OrderStatus.REJECTED, now, request.price, intent.stop_price,
                     reduce_only=intent.reduce_only, updated_ms=now, reason=intent.reason)

    # ---- following ------------------------------------------------------------------------------

    async def look_up(self, client_order_id: str, symbol: str, conditional: bool | None = None) -> Order | None:
        """Return the exchange's order with this client id (plain orders first, then conditional ones)."""
        kinds = (False, True) if conditional is None and self.futures else (bool(conditional),)
        for kind in kinds:
            found = await self.account.by_client_id(client_order_id, symbol, kind)
            if found is not None:
                return found
        return None

    async def withdraw(self, order_id: str, symbol: str, reason: str) -> Order:
        """Cancel an order (the caller holds the lock) and return how it ended, even if it filled first."""
        self.orders.expect_cancel(order_id, reason)
        try:
            try:
                fresh = await self.account.cancel(order_id, symbol)
            except OrderNotFound:        # already final (or unknown): learn how it ended
                fresh = await self.account.by_id(order_id, symbol)
            return self.orders.absorb(fresh)
        finally:
            self.orders.expect_cancel(order_id, None)

    async def refresh_working(self) -> list[Order]:
        """Look at every working order again (one open-orders call per symbol); return those that ended."""
        ended = []
        working = self.orders.working()
        for symbol in sorted({o.symbol for o in working}):
            listed = {o.id: o for o in await self.account.open_orders(symbol)}
            for order in (o for o in working if o.symbol == symbol):
                try:
                    fresh = listed.get(order.id) or await self.account.by_id(order.id, symbol)
                except OrderNotFound:
                    log.warning("a followed order is unknown to the exchange", order_id=order.id)
                    continue
                if (now := self.orders.absorb(fresh)).status.is_final:
                    ended.append(now)
        return ended

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
                found.append(self.orders.absorb(order, reason=intent.reason, resting=False))
        return found, unsent

    def note_leverage(self, symbol: str, leverage: int) -> None:
        """Remember the exchange's leverage of symbol (seen on its position)."""
        self._leverage[symbol] = leverage

    def leverage(self, symbol: str) -> int:
        """Return the leverage new fills in symbol are margined at."""
        return self._leverage.get(symbol, self.options.default_leverage)

    # ---- state ----------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return the state that must survive a restart, as JSON-able data."""
        return {"version": 1, "kind": self.kind, "starting_balance": str(self.starting_balance),
                "orders": self.orders.to_state(), "positions": self.book.to_state(),
                "journal": {cid: [to_plain(intent), ts] for cid, (intent, ts) in self._journal.items()},
                "leverage": dict(self._leverage), "protections": self.protection.to_state(),
                "closed_outside": to_plain(self.closed_outside)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with a snapshot() saved before a restart."""
        if state.get("kind") != self.kind:
            raise ConfigurationError(f"the saved live state is for {state.get('kind')}, this account is {self.kind}")
        self.starting_balance = Decimal(state.get("starting_balance") or 0)
        self.orders.restore(state.get("orders") or {})
        self.book.restore(state.get("positions") or {})
        self._journal = {cid: (from_plain(OrderIntent, intent), int(ts))
                         for cid, (intent, ts) in (state.get("journal") or {}).items()}
        self._leverage = {k: int(v) for k, v in (state.get("leverage") or {}).items()}
        self.protection.restore(state.get("protections") or {})
        self.closed_outside = from_plain(dict[str, Order], dict(state.get("closed_outside") or {}))


def _wait_s(delay: float, error: BaseException | None) -> float:
    if isinstance(error, RateLimited) and error.retry_after_s is not None:
        return max(delay, min(error.retry_after_s, 60.0))
    return delay


def _told(event: Event, announce: bool) -> Event:
    return event if announce else replace(event, notify=False)


async def _nothing() -> None:
    return None
