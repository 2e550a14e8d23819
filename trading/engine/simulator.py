"""When and at what price a simulated order executes against the next price event, and what it costs."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.candles import Candle
from trading.domain.frozen import quick_init
from trading.domain.instruments import Instrument, price_on_tick
from trading.domain.money import booked
from trading.domain.orders import Order, OrderType, Side
from trading.engine.slippage import SlippageModel


@quick_init
@dataclass(frozen=True, slots=True)
class PriceBar:
    """One price event in Decimal: a closed candle, or a single trade price (open = high = low = close)."""

    ts_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal | None = None

    @classmethod
    def tick(cls, ts_ms: int, price: Decimal, volume: Decimal | None = None) -> "PriceBar":
        """Return a bar of a single price."""
        return cls(ts_ms, price, price, price, price, volume)

    @classmethod
    def from_candle(cls, candle: Candle) -> "PriceBar":
        """Return the candle in Decimal (str() of its floats gives back the exchange's decimal text)."""
        return cls(candle.open_ms, Decimal(str(candle.open)), Decimal(str(candle.high)),
                   Decimal(str(candle.low)), Decimal(str(candle.close)), Decimal(str(candle.volume)))

    def adverse(self, long: bool) -> Decimal:
        """Return the worst price of the bar for a long (its low) or for a short (its high)."""
        return self.low if long else self.high


@quick_init
@dataclass(frozen=True, slots=True)
class Execution:
    """Where an order executes and whether it provided liquidity (maker) or took it (taker)."""

    price: Decimal
    is_maker: bool


def on_tick(price: Decimal, tick: Decimal, side: Side) -> Decimal:
    """Return price moved onto the tick grid against the taker: up for buys, down for sells (with the tick's
    decimals, 113691.10 not 113691.1, whatever the digits of the slippage that moved it)."""
    return price_on_tick(price, tick, up=side is Side.BUY)


def execution_for(order: Order, bar: PriceBar, amount: Decimal, slippage: SlippageModel,
                  fresh: bool) -> Execution | None:
    """Return how order executes against bar, or None when the bar does not reach it.

    Market orders take the bar's open plus slippage. A resting limit fills at its price, as maker, only
    when price trades through it (touching is not enough: the queue ahead of us is unknown); a limit
    that is already marketable when it first meets the market (fresh) takes the open, as taker, never
    worse than its limit. Stop and take-profit orders trigger on touch and then execute as market orders
    at the trigger price, or at the open when the bar gapped past it.
    """
    if order.type is OrderType.MARKET:
        return Execution(slippage.price(order.side, bar.open, amount), is_maker=False)
    if order.type is OrderType.LIMIT:
        return _limit_execution(order, bar, amount, slippage, fresh)
    reference = trigger_reference(order, bar)
    if reference is None:
        return None
    return Execution(slippage.price(order.side, reference, amount), is_maker=False)


def _limit_execution(order: Order, bar: PriceBar, amount: Decimal, slippage: SlippageModel,
                     fresh: bool) -> Execution | None:
    limit = order.price
    assert limit is not None
    buy = order.side is Side.BUY
    if fresh and (bar.open <= limit if buy else bar.open >= limit):
        taken = slippage.price(order.side, bar.open, amount)
        return Execution(min(taken, limit) if buy else max(taken, limit), is_maker=False)
    if bar.low < limit if buy else bar.high > limit:
        return Execution(limit, is_maker=True)
    return None


def _triggers_on_rise(order_type: OrderType, side: Side) -> bool:
    # A buy stop and a sell take-profit fire when price rises to them; the other two when it falls.
    return (order_type is OrderType.STOP_MARKET) == (side is Side.BUY)


def trigger_reference(order: Order, bar: PriceBar) -> Decimal | None:
    """Return the price a stop or take-profit order triggers at within bar, or None if it is not reached."""
    stop = order.stop_price
    assert stop is not None
    if _triggers_on_rise(order.type, order.side):
        return max(stop, bar.open) if bar.high >= stop else None
    return min(stop, bar.open) if bar.low <= stop else None


def triggers_immediately(order_type: OrderType, side: Side, stop: Decimal, last: Decimal) -> bool:
    """Return True when a stop or take-profit at stop would fire at once at the last price."""
    return last >= stop if _triggers_on_rise(order_type, side) else last <= stop


def fee_for(instrument: Instrument, amount: Decimal, price: Decimal, is_maker: bool) -> Decimal:
    """Return the fee in quote, booked: notional times the maker or taker rate of the market."""
    return booked(amount * price * (instrument.maker_fee if is_maker else instrument.taker_fee))
