"""The fills that closed a position outside the bot, found in the exchange's trade history.

A position the bot recorded can vanish while it was not watching: liquidated, closed by hand in the
exchange's app, or sold (spot coins). Its result must still reach the daily loss and the losing streak, so
the account's trades in the symbol since the position opened are read (ccxt fetch_my_trades) and the newest
trades on the closing side that add up to exactly its amount are taken as its exit: their average price,
their fees (in the quote, or in the coin at the fill's price) and, on futures, the exchange's realised PnL.
One futures order that closed it and went on to open the other side (a reversal) is cut where it closed it:
the rest opened a new position, which reconciliation adopts from the exchange's positions.
On futures the exit also says who sent it (the exchange's force orders: a liquidation or auto-deleveraging,
ccxt fetch_my_liquidations) and settles the funding booked on the position while the bot was away (ccxt
fetch_funding_history); when the funding cannot be read the exit says it is not included.
When no such set is found (the history no longer goes back that far, an error, a fee in a third asset),
the exit is returned with nothing filled and the reason: the result is unknown, never a made-up zero.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trading.adapters.ccxt_instruments import to_decimal
from trading.domain.errors import TradingError
from trading.domain.instruments import MarketKind, amount_text, price_text
from trading.domain.money import share
from trading.domain.orders import Order, OrderStatus, OrderType
from trading.domain.positions import Position, PositionSide

if TYPE_CHECKING:
    from trading.adapters.exchange_account import ExchangeAccount
    from trading.domain.instruments import Instrument

ZERO = Decimal(0)
OUTSIDE_PREFIX = "outside:"


async def closing_exit(account: "ExchangeAccount", position: Position, instrument: "Instrument",
                       now_ms: int) -> Order:
    """Return the position's exit as found on the exchange (filled), or unfilled with why it is unknown."""
    symbol = position.symbol
    try:
        raw = await account.call("fetch_my_trades", lambda: account.exchange.fetch_my_trades(
            symbol, position.opened_ms, 1000))
    except TradingError as exc:
        return _unknown(position, now_ms, f"the exchange's trade history could not be read ({exc})")
    side = position.side.entry_order_side.opposite
    trades = sorted((t for t in raw if t.get("side") == side.value and int(t.get("timestamp") or 0)
                     >= position.opened_ms), key=lambda t: int(t.get("timestamp") or 0))
    futures = instrument.kind is MarketKind.PERP
    taken = _closing_trades(trades, position.amount, futures)
    if isinstance(taken, str):
        return _unknown(position, now_ms, taken)
    found = _filled(position, taken, instrument, now_ms)
    if not futures or found.filled == 0:
        return found
    found = await _settled(account, position, found)
    opened = _opened(trades, taken)
    if opened == 0:
        return found
    other = PositionSide.SHORT if position.side is PositionSide.LONG else PositionSide.LONG
    return replace(found, reason=f"{found.reason}; the same order opened a {other} of "
                                 f"{amount_text(opened, instrument.amount_step)}, left for reconciliation to adopt")


def _closing_trades(trades: list[dict[str, Any]], wanted: Decimal, futures: bool) -> list[dict[str, Any]] | str:
    """Return the trades (oldest first) that closed wanted, or why none add up to it.

    The newest trades are the ones that closed it. When they add up to more and the excess lies within the
    newest order, that futures order reversed the position: it is cut where the position was flat.
    """
    taken, amount = [], ZERO
    for trade in reversed(trades):
        taken.append(trade)
        amount += _amount(trade)
        if amount >= wanted:
            break
    newest = sum((_amount(t) for t in taken if t.get("order") == taken[0].get("order")), ZERO) if taken else ZERO
    if amount != wanted and not (futures and wanted < amount and amount - wanted < newest):
        return (f"no trades on the exchange add up to its amount ({amount.normalize():f} of "
                f"{wanted.normalize():f} found)")
    closing, left = [], wanted
    for trade in reversed(taken):                 # oldest first: an order's first fills closed it
        part = min(left, _amount(trade))
        closing.append(trade if part == _amount(trade) else _cut(trade, part))
        left -= part
        if left == 0:
            break
    return closing


def _opened(trades: list[dict[str, Any]], closing: list[dict[str, Any]]) -> Decimal:
    """Return what the newest closing order filled beyond the position (its reversal), 0 when it only closed."""
    newest = closing[-1].get("order")
    return sum((_amount(t) for t in trades if t.get("order") == newest), ZERO) \
        - sum((_amount(t) for t in closing if t.get("order") == newest), ZERO)


def _cut(trade: dict[str, Any], part: Decimal) -> dict[str, Any]:
    """Return the share part of a trade: its amount, and its fee in proportion."""
    fee = dict(trade.get("fee") or {})
    if fee.get("cost") is not None:
        fee["cost"] = share(to_decimal(fee["cost"]) or ZERO, part, _amount(trade))
    return trade | {"amount": part, "fee": fee}


def _amount(trade: dict[str, Any]) -> Decimal:
    return to_decimal(trade.get("amount")) or ZERO


def _filled(position: Position, trades: list[dict[str, Any]], instrument: "Instrument", now_ms: int) -> Order:
    quote = sum((_amount(t) * (to_decimal(t.get("price")) or ZERO) for t in trades), ZERO)
    fee = ZERO
    for trade in trades:
        paid = _fee(trade, instrument)
        if paid is None:
            return _unknown(position, now_ms, f"a fee was paid in {((trade.get('fee') or {}).get('currency'))}, "
                                              "whose value in the quote is not known")
        fee += paid
    last = max(int(t.get("timestamp") or 0) for t in trades)
    ids = ",".join(sorted({str(t.get("order") or t.get("id")) for t in trades}))
    side = position.side.entry_order_side.opposite
    return Order(OUTSIDE_PREFIX + ids, "", position.symbol, side, OrderType.MARKET, position.amount,
                 OrderStatus.FILLED, last, filled=position.amount, avg_price=quote / position.amount, fee=fee,
                 reduce_only=True, updated_ms=last,
                 reason=f"{len(trades)} trade(s) on the exchange, fees {price_text(fee)}")


def _fee(trade: dict[str, Any], instrument: "Instrument") -> Decimal | None:
    """Return the trade's fee in the quote (a fee in the coin at the trade's price); None for another asset."""
    fee = trade.get("fee") or {}
    cost = to_decimal(fee.get("cost")) or ZERO
    if cost == 0 or fee.get("currency") in (None, instrument.quote):
        return abs(cost)
    if fee.get("currency") == instrument.base:
        return abs(cost) * (to_decimal(trade.get("price")) or ZERO)
    return None


async def _settled(account: "ExchangeAccount", position: Position, found: Order) -> Order:
    """Return a futures exit with who sent it (the exchange's force order, if it was one) and the funding."""
    orders = set(found.id.removeprefix(OUTSIDE_PREFIX).split(","))
    forced = await _force_order_id(account, position, found.updated_ms, orders)
    funding = await _funding_paid(account, position, found.updated_ms)
    if funding is None:
        return replace(found, client_order_id=forced,
                       reason=f"{found.reason}; funding not included: the exchange's funding history could not be read")
    extra = funding - position.funding_paid          # what the bot had not booked yet
    told = "" if funding == 0 else f", funding {'paid' if funding > 0 else 'received'} {price_text(abs(funding))}"
    return replace(found, client_order_id=forced, funding=extra, reason=found.reason + told)


async def _force_order_id(account: "ExchangeAccount", position: Position, until_ms: int, orders: set[str]) -> str:
    """Return the client id of the exchange's own order among orders (a liquidation or ADL), else ''."""
    for kind in ("LIQUIDATION", "ADL"):      # ccxt asks for liquidations only unless told the type
        params = {"until": until_ms, "autoCloseType": kind}
        try:
            rows = await account.call("fetch_my_liquidations", partial(
                account.exchange.fetch_my_liquidations, position.symbol, position.opened_ms, None, params))
        except TradingError:
            return ""                         # not told: named as closed outside the bot, which stays true
        for row in rows:
            info = row.get("info") or {}
            if str(info.get("orderId")) in orders:
                return str(info.get("clientOrderId") or "")
    return ""


async def _funding_paid(account: "ExchangeAccount", position: Position, until_ms: int) -> Decimal | None:
    """Return the funding the position paid (negative: received) from its opening to until_ms; None if unread."""
    try:
        rows = await account.call("fetch_funding_history", lambda: account.exchange.fetch_funding_history(
            position.symbol, position.opened_ms, 1000, {"until": until_ms}))
    except TradingError:
        return None
    # the exchange's own text of each amount (ccxt's parsed amount is a float)
    return -sum((to_decimal((r.get("info") or {}).get("income", r.get("amount"))) or ZERO for r in rows), ZERO)


def _unknown(position: Position, now_ms: int, why: str) -> Order:
    side = position.side.entry_order_side.opposite
    return Order(OUTSIDE_PREFIX + "unknown", "", position.symbol, side, OrderType.MARKET, position.amount,
                 OrderStatus.EXPIRED, now_ms, updated_ms=now_ms, reason=why)
