"""The paper broker: the Broker port over the simulated exchange that backtests use too, for spot or futures."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Mapping

from trading.domain.candles import Candle
from trading.domain.events import Event
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderIntent
from trading.domain.positions import Position
from trading.engine.account import Account, AccountSummary
from trading.engine.futures_account import FuturesAccount
from trading.engine.margin_tiers import BINANCE_USDM_TIERS, MarginTier
from trading.engine.simulated_exchange import EntryCheck, FundingRateSource, MarketFill, SimulatedExchange
from trading.engine.simulator import PriceBar
from trading.engine.slippage import SlippageModel
from trading.engine.spot_account import SpotAccount
from trading.ports import Clock

EventSink = Callable[[Event], None]


class PaperBroker:
    """Orders filled by the simulator against the prices it is fed; the account lives in memory.

    Build one with PaperBroker.spot(...) or PaperBroker.futures(...). The live paper loop and the
    backtester feed it the same way (on_price / on_candle / on_funding), so both mean the same thing.
    Events (order_placed, order_filled, order_failed, order_cancelled, position_opened, position_updated,
    position_closed) go to on_event as they happen; snapshot() and restore() carry the whole state
    across restarts as JSON-able data.
    """

    def __init__(self, account: Account, instruments: Mapping[str, Instrument], starting_balance: Decimal, *,
                 slippage: SlippageModel = SlippageModel(), market_fill: MarketFill = MarketFill.NEXT_PRICE,
                 funding_rate: Decimal | None = None, on_event: EventSink | None = None,
                 clock: Clock | None = None, entry_check: EntryCheck | None = None,
                 funding_rates: FundingRateSource | None = None) -> None:
        self.starting_balance = starting_balance
        self.exchange = SimulatedExchange(account, instruments, slippage=slippage, market_fill=market_fill,
                                          funding_rate=funding_rate, emit=on_event, entry_check=entry_check,
                                          funding_rates=funding_rates)
        self._clock = clock

    @classmethod
    def spot(cls, instruments: Mapping[str, Instrument], starting_balance: Decimal, *, quote: str = "USDT",
             **options: Any) -> "PaperBroker":
        """Return a paper spot broker holding starting_balance of quote."""
        return cls(SpotAccount(starting_balance, quote), instruments, starting_balance, **options)

    @classmethod
    def futures(cls, instruments: Mapping[str, Instrument], starting_balance: Decimal, *, quote: str = "USDT",
                default_leverage: int = 5, leverage_cap: int = 20,
                tiers: Mapping[str, tuple[MarginTier, ...]] = BINANCE_USDM_TIERS,
                **options: Any) -> "PaperBroker":
        """Return a paper USDT-M futures broker (isolated margin, one-way mode) with starting_balance."""
        account = FuturesAccount(starting_balance, quote, default_leverage=default_leverage,
                                 leverage_cap=leverage_cap, tiers=tiers)
        return cls(account, instruments, starting_balance, **options)

    @property
    def kind(self) -> str:
        """Return 'spot' or 'futures'."""
        return self.exchange.account.kind

    def instrument(self, symbol: str) -> Instrument:
        """Return the market rules of symbol, or raise BadSymbol."""
        return self.exchange.instrument(symbol)

    # ---- the Broker port ----------------------------------------------------------------------

    async def place(self, intent: OrderIntent) -> Order:
        """Book an order (a known client id returns the existing order); raise a RejectedError if refused."""
        return self.submit(intent)

    async def cancel(self, order_id: str, symbol: str) -> Order:
        """Cancel an open order."""
        return self.exchange.cancel(order_id, symbol)

    async def find_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        """Return the order with this client id, if it was placed here."""
        order = self.exchange.find_by_client_id(client_order_id)
        return order if order is not None and order.symbol == symbol else None

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Return orders not yet final."""
        return self.exchange.open_orders(symbol)

    async def filled_orders(self, symbol: str, since_ms: int) -> list[Order]:
        """Return the orders of symbol that filled (wholly or in part) since since_ms, oldest first."""
        return self.exchange.filled_orders(symbol, since_ms)

    async def positions(self) -> list[Position]:
        """Return open positions with their stops, targets and (futures) liquidation prices."""
        return self.exchange.positions()

    async def balances(self) -> dict[str, Decimal]:
        """Return total balance per asset (futures: the wallet, margins included)."""
        return self.exchange.balances()

    # ---- driving it ---------------------------------------------------------------------------

    def submit(self, intent: OrderIntent) -> Order:
        """Book an order without awaiting: what place() does, for synchronous drivers such as backtests."""
        ts = self._clock.now_ms() if self._clock is not None else None
        return self.exchange.submit(intent, ts)

    def on_price(self, symbol: str, ts_ms: int, price: Decimal, volume: Decimal | None = None) -> None:
        """Feed one trade price (or mark) of symbol."""
        self.exchange.on_bar(symbol, PriceBar.tick(ts_ms, price, volume))

    def on_candle(self, symbol: str, candle: Candle) -> None:
        """Feed one closed candle of symbol."""
        if self.exchange.is_quiet(symbol):     # most bars of a backtest: only the mark moves
            self.exchange.note_price(symbol, candle.open_ms, Decimal(str(candle.close)))
        else:
            self.exchange.on_bar(symbol, PriceBar.from_candle(candle))

    def on_funding(self, symbol: str, ts_ms: int, rate: Decimal, mark: Decimal | None = None) -> Decimal | None:
        """Feed the funding rate of a funding time; return what the position paid (negative: received)."""
        return self.exchange.on_funding(symbol, ts_ms, rate, mark)

    def equity(self, marks: Mapping[str, Decimal] | None = None) -> Decimal:
        """Return cash plus positions marked at marks (the last prices by default)."""
        return self.exchange.equity(marks)

    def summary(self, marks: Mapping[str, Decimal] | None = None) -> AccountSummary:
        """Return cash, holds, marked positions and equity in quote."""
        return self.exchange.summary(marks)

    def reset(self, starting_balance: Decimal | None = None) -> None:
        """Start the paper account over with starting_balance (by default the one it was built with)."""
        if starting_balance is not None:
            self.starting_balance = starting_balance
        self.exchange.reset(self.starting_balance)

    def snapshot(self) -> dict[str, Any]:
        """Return the full state (accounts, orders, positions) as JSON-able data."""
        return self.exchange.snapshot() | {"starting_balance": str(self.starting_balance)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with that of a snapshot(); raise ConfigurationError on a spot/futures mismatch."""
        self.exchange.restore(state)
        self.starting_balance = Decimal(state.get("starting_balance", self.starting_balance))
