"""The simulated venue shared by paper trading and backtests: an order book over an account, fed by prices."""
from __future__ import annotations

from collections import deque
from decimal import Decimal
from enum import StrEnum
from typing import Any, Callable, Iterable, Mapping

from trading.domain.errors import BadSymbol, ConfigurationError, InvalidOrder, OrderNotFound, RejectedError
from trading.domain.events import Event
from trading.domain.frozen import changed
from trading.domain.instruments import Instrument
from trading.domain.orders import Fill, Order, OrderIntent, OrderStatus, OrderType
from trading.domain.positions import Position, PositionSide
from trading.engine import execution_events as events
from trading.engine.account import Account, AccountSummary, ChangeKind, PositionChange
from trading.domain.client_ids import CLIENT_ID_PREFIX
from trading.engine.funding import funding_times_between
from trading.engine.liquidation import is_liquidated
from trading.engine.order_intake import accept_intent
from trading.engine.simulator import Execution, PriceBar, execution_for, fee_for, on_tick
from trading.engine.slippage import SlippageModel
from trading.engine.snapshots import from_plain, to_plain

FINAL_ORDERS_KEPT = 500      # finished orders kept (and saved) for /orders and client-id look-ups after a restart
_LIMIT_PHASE = (OrderType.LIMIT, OrderType.TAKE_PROFIT_MARKET)

EntryCheck = Callable[[Order], "str | None"]                       # why an entry may not fill now, or None
FundingRateSource = Callable[[str, int], "Decimal | None"]         # (symbol, funding time) -> rate, if known


class MarketFill(StrEnum):
    """When a market order meets the market."""

    NEXT_PRICE = "next_price"    # at the next price event (backtests: the next bar's open)
    LAST_PRICE = "last_price"    # at once at the last known price (paper orders typed in chat)


class SimulatedExchange:
    """Orders, fills, funding and liquidations of one simulated account, driven by price events.

    Within a bar the path is assumed to be: funding due at its open, a liquidation already reached at
    the open (a gap), market orders at the open, stops, a liquidation at the bar's worst price, then
    limits and take-profits. Stops thus come before take-profits when a bar touches both, and a stop
    placed beyond the liquidation price never saves the position.
    """

    def __init__(self, account: Account, instruments: Mapping[str, Instrument], *,
                 slippage: SlippageModel = SlippageModel(), market_fill: MarketFill = MarketFill.NEXT_PRICE,
                 funding_rate: Decimal | None = None, emit: Callable[[Event], None] | None = None,
                 id_prefix: str = "P", entry_check: EntryCheck | None = None,
                 funding_rates: FundingRateSource | None = None, finished_kept: int = FINAL_ORDERS_KEPT) -> None:
        self.account = account
        self._instruments = dict(instruments)
        self._slippage = slippage
        self._market_fill = market_fill
        self._funding_rate = funding_rate     # applied at each funding time when the data has no rates
        self._funding_rates = funding_rates   # the rate of a symbol at a funding time, where the data has it
        self._entry_check = entry_check       # the entry gate, asked again when a resting entry would fill
        self._emit = emit or (lambda event: None)
        self._heard = emit is not None        # a backtest listens to nobody: its events are not even built
        self._prefix = id_prefix
        self._seq = 0
        self._now = 0
        self._orders: dict[str, Order] = {}
        self._by_client: dict[str, str] = {}
        # the ids of the final orders, oldest first: past finished_kept the oldest is forgotten, so a backtest's
        # thousands of orders do not pile up while paper mode keeps what /orders and a restart look up
        self._finished: deque[str] = deque()
        self._finished_kept = finished_kept
        self._open: dict[str, dict[str, None]] = {}
        self._fresh: set[str] = set()
        self._budgets: dict[str, Decimal] = {}
        self._last: dict[str, tuple[int, Decimal]] = {}
        self._funded: dict[str, int] = {}

    # ---- orders -------------------------------------------------------------------------------

    def submit(self, intent: OrderIntent, ts_ms: int | None = None) -> Order:
        """Book intent and return its order; an intent whose client id is known returns that order."""
        known = self._by_client.get(intent.client_order_id) if intent.client_order_id else None
        if known is not None:
            return self._orders[known]
        instrument = self.instrument(intent.symbol)
        ts = self._now if ts_ms is None else ts_ms
        order_id = f"{self._prefix}-{self._seq + 1}"
        accepted = accept_intent(intent, instrument, order_id, ts, self.last_price(intent.symbol),
                                 self.account.reducible(intent.symbol, intent.side))
        self.account.reserve(accepted.order, instrument, accepted.estimate, accepted.quote_budget,
                             intent.leverage)
        self._seq += 1
        order = accepted.order
        self._store(order)
        self._open.setdefault(order.symbol, {})[order.id] = None
        self._fresh.add(order.id)
        if accepted.quote_budget is not None:
            self._budgets[order.id] = accepted.quote_budget
        if self._heard:
            self._emit(events.order_placed(order, instrument))
        last = self._last.get(order.symbol)
        if self._market_fill is MarketFill.LAST_PRICE and last is not None:
            self._execute(order, PriceBar.tick(max(ts, last[0]), last[1]))
            self._fresh.discard(order.id)
        return self._orders[order.id]

    def cancel(self, order_id: str, symbol: str | None = None, reason: str = "cancelled on request") -> Order:
        """Cancel an open order; raise OrderNotFound for an unknown id and InvalidOrder for a final one."""
        order = self._orders.get(order_id)
        if order is None or (symbol is not None and order.symbol != symbol):
            raise OrderNotFound(f"no order {order_id}" + (f" in {symbol}" if symbol else ""))
        if order.status.is_final:
            raise InvalidOrder(f"order {order_id} is already {order.status}")
        return self._cancel(order, self._now, reason)

    def order(self, order_id: str) -> Order | None:
        """Return the order with this id, if known."""
        return self._orders.get(order_id)

    def find_by_client_id(self, client_order_id: str) -> Order | None:
        """Return the order placed with this client id, if known."""
        order_id = self._by_client.get(client_order_id)
        return self._orders[order_id] if order_id is not None else None

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Return the orders not yet final, oldest first."""
        symbols = [symbol] if symbol is not None else list(self._open)
        return [self._orders[i] for s in symbols for i in self._open.get(s, {})]

    def filled_orders(self, symbol: str, since_ms: int) -> list[Order]:
        """Return the orders of symbol that filled (wholly or in part) since since_ms, oldest first."""
        return sorted((o for o in self._orders.values() if o.symbol == symbol and o.filled > 0
                       and max(o.updated_ms, o.created_ms) >= since_ms), key=lambda o: max(o.updated_ms, o.created_ms))

    def instrument(self, symbol: str) -> Instrument:
        """Return the market of symbol, or raise BadSymbol naming the known ones."""
        try:
            return self._instruments[symbol]
        except KeyError:
            known = ", ".join(sorted(self._instruments)) or "none"
            raise BadSymbol(f"{symbol} is not traded here; markets: {known}") from None

    # ---- market events ------------------------------------------------------------------------

    def is_quiet(self, symbol: str) -> bool:
        """Return True when symbol has no open order and no position: a price then only moves its mark."""
        return not self._open.get(symbol) and self.account.position(symbol) is None

    def note_price(self, symbol: str, ts_ms: int, price: Decimal) -> None:
        """Record the last price of a quiet symbol (a cheap on_bar for drivers that check is_quiet first)."""
        self._now = max(self._now, ts_ms)
        self._last[symbol] = (ts_ms, price)

    def on_bar(self, symbol: str, bar: PriceBar) -> None:
        """Advance symbol by one price event: funding, liquidation, then orders in the assumed path."""
        previous = self._last.get(symbol)
        self._now = max(self._now, bar.ts_ms)
        if not self.is_quiet(symbol):
            self._due_funding(symbol, previous, bar)
            self._liquidate_at(symbol, bar.open, bar.ts_ms)
            self._run(symbol, bar, (OrderType.MARKET,))
            self._run(symbol, bar, (OrderType.STOP_MARKET,))
            position = self.account.position(symbol)
            if position is not None:
                self._liquidate_at(symbol, bar.adverse(position.side is PositionSide.LONG), bar.ts_ms)
            self._run(symbol, bar, _LIMIT_PHASE)
            self._fresh.difference_update(self._open.get(symbol, ()))
        self._last[symbol] = (bar.ts_ms, bar.close)

    def on_funding(self, symbol: str, ts_ms: int, rate: Decimal, mark: Decimal | None = None) -> Decimal | None:
        """Apply a funding rate at ts_ms to the position in symbol (mark: the last price); return the payment."""
        self._now = max(self._now, ts_ms)
        price = mark if mark is not None else self.last_price(symbol)
        if price is None:
            self._funded[symbol] = max(self._funded.get(symbol, 0), ts_ms)
            return None
        return self._fund(symbol, ts_ms, rate, price)

    def _due_funding(self, symbol: str, previous: tuple[int, Decimal] | None, bar: PriceBar) -> None:
        if (self._funding_rate is None and self._funding_rates is None) or previous is None:
            return
        for ts in funding_times_between(max(previous[0], self._funded.get(symbol, 0)), bar.ts_ms):
            known = self._funding_rates(symbol, ts) if self._funding_rates is not None else None
            rate = known if known is not None else self._funding_rate
            if rate is not None:
                self._fund(symbol, ts, rate, bar.open)

    def _fund(self, symbol: str, ts_ms: int, rate: Decimal, mark: Decimal) -> Decimal | None:
        self._funded[symbol] = max(self._funded.get(symbol, 0), ts_ms)
        payment = self.account.apply_funding(symbol, ts_ms, rate, mark)
        position = self.account.position(symbol)
        if payment is None or position is None:
            return payment
        if self._heard:
            self._emit(events.funding_applied(PositionChange(ChangeKind.UPDATED, position), payment, rate, ts_ms))
        self._liquidate_at(symbol, mark, ts_ms)
        return payment

    def _liquidate_at(self, symbol: str, mark: Decimal, ts_ms: int) -> None:
        position = self.account.position(symbol)
        if position is None or not is_liquidated(position.side, mark, position.liquidation_price):
            return
        change = self.account.liquidate(symbol, ts_ms, mark)
        if change is not None:
            if self._heard:
                self._emit(events.position_changed(change, self.instrument(symbol), ts_ms))
            self._cancel_reduce_only(symbol, ts_ms, "position liquidated")

    def _run(self, symbol: str, bar: PriceBar, types: Iterable[OrderType]) -> None:
        for order_id in list(self._open.get(symbol, ())):
            order = self._orders[order_id]
            if order.status.is_final or order.type not in types or self._beyond_liquidation(order):
                continue
            self._execute(order, bar)

    def _beyond_liquidation(self, order: Order) -> bool:
        # A protective stop past the liquidation price is never reached: liquidation comes first.
        if order.type is not OrderType.STOP_MARKET or not order.reduce_only or order.stop_price is None:
            return False
        position = self.account.position(order.symbol)
        if position is None or position.liquidation_price is None:
            return False
        return is_liquidated(position.side, order.stop_price, position.liquidation_price)

    def _execute(self, order: Order, bar: PriceBar) -> None:
        instrument = self.instrument(order.symbol)
        budget = self._budgets.get(order.id)
        amount = budget / bar.open if budget is not None else order.remaining
        if order.reduce_only:
            amount = min(amount, self.account.reducible(order.symbol, order.side))
        fresh = order.id in self._fresh
        execution = execution_for(order, bar, amount or order.remaining, self._slippage, fresh)
        if execution is None:
            return
        # a venue only trades on its tick grid: slippage rounds against us, to the next tick
        execution = Execution(on_tick(execution.price, instrument.price_tick, order.side), execution.is_maker)
        if amount <= 0:
            self._cancel(order, bar.ts_ms, "nothing left to reduce")
            return
        refusal = self._refusal(order, amount)
        if refusal is not None:
            # the user's own order is told here; the engine's entry is told by the loop, which tracks it
            engine_entry = order.client_order_id.startswith(f"{CLIENT_ID_PREFIX}-")
            self._cancel(order, bar.ts_ms, f"not filled: {refusal}", alarming=not engine_entry)
            return
        if budget is not None:
            amount = instrument.round_amount(budget / (execution.price * (1 + instrument.taker_fee)))
        self.account.release(order.id)
        try:
            if amount <= 0:
                raise InvalidOrder(f"{budget} {instrument.quote} buys less than {instrument.amount_step}")
            fee = fee_for(instrument, amount, execution.price, execution.is_maker)
            changes = self.account.settle(order, instrument, amount, execution.price, fee, bar.ts_ms)
        except RejectedError as exc:
            self._finish(order, OrderStatus.REJECTED, bar.ts_ms)
            if self._heard:
                self._emit(events.order_failed(self._orders[order.id], instrument, str(exc)))
            return
        self._record_fill(order, instrument, amount, execution, fee, bar.ts_ms, changes)

    def _refusal(self, order: Order, amount: Decimal) -> str | None:
        # An entry that waited (a limit, a market order before its price) passes the entry gate again as it
        # fills: the kill switch or a loss limit may have come on meanwhile. Reducing orders always fill.
        if self._entry_check is None or order.reduce_only:
            return None
        if amount <= self.account.reducible(order.symbol, order.side):
            return None
        return self._entry_check(order)

    def _record_fill(self, order: Order, instrument: Instrument, amount: Decimal, execution: Execution,
                     fee: Decimal, ts_ms: int, changes: list[PositionChange]) -> None:
        fill = Fill(order.id, order.symbol, order.side, amount, execution.price, fee, instrument.quote,
                    ts_ms, execution.is_maker)
        # it waited on the book (a maker fill) or past its first price: nobody who placed it saw it fill
        resting = execution.is_maker or order.id not in self._fresh
        # A market buy for a quote amount, or a reduce-only order cut to the position, fills what it could.
        self._finish(order, OrderStatus.FILLED, ts_ms, amount=order.filled + amount, filled=order.filled + amount,
                     avg_price=execution.price, fee=order.fee + fee, fills=order.fills + (fill,))
        if self._heard:
            self._emit(events.order_filled(self._orders[order.id], fill, instrument, resting))
        for change in changes:
            if self._heard:
                self._emit(events.position_changed(change, instrument, ts_ms))
        if any(change.kind is ChangeKind.CLOSED for change in changes):
            self._cancel_reduce_only(order.symbol, ts_ms, "position closed")

    def _cancel_reduce_only(self, symbol: str, ts_ms: int, reason: str) -> None:
        if self.account.position(symbol) is not None:
            return
        for order in self.open_orders(symbol):
            if order.reduce_only:
                self._cancel(order, ts_ms, reason)

    def _cancel(self, order: Order, ts_ms: int, reason: str, alarming: bool = False) -> Order:
        self._finish(order, OrderStatus.CANCELLED, ts_ms)
        cancelled = self._orders[order.id]
        if self._heard:
            self._emit(events.order_cancelled(cancelled, self.instrument(order.symbol), reason, alarming))
        return cancelled

    def _finish(self, order: Order, status: OrderStatus, ts_ms: int, **fill: Any) -> None:
        self.account.release(order.id)
        self._store(changed(order, status=status, updated_ms=ts_ms, **fill))
        self._open.get(order.symbol, {}).pop(order.id, None)
        self._fresh.discard(order.id)
        self._budgets.pop(order.id, None)
        self._retire(order.id)

    def _retire(self, order_id: str) -> None:
        self._finished.append(order_id)
        if len(self._finished) <= self._finished_kept:
            return
        oldest = self._finished.popleft()
        forgotten = self._orders.pop(oldest)
        if self._by_client.get(forgotten.client_order_id) == oldest:
            del self._by_client[forgotten.client_order_id]

    def _store(self, order: Order) -> None:
        self._orders[order.id] = order
        self._by_client[order.client_order_id] = order.id

    # ---- account views ------------------------------------------------------------------------

    def last_price(self, symbol: str) -> Decimal | None:
        """Return the last price seen for symbol."""
        last = self._last.get(symbol)
        return last[1] if last is not None else None

    def marks(self, overrides: Mapping[str, Decimal] | None = None) -> dict[str, Decimal]:
        """Return the last prices, replaced by overrides where given."""
        if overrides and self._last.keys() <= overrides.keys():
            return dict(overrides)     # a backtest's one symbol, marked by its driver: nothing else to add
        return {symbol: price for symbol, (_, price) in self._last.items()} | dict(overrides or {})

    def positions(self, marks: Mapping[str, Decimal] | None = None) -> list[Position]:
        """Return the open positions, with the stop and take-profit of their reduce-only orders."""
        return [self._with_exits(p) for p in self.account.positions(self.marks(marks))]

    def _with_exits(self, position: Position) -> Position:
        closing = position.side.entry_order_side.opposite
        exits = [o for o in self.open_orders(position.symbol) if o.reduce_only and o.side is closing]
        stop = next((o.stop_price for o in exits if o.type is OrderType.STOP_MARKET), None)
        target = next((o.stop_price if o.type is OrderType.TAKE_PROFIT_MARKET else o.price
                       for o in exits if o.type in _LIMIT_PHASE), None)
        return changed(position, stop_price=stop, take_profit=target)

    def balances(self) -> dict[str, Decimal]:
        """Return the total balance per asset."""
        return self.account.balances()

    def summary(self, marks: Mapping[str, Decimal] | None = None) -> AccountSummary:
        """Return cash, holds and positions at the marks (last prices by default)."""
        return self.account.summary(self.marks(marks))

    def equity(self, marks: Mapping[str, Decimal] | None = None) -> Decimal:
        """Return cash plus the positions marked at marks (last prices by default)."""
        return self.summary(marks).equity

    # ---- state --------------------------------------------------------------------------------

    def reset(self, starting_balance: Decimal) -> None:
        """Start the account over: no orders, no positions, starting_balance in quote (ids keep counting)."""
        self.account.reset(starting_balance)
        self._forget_orders()

    def snapshot(self) -> dict[str, Any]:
        """Return the full state as JSON-able data (Decimals as strings)."""
        return {"version": 1, "account": self.account.to_state(), "orders": to_plain(list(self._orders.values())),
                "fresh": sorted(self._fresh), "budgets": to_plain(self._budgets),
                "last": {s: [ts, str(p)] for s, (ts, p) in self._last.items()},
                "funded": dict(self._funded), "seq": self._seq, "now": self._now}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with that of a snapshot() result."""
        kind = state["account"]["kind"]
        if kind != self.account.kind:
            raise ConfigurationError(f"the saved paper state is a {kind} account but this one is "
                                     f"{self.account.kind}; reset the paper account to switch")
        self.account.restore(state["account"])
        self._forget_orders()
        for order in from_plain(list[Order], state["orders"]):
            self._store(order)
            if order.status.is_final:
                self._retire(order.id)
            else:
                self._open.setdefault(order.symbol, {})[order.id] = None
        self._fresh = set(state["fresh"])
        self._budgets = from_plain(dict[str, Decimal], state["budgets"])
        self._last = {s: (int(ts), Decimal(p)) for s, (ts, p) in state["last"].items()}
        self._funded = {s: int(ts) for s, ts in state["funded"].items()}
        self._seq, self._now = int(state["seq"]), int(state["now"])

    def _forget_orders(self) -> None:
        self._orders.clear()
        self._by_client.clear()
        self._finished.clear()
        self._open.clear()
        self._fresh.clear()
        self._budgets.clear()
