"""Turning an order intent into an order a venue accepts: shape, precision, minimums, reduce-only, triggers."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.errors import InvalidOrder
from trading.domain.frozen import quick_init
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderIntent, OrderStatus, OrderType, Side
from trading.engine.simulator import triggers_immediately


@quick_init
@dataclass(frozen=True, slots=True)
class AcceptedOrder:
    """An order ready to book, the price its funds and minimums were checked at, and a quote budget if any."""

    order: Order
    estimate: Decimal
    quote_budget: Decimal | None = None


def accept_intent(intent: OrderIntent, instrument: Instrument, order_id: str, ts_ms: int,
                  last: Decimal | None, reducible: Decimal) -> AcceptedOrder:
    """Return the order for intent, or raise InvalidOrder saying what to change.

    reducible is how much an order on this side would close of the current position; a reduce-only
    order is cut down to it. Reduce-only orders skip the minimum order value, so a position can
    always be closed, as on the exchange.
    """
    _check_shape(intent)
    price = instrument.round_price(intent.price) if intent.type is OrderType.LIMIT and intent.price else None
    stop = trigger_on_tick(intent, instrument)
    estimate = price if price is not None else stop if stop is not None else last
    if estimate is None:
        raise InvalidOrder(f"no price is known yet for {intent.symbol}; wait for market data")
    if stop is not None and last is not None and triggers_immediately(intent.type, intent.side, stop, last):
        raise InvalidOrder(f"the {intent.type.replace('_', ' ')} at {stop} would trigger at once "
                           f"(last price {last}); use a market order instead")
    budget = intent.quote_amount
    raw = budget / (estimate * (1 + instrument.taker_fee)) if budget is not None else intent.amount
    assert raw is not None
    amount = instrument.round_amount(raw)
    if intent.reduce_only:
        amount = _reduce_only_amount(intent, amount, reducible)
    else:
        problem = instrument.check_order(amount, estimate)
        if problem is not None:
            raise InvalidOrder(problem)
    if amount <= 0:
        raise InvalidOrder(f"amount {raw} rounds to zero at step {instrument.amount_step}")
    order = Order(id=order_id, client_order_id=intent.client_order_id or order_id, symbol=intent.symbol,
                  side=intent.side, type=intent.type, amount=amount, status=OrderStatus.OPEN,
                  created_ms=ts_ms, price=price, stop_price=stop, reduce_only=intent.reduce_only,
                  updated_ms=ts_ms, reason=intent.reason)
    return AcceptedOrder(order, estimate, budget)


def trigger_on_tick(intent: OrderIntent, instrument: Instrument) -> Decimal | None:
    """Return the trigger on the tick: a reduce-only one in the position's favour (a long's sell up, a short's buy
    down), so a protective stop is never looser than asked (paper as live); other triggers to the nearest tick."""
    if intent.stop_price is None:
        return None
    if intent.reduce_only:
        return instrument.round_price_toward(intent.stop_price, up=intent.side is Side.SELL)
    return instrument.round_price(intent.stop_price)


def _reduce_only_amount(intent: OrderIntent, amount: Decimal, reducible: Decimal) -> Decimal:
    # A reduce-only stop or take-profit may wait for the entry it protects (as on Binance), and is
    # cut to the position when it fires; a reduce-only market or limit order needs a position now.
    if intent.type in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET):
        return amount if reducible <= 0 else min(amount, reducible)
    if reducible <= 0:
        raise InvalidOrder(f"reduce-only {intent.side} has no {_closes(intent.side)} position "
                           f"in {intent.symbol} to reduce")
    return min(amount, reducible)


def _closes(side: Side) -> str:
    return "long" if side is Side.SELL else "short"


def _check_shape(intent: OrderIntent) -> None:
    if (intent.amount is None) == (intent.quote_amount is None):
        raise InvalidOrder("give exactly one of amount (base units) or quote_amount")
    size = intent.amount if intent.amount is not None else intent.quote_amount
    if size is None or size <= 0:
        raise InvalidOrder(f"the order size must be positive, got {size}")
    if intent.quote_amount is not None and (intent.type is not OrderType.MARKET or intent.side is not Side.BUY):
        raise InvalidOrder("a quote amount is only for market buys; give the amount in base units")
    if intent.type is OrderType.LIMIT and (intent.price is None or intent.price <= 0):
        raise InvalidOrder("a limit order needs a positive price")
    if intent.type in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET) and \
            (intent.stop_price is None or intent.stop_price <= 0):
        raise InvalidOrder(f"a {intent.type.replace('_', ' ')} order needs a positive stop price")
