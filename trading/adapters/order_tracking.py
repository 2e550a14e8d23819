"""Following live orders to their final state: what changed between two looks at an order, and when to act.

The exchange reports an order's cumulative filled amount and average price; the difference between two
looks is one fill (several executions between two polls read as one at their average price). Fees are the
exchange's when it reports them, else the market's fee rate (maker for a resting limit, taker otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from trading.domain.client_ids import exit_number, is_engine_entry, is_engine_order, origin_client_id
from trading.domain.instruments import Instrument
from trading.domain.orders import Fill, Order, OrderStatus, OrderType

ZERO = Decimal(0)
PRICE_PLACES = Decimal("0.00000001")     # exchanges quote to 8 decimals; an average of fills is cut there


class LimitTimeout(StrEnum):
    """What becomes of a limit order still unfilled after the timeout."""

    CANCEL = "cancel"
    REPRICE = "reprice"      # cancel and place the remainder again at the current best price


def on_timeout(order: Order, origin: str, rule: LimitTimeout) -> LimitTimeout | None:
    """Return what becomes of order, a limit past the timeout first sent as origin; None: it rests.

    Only the engine's own orders time out. Its exits and other reducing orders follow the rule (reducing is
    always allowed). Its entries are only cancelled: re-placing one opens a position with no entry gate asked,
    and the broker cannot ask it. Once partly filled, an entry's rest is left to PositionSync, which cancels it
    and tells the user what stays open (cancelled here it would go untold). The user's orders (manual or approved
    on a card) and the ones the bot did not place rest until they fill or are cancelled, as on the exchange. An
    approved entry of the engine's carries an approval's id: PositionSync times it out, as it does every entry of
    the engine's, in every mode.
    """
    origin = origin_client_id(origin)     # adopted after a restart: the map of re-placed orders is gone
    if not is_engine_order(origin):
        return None
    if order.reduce_only or exit_number(origin) is not None:
        return rule
    return LimitTimeout.CANCEL if is_engine_entry(origin) and order.filled == 0 else None


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """An order as now known, with the new fill since the last look (if any) and whether it just ended."""

    order: Order
    fill: Fill | None
    ended: bool


def new_fill(known: Order, fresh: Order, instrument: Instrument, ts_ms: int, resting: bool) -> Fill | None:
    """Return the execution between two looks at an order (None when nothing more was filled)."""
    amount = fresh.filled - known.filled
    if amount <= 0 or fresh.avg_price is None:
        return None
    cost = fresh.filled * fresh.avg_price - known.filled * (known.avg_price or ZERO)
    price = plain((cost / amount).quantize(PRICE_PLACES))
    maker = resting and fresh.type is OrderType.LIMIT
    if fresh.fee > known.fee:
        fee = fresh.fee - known.fee
    else:
        fee = amount * price * (instrument.maker_fee if maker else instrument.taker_fee)
    ts = fresh.updated_ms or ts_ms
    return Fill(fresh.id, fresh.symbol, fresh.side, amount, price, fee, instrument.quote, ts, is_maker=maker)


def plain(value: Decimal) -> Decimal:
    """Return value without trailing zeros and never in exponent form (90000, not 9E+4)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]


def follow(known: Order, fresh: Order, instrument: Instrument, ts_ms: int, resting: bool = True) -> OrderUpdate:
    """Return the update from known to fresh; the order keeps the reason and the fees the bot accounted."""
    fill = new_fill(known, fresh, instrument, ts_ms, resting)
    fee = known.fee + (fill.fee if fill is not None else ZERO)
    order = replace(fresh, fee=fee, reason=known.reason or fresh.reason, fills=())
    if fill is None and fresh.filled < known.filled:
        order = replace(order, filled=known.filled, avg_price=known.avg_price)   # a stale answer never undoes a fill
    return OrderUpdate(order, fill, fresh.status.is_final and not known.status.is_final)


def acknowledged(order: Order, reason: str) -> Order:
    """Return order as first acknowledged: open and unfilled (its fills and its end come as updates)."""
    return replace(order, status=OrderStatus.OPEN, filled=ZERO, avg_price=None, fee=ZERO, reason=reason, fills=())


def timed_out(order: Order, now_ms: int, timeout_ms: int) -> bool:
    """Return True for a working limit order older than timeout_ms."""
    return (order.type is OrderType.LIMIT and not order.status.is_final and timeout_ms > 0
            and now_ms - order.created_ms >= timeout_ms)


def can_place_remainder(order: Order, instrument: Instrument, price: Decimal) -> bool:
    """Return True when the unfilled rest of order is still a valid order at price."""
    remaining = instrument.round_amount(order.remaining)
    if order.reduce_only:
        return remaining > 0 and remaining >= instrument.min_amount
    return remaining > 0 and instrument.check_order(remaining, price) is None
