"""The events a simulated venue emits about orders and positions, with a human line and plain data."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.events import Event, EventKind, Severity
from trading.domain.instruments import Instrument, amount_text, price_text
from trading.domain.orders import Fill, Order, OrderType, Side
from trading.engine.account import ChangeKind, PositionChange
from trading.engine.snapshots import to_plain

_POSITION_KINDS = {
    ChangeKind.OPENED: EventKind.POSITION_OPENED,
    ChangeKind.UPDATED: EventKind.POSITION_UPDATED,
    ChangeKind.CLOSED: EventKind.POSITION_CLOSED,
}


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _fee(value: Decimal, asset: str, market: Instrument) -> str:
    # a fee in quote to 4 places as the receipts tell it; one taken in the coin bought, as it is (a few satoshis)
    return f"{value:,.4f} {asset}" if asset == market.quote else f"{amount_text(value)} {asset}"


def _order_data(order: Order) -> dict[str, object]:
    data = to_plain(order)
    data.pop("fills")
    return data


def _terms(order: Order, market: Instrument) -> str:
    if order.type is OrderType.LIMIT:
        return f"limit at {price_text(order.price or Decimal(0), market.price_tick)}"
    if order.type is OrderType.MARKET:
        return "at market"
    kind = "stop" if order.type is OrderType.STOP_MARKET else "take-profit"
    return f"{kind} at {price_text(order.stop_price or Decimal(0), market.price_tick)}"


def _sized(order: Order, market: Instrument) -> str:
    return f"{order.side} {amount_text(order.amount, market.amount_step)} {order.symbol}"


def order_placed(order: Order, market: Instrument) -> Event:
    """Return the event of an order the venue accepted, told on the market's tick and step."""
    line = f"Order {order.id}: {_sized(order, market)} {_terms(order, market)}"
    if order.reduce_only:
        line += " (reduce-only)"
    return Event(EventKind.ORDER_PLACED, order.created_ms, line, _order_data(order), notify=False)


def order_filled(order: Order, fill: Fill, market: Instrument, resting: bool = False) -> Event:
    """Return the event of an order filled: price, size and fee (resting: it waited, so nobody saw it fill)."""
    verb = "Bought" if fill.side is Side.BUY else "Sold"
    line = (f"{verb} {amount_text(fill.amount, market.amount_step)} {fill.symbol} at "
            f"{price_text(fill.price, market.price_tick)}, fee {_fee(fill.fee, fill.fee_asset, market)}")
    if resting:
        line = f"Order {order.id} ({order.side} {order.symbol} {_terms(order, market)}) filled: {line}"
    data = _order_data(order) | {"fill": to_plain(fill), "resting": resting}
    return Event(EventKind.ORDER_FILLED, fill.ts_ms, line, data)


def order_cancelled(order: Order, market: Instrument, reason: str, alarming: bool = False) -> Event:
    """Return the event of an order cancelled, with why (alarming: the user did not ask for it, so tell them)."""
    line = f"Order {order.id} ({_sized(order, market)}) cancelled: {reason}"
    return Event(EventKind.ORDER_CANCELLED, order.updated_ms, line, _order_data(order) | {"why": reason},
                 severity=Severity.WARNING if alarming else Severity.INFO)


def order_failed(order: Order, market: Instrument, reason: str) -> Event:
    """Return the event of an accepted order the venue could not execute when it came to fill it."""
    line = f"Order {order.id} ({_sized(order, market)}) rejected: {reason}"
    return Event(EventKind.ORDER_FAILED, order.updated_ms, line, _order_data(order) | {"why": reason},
                 severity=Severity.WARNING)


def position_changed(change: PositionChange, market: Instrument, ts_ms: int) -> Event:
    """Return the event of a position opened, changed or closed (a liquidation is critical)."""
    p = change.position
    what = f"{p.side} {amount_text(p.amount, market.amount_step)} {p.symbol}"
    entry = price_text(p.entry_price, market.price_tick)
    if change.kind is ChangeKind.OPENED:
        line = f"Opened {what} at {entry}" + (f" ({p.leverage}x)" if p.leverage > 1 else "")
    elif change.kind is ChangeKind.UPDATED:
        line = f"Position now {what} at {entry} average"
    elif change.reason == "liquidation":
        line = f"LIQUIDATED {what}: margin of {_money(-change.realized_pnl)} lost"
    else:
        net = p.realized_pnl - p.fees_paid - p.funding_paid
        line = f"Closed {what}: realised PnL {_money(p.realized_pnl)}, net of fees and funding {_money(net)}"
    data = to_plain(p) | {"realized_now": str(change.realized_pnl), "why": change.reason}
    severity = Severity.CRITICAL if change.reason == "liquidation" else Severity.INFO
    return Event(_POSITION_KINDS[change.kind], ts_ms, line, data, severity=severity)


def funding_applied(change: PositionChange, payment: Decimal, rate: Decimal, ts_ms: int) -> Event:
    """Return the audit event of a funding payment (positive: paid, negative: received)."""
    p = change.position
    verb = "paid" if payment >= 0 else "received"
    line = f"Funding on {p.side} {p.symbol} at rate {_num(rate)}: {verb} {_money(abs(payment))}"
    data = to_plain(p) | {"funding_payment": str(payment), "funding_rate": str(rate)}
    return Event(EventKind.POSITION_UPDATED, ts_ms, line, data, notify=False)
