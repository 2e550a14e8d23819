"""The paper account as a venue: the simulated broker, fed market prices, persisted after every change."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Mapping, Sequence

from trading.adapters.paper_broker import PaperBroker
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.domain.candles import Candles, Timeframe
from trading.domain.events import Event
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import Order
from trading.domain.positions import Position
from trading.engine.simulated_exchange import EntryCheck, FundingRateSource
from trading.engine.slippage import SlippageModel
from trading.ports import Clock, StateStore
from trading.services.event_bus import EventBus
from trading.services.account_keys import PAPER_ACCOUNT_KEY

STATE_KEY = PAPER_ACCOUNT_KEY


class SimulatedAccount:
    """What a simulated account tells the loop of closes: none behind the engine's back, no exchange legs."""

    def fired(self, symbol: str) -> Order | None:
        """Return None: the paper account holds no stop or target legs of the bot's."""
        return None

    async def closed_outside(self, position: Position) -> Order | None:
        """Return None: nothing closes a paper position but the loop's own orders, so nothing more is found."""
        return None


class PaperVenue(SimulatedAccount):
    """Owns the PaperBroker; every mutation is followed by settle(), which records and announces it."""

    def __init__(self, market_type: str, instruments: Mapping[str, Instrument], starting_balance: Decimal,
                 ledger: ExecutionLedger, store: StateStore, events: EventBus, clock: Clock, *,
                 leverage: int = 5, leverage_cap: int = 20, funding_rate: Decimal | None = None,
                 funding_rates: FundingRateSource | None = None, entry_check: EntryCheck | None = None,
                 slippage: SlippageModel = SlippageModel()) -> None:
        self._pending: list[Event] = []
        on_event = self._pending.append
        if market_type == "futures":
            self.instruments = futures_markets(instruments, leverage_cap)
            self.broker = PaperBroker.futures(self.instruments, starting_balance, default_leverage=leverage,
                                              leverage_cap=leverage_cap, funding_rate=funding_rate,
                                              funding_rates=funding_rates, on_event=on_event, clock=clock,
                                              entry_check=entry_check, slippage=slippage)
        else:
            self.instruments = dict(instruments)
            self.broker = PaperBroker.spot(instruments, starting_balance, on_event=on_event, clock=clock,
                                           entry_check=entry_check, slippage=slippage)
        self.market_type = market_type
        self._symbols = frozenset(instruments)
        self.ledger = ledger
        self._store = store
        self._events = events
        self._clock = clock

    async def restore(self) -> bool:
        """Load the saved account, if any; return True when one was restored."""
        state = await self._store.load_state(STATE_KEY)
        if not state:
            await self.settle()
            return False
        if not isinstance(state, Mapping):      # never overwrite a saved account that cannot be read
            raise TypeError(f"the saved paper account ({STATE_KEY}) is a {type(state).__name__}, not a mapping")
        self.broker.restore(state)
        return True

    async def settle(self) -> None:
        """Persist the account with the events since the last settle (one transaction), then announce them."""
        events, self._pending[:] = list(self._pending), []
        await self.ledger.record(STATE_KEY, self.broker.snapshot(), events, self._clock.now_ms())
        for event in events:
            self._events.announce_venue(event)

    async def trade_at(self, symbol: str, price: Decimal) -> None:
        """Feed the current price of symbol so pending market orders fill, then settle."""
        self.broker.on_price(symbol, self._clock.now_ms(), price)
        await self.settle()

    async def on_candles(self, batches: Sequence[tuple[str, Timeframe, Candles]]) -> None:
        """Feed newly closed base candles (limit fills, stops, liquidation, funding), then settle."""
        fed = False
        for symbol, timeframe, candles in batches:
            if timeframe is not Timeframe.M1 or symbol not in self._symbols:
                continue
            for i in range(len(candles)):
                self.broker.on_candle(symbol, candles.at(i))
                fed = True
        if fed:
            await self.settle()

    async def close(self) -> None:
        """Nothing to release: the paper account lives in this process and the database."""

    async def reset(self) -> None:
        """Start the paper account over from its starting balance; reports count from this moment."""
        self.broker.reset()
        await self.ledger.forget(self._clock.now_ms(), self.broker.starting_balance)
        await self.settle()


def futures_markets(instruments: Mapping[str, Instrument], max_leverage: int) -> dict[str, Instrument]:
    """Return the markets as a paper futures account trades them: every one a USDT-M perpetual.

    A replay or a spot feed describes spot markets; a paper futures account trades their prices as
    perpetuals (leverage, shorts, funding), so the engine must see them as such too.
    """
    # a spot market's price band (PERCENT_PRICE_BY_SIDE, 0.2x-5x) is not its perpetual's: the default stands
    return {s: i if i.kind is MarketKind.PERP else replace(i, kind=MarketKind.PERP, price_band=None,
                                                           sell_price_band=None,
                                                           max_leverage=max(i.max_leverage, max_leverage))
            for s, i in instruments.items()}
