"""The live exchange account as a venue: the ccxt broker, reconciled at start-up, persisted after every change.

It mirrors PaperVenue (broker, market_type, restore, settle, trade_at, on_candles) so the portfolio service
and the composition root can use either. The broker's state (orders followed, the placement journal,
positions, protective orders) and its events are written in one transaction by the ExecutionLedger.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Awaitable, Callable, Mapping, Sequence

from trading.adapters.account_stream import AccountStream
from trading.adapters.ccxt_broker import CcxtBroker, LiveOptions
from trading.adapters.ccxt_client import create_exchange, streams_supported
from trading.adapters.closing_trades import closing_exit
from trading.adapters.exchange_account import ExchangeAccount
from trading.adapters.key_permissions import KeyPermissions, key_permissions, require_trading_only
from trading.adapters.protective_orders import Protection
from trading.adapters.reconciliation import ReconciliationReport
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.adapters.sqlite_store import SqliteStore
from trading.adapters.stream_supervisor import StreamPolicy
from trading.adapters.streamed_orders import absorb_streamed
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import ConfigurationError, InvalidInput
from trading.domain.events import Event
from trading.domain.instruments import Instrument
from trading.domain.orders import Order
from trading.domain.positions import Position
from trading.logs import REDACTOR
from trading.ports import Clock, StateStore
from trading.secrets import ExchangeKeys, SecretVault, key_file_path
from trading.services.event_bus import EventBus
from trading.settings import Settings
from trading.services.account_keys import LIVE_ACCOUNT_PREFIX



class LiveVenue:
    """Owns the CcxtBroker; every change is followed by settle(), which records and announces it."""

    def __init__(self, broker: CcxtBroker, ledger: ExecutionLedger, store: StateStore, events: EventBus,
                 clock: Clock, permissions: KeyPermissions | None = None) -> None:
        self._pending: list[Event] = []
        self.broker = broker
        self.market_type = broker.kind
        self.permissions = permissions
        self.ledger = ledger
        self.state_key = LIVE_ACCOUNT_PREFIX + ledger.venue     # one state per exchange and market type
        self._store = store
        self._events = events
        self._clock = clock
        self._writing = asyncio.Lock()
        self.stream: AccountStream | None = None       # the user-data streams, when the exchange offers them
        broker.attach(self.collect, self.settle)

    def collect(self, event: Event) -> None:
        """Queue an event of the broker for the next settle()."""
        self._pending.append(event)

    async def restore(self) -> ReconciliationReport:
        """Load the exchange's leverage maxima and the saved state, reconcile it with the exchange, persist, and
        return the report for the chat."""
        await self.broker.load_leverage_limits()
        state = await self._store.load_state(self.state_key)
        if state:
            if not isinstance(state, Mapping):      # never overwrite a saved account that cannot be read
                raise TypeError(f"the saved live account ({self.state_key}) is a {type(state).__name__}, "
                                "not a mapping")
            self.broker.restore(state)
        warning = self.permissions.warning if self.permissions is not None else None
        report = await self.broker.reconcile((warning,) if warning else ())
        await self.settle()
        return report

    @property
    def streams_available(self) -> bool:
        """Return True when the exchange connection can stream the account (a ccxt.pro class)."""
        return bool(self.broker.account.exchange.has.get("ws"))

    def stream_account(self, policy: StreamPolicy | None = None) -> AccountStream:
        """Watch the account's user-data streams from now on (after restore()): fills are known within a second."""
        if self.stream is None:
            self.stream = AccountStream(self.broker.account.exchange, self.broker.futures, on_orders=self.on_streamed,
                                        follow_up=self.track, reconcile=self.reconcile, policy=policy)
            self.stream.start()
        return self.stream

    async def on_streamed(self, orders: list[Order]) -> None:
        """Take order updates the exchange pushed into the broker, then record and announce what changed."""
        await absorb_streamed(self.broker, orders)
        await self.settle()

    async def reconcile(self) -> ReconciliationReport:
        """Bring the broker in line with the exchange again (after a stream outage), then settle."""
        try:
            return await self.broker.reconcile()
        finally:
            await self.settle()

    async def closed_outside(self, position: Position) -> Order:
        """Return the exit of a position gone with no order of ours: the one reconciliation found (once), else
        the closing trades the exchange has for it; unfilled, with why, when they are not found."""
        found = self.broker.closed_outside.pop(position.symbol, None)
        if found is not None:
            return found
        held = self.broker.book.get(position.symbol)       # the other side, if a reversal opened it
        opposite = held.amount if held is not None and held.side is not position.side else Decimal(0)
        return await closing_exit(self.broker.account, position, self.broker.instrument(position.symbol),
                                  self._clock.now_ms(), opposite=opposite)

    def fired(self, symbol: str) -> Order | None:
        """Return (once) the exchange's own stop or target leg that closed symbol's position, if one did."""
        return self.broker.protection.fired(symbol)

    async def settle(self) -> None:
        """Persist the broker's state with the events since the last settle (one transaction), then announce."""
        async with self._writing:
            events, self._pending[:] = list(self._pending), []
            await self.ledger.record(self.state_key, self.broker.snapshot(), events, self._clock.now_ms())
        for event in events:
            self._events.announce_venue(event)

    async def track(self) -> None:
        """Follow the orders, protective pairs and positions on the exchange (the scheduler's job), then settle."""
        try:
            await self.broker.track()
        finally:
            await self.settle()

    async def protect(self, symbol: str, stop: Decimal | None, take_profit: Decimal | None) -> Protection:
        """Place the position's stop and target on the exchange (futures), then settle."""
        try:
            return await self.broker.protect(symbol, stop, take_profit)
        finally:
            await self.settle()

    async def trade_at(self, symbol: str, price: Decimal) -> None:
        """Note the current price of symbol and follow the orders (market orders fill on the exchange)."""
        self.broker.on_price(symbol, self._clock.now_ms(), price)
        await self.track()

    async def on_candles(self, batches: Sequence[tuple[str, Timeframe, Candles]]) -> None:
        """Note the newest closes as marks, then follow the orders."""
        for symbol, _, candles in batches:
            if len(candles):
                self.broker.on_price(symbol, int(candles.open_ms[-1]), Decimal(str(float(candles.close[-1]))))
        await self.track()

    async def reset(self) -> None:
        """Refuse: a live account is not reset from the bot."""
        raise InvalidInput("The live account cannot be reset from the bot; /reset_paper is for paper trading.")

    async def close(self) -> None:
        """Stop the streams and close the exchange connection."""
        if self.stream is not None:
            await self.stream.stop()
        await self.broker.account.close()


@dataclass(frozen=True, slots=True)
class LiveKeys:
    """The API keys live trading uses, and where they came from."""

    keys: ExchangeKeys
    source: str


def live_keys(settings: Settings) -> LiveKeys:
    """Return the exchange keys: apiKey/secret in EXCHANGE_OPTIONS, else the encrypted key file; or refuse."""
    master = settings.master_key.get_secret_value()
    if not master.strip():
        raise ConfigurationError("TRADING_MODE=live needs MASTER_KEY (it unlocks the exchange keys); set it in .env")
    options = settings.exchange_config
    if options.get("apiKey") and options.get("secret"):
        return LiveKeys(ExchangeKeys(str(options["apiKey"]), str(options["secret"])), "EXCHANGE_OPTIONS")
    path = key_file_path(settings.data_dir)
    keys = SecretVault(path, master).exchange_keys()
    if keys is None:
        raise ConfigurationError("TRADING_MODE=live needs exchange API keys: run `trading-assistant keys set` "
                                 "(or put apiKey/secret in EXCHANGE_OPTIONS for a testnet)")
    return LiveKeys(keys, str(path))


async def live_venue(settings: Settings, clock: Clock, store: SqliteStore, events: EventBus,
                     instruments: dict[str, Instrument], *, options: LiveOptions | None = None,
                     resync: Callable[[], Awaitable[object]] | None = None) -> LiveVenue:
    """Return the live venue on the configured exchange, or raise ConfigurationError saying what is missing.

    Signed requests carry clock's time (the exchange's, live); resync measures it again after the exchange
    refuses a timestamp. Call restore() before trading: it reconciles with the exchange and returns the report.
    """
    found = live_keys(settings)
    for secret in (found.keys.api_key, found.keys.secret):
        REDACTOR.add_secret(secret)
    config = {**settings.exchange_config, "apiKey": found.keys.api_key, "secret": found.keys.secret}
    streaming = settings.market_streams == "ws" and streams_supported(settings.exchange)
    exchange = create_exchange(settings.exchange, config, settings.exchange_testnet, streaming=streaming)
    account = ExchangeAccount(exchange, clock, futures=settings.market_type == "futures", resync=resync)
    try:
        permissions = await key_permissions(account, settings.exchange)
        require_trading_only(permissions, settings.market_type)
    except BaseException:
        await account.close()
        raise
    venue_name = f"live-{settings.exchange}-{settings.market_type}"
    broker = CcxtBroker(account, instruments, clock, options=options or LiveOptions())
    return LiveVenue(broker, ExecutionLedger(store, venue=venue_name), store, events, clock, permissions)
