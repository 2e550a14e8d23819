"""A bare PaperBroker as the trading loop's venue: fed the loop's prices, its own events kept for the audit only.

For headless runs (tests, the CLI) where no paper ledger is wired; the bot uses PaperVenue, which also
persists the account. The loop sends the one notification per entry and exit itself, so the venue's
events (orders placed and filled, positions changed) are recorded without notifying.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Callable, Sequence

from trading.adapters.paper_broker import EventSink, PaperBroker
from trading.domain.candles import Candles, Timeframe
from trading.domain.events import Event
from trading.ports import Clock
from trading.services.event_bus import EventBus
from trading.services.paper_venue import SimulatedAccount


class PaperFeed(SimulatedAccount):
    """The Venue of the trading loop over a PaperBroker built by make_broker(event_sink)."""

    def __init__(self, events: EventBus, clock: Clock, make_broker: Callable[[EventSink], PaperBroker]) -> None:
        self._pending: list[Event] = []
        self._events = events
        self._clock = clock
        self.broker = make_broker(self._pending.append)

    async def trade_at(self, symbol: str, price: Decimal) -> None:
        """Feed the current price of symbol (pending market orders fill), then record what happened."""
        self.broker.on_price(symbol, self._clock.now_ms(), price)
        await self.settle()

    async def on_candles(self, batches: Sequence[tuple[str, Timeframe, Candles]]) -> None:
        """Feed closed candles (fills, stops, liquidations), then record what happened."""
        for symbol, _, candles in batches:
            for i in range(len(candles)):
                self.broker.on_candle(symbol, candles.at(i))
        await self.settle()

    async def settle(self) -> None:
        """Record the venue's events since the last settle in the audit log, without notifying."""
        events, self._pending[:] = list(self._pending), []
        for event in events:
            await self._events.emit(replace(event, notify=False))
