"""The live broker: the Broker port over a ccxt exchange account, for spot or USDT-M futures.

Placement never sends an order twice (trading/adapters/ccxt_placement.py: journaled before it is sent, looked
up by its client id before every retry and after a restart). Orders are followed until final (track()); fills
update the position book; events are the simulator's (order_placed, order_filled, order_cancelled,
order_failed, position_*), sent to on_event.
"""
from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any, Awaitable, Callable, Mapping

from trading.adapters.ccxt_placement import BOT_CLIENT_ID_PREFIX, LiveOptions, Placements, PlacementWiring
from trading.adapters.exchange_account import ExchangeAccount
from trading.adapters.followed_orders import FollowedOrders
from trading.adapters.leverage_limits import leverage_maxima, with_leverage_maxima
from trading.adapters.order_supervision import expire_limits
from trading.adapters.position_book import PositionBook
from trading.adapters.protective_orders import Protection, ProtectiveOrders
from trading.adapters.reconciliation import DriftWatch, ReconciliationReport, reconcile, reconcile_positions
from trading.domain.errors import BadSymbol, ConfigurationError, InvalidOrder, OrderNotFound, TradingError
from trading.domain.events import Event
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import Order, OrderIntent, OrderStatus
from trading.domain.positions import Position
from trading.engine.account import AccountSummary
from trading.engine.snapshots import from_plain, to_plain
from trading.logs import get_logger
from trading.ports import Clock

__all__ = ["BOT_CLIENT_ID_PREFIX", "CcxtBroker", "LiveOptions"]

log = get_logger(__name__)
ZERO = Decimal(0)


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
        self._marks: dict[str, tuple[int, Decimal]] = {}
        self._balances: dict[str, Decimal] = {}
        self._balances_fills = 0          # the book's fills when the balances were last asked for
        self._drift = DriftWatch()
        wiring = PlacementWiring(self.instrument, self.orders, self.mark, self.on_price, self.emit,
                                 lambda: self.checkpoint(), self.book.get)
        self.placements = Placements(account, clock, options, wiring, sleep)

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

    async def load_leverage_limits(self) -> None:
        """Set each perpetual's max_leverage from the exchange (one signed call; left unknown when it fails)."""
        if self.futures:
            self.instruments = with_leverage_maxima(self.instruments, await leverage_maxima(self.account))

    # ---- the Broker port ----------------------------------------------------------------------

    async def place(self, intent: OrderIntent) -> Order:
        """Send an order once and only once; raise a RejectedError, or a RetryableError after the retries.

        A refusal or an unknown outcome is recorded, not pushed: the caller tells it in its own words, with what
        to do (the loop's PositionSync, the chat's OrderPlacement), so one order is never told twice.
        """
        async with self.lock:
            return await self.submit(intent, announce=False)

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
        fills = self.book.fills        # a fill while the read is on its way may be in it or not: stale still
        self._balances = await self.account.balances()
        self._balances_fills = fills
        return dict(self._balances)

    # ---- what the venue drives ------------------------------------------------------------------

    async def track(self) -> None:
        """Follow every order to its final state; OCO, re-arming, limit timeouts; positions vs the exchange."""
        async with self.lock:
            # each part on its own: a look-up that keeps failing (a placement of unknown outcome) must not stop
            # the protective legs' supervision or the positions' check; the first failure is raised after them
            failures: list[TradingError] = []
            for part in (self.resolve_journal, self.refresh_working, lambda: reconcile_positions(self, self._drift),
                         self.protection.supervise, lambda: expire_limits(self)):
                try:
                    await part()
                except TradingError as exc:
                    failures.append(exc)
            if failures:
                raise failures[0]

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
        return self.placements.journaled(client_order_id)

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
        """Return cash and the positions at their marks, from the balances last read (no network call): not
        settled after a fill the book took in since, whose proceeds or cost that wallet does not show yet."""
        known = {symbol: price for symbol, (_, price) in self._marks.items()}
        return self.book.summary(self.options.quote, self._balances.get(self.options.quote, ZERO),
                                 {**known, **(marks or {})}, self.book.fills == self._balances_fills)

    def equity(self) -> Decimal:
        """Return cash plus positions at their marks."""
        return self.summary().equity

    # ---- placing --------------------------------------------------------------------------------

    async def submit(self, intent: OrderIntent, *, announce: bool = True) -> Order:
        """Place intent (the caller holds the lock): journal, send with look-ups before retries, absorb.

        announce=False: a failure is recorded but not pushed (the caller tells the user in its own words).
        """
        return await self.placements.submit(intent, announce=announce)

    # ---- following ------------------------------------------------------------------------------

    async def look_up(self, client_order_id: str, symbol: str, conditional: bool | None = None) -> Order | None:
        """Return the exchange's order with this client id (plain orders first, then conditional ones)."""
        return await self.placements.look_up(client_order_id, symbol, conditional)

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
        return await self.placements.resolve_journal()

    def note_leverage(self, symbol: str, leverage: int) -> None:
        """Remember the exchange's leverage of symbol (seen on its position)."""
        self.placements.note_leverage(symbol, leverage)

    def leverage(self, symbol: str) -> int:
        """Return the leverage new fills in symbol are margined at."""
        return self.placements.leverage.get(symbol, self.options.default_leverage)

    # ---- state ----------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return the state that must survive a restart, as JSON-able data."""
        return {"version": 1, "kind": self.kind, "starting_balance": str(self.starting_balance),
                "orders": self.orders.to_state(), "positions": self.book.to_state(), **self.placements.to_state(),
                "protections": self.protection.to_state(),
                "closed_outside": to_plain(self.closed_outside)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with a snapshot() saved before a restart."""
        if state.get("kind") != self.kind:
            raise ConfigurationError(f"the saved live state is for {state.get('kind')}, this account is {self.kind}")
        self.starting_balance = Decimal(state.get("starting_balance") or 0)
        self.orders.restore(state.get("orders") or {})
        self.book.restore(state.get("positions") or {})
        self.placements.restore(state)
        self.protection.restore(state.get("protections") or {})
        self.closed_outside = from_plain(dict[str, Order], dict(state.get("closed_outside") or {}))


async def _nothing() -> None:
    return None
