"""The small interfaces the engine talks through; adapters implement them, tests fake them."""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Protocol, Sequence

from trading.domain.candles import Candles, Timeframe
from trading.domain.decisions import Decision, DecisionRequest
from trading.domain.events import Event
from trading.domain.health import EndpointStats
from trading.domain.instruments import Instrument
from trading.domain.market import Ticker
from trading.domain.orders import Order, OrderIntent
from trading.domain.positions import Position
from trading.engine.account import AccountSummary


class Clock(Protocol):
    """Where time comes from: the wall clock live, a simulated one in replay and backtests."""

    def now_ms(self) -> int:
        """Return the current time in epoch milliseconds."""
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

    async def open_position_count(self) -> int:
        """Return how many positions are open."""
        ...
