"""The fills that closed a position outside the bot, found in the exchange's trade history.

A position the bot recorded can vanish while it was not watching: liquidated, closed by hand in the
exchange's app, or sold (spot coins). Its result must still reach the daily loss and the losing streak, so
the account's trades in the symbol since the position opened are read (ccxt fetch_my_trades) and the newest
trades on the closing side that add up to exactly its amount are taken as its exit: their average price,
their fees (in the quote, or in the coin at the fill's price) and, on futures, the exchange's realised PnL.
When no such set is found (the history no longer goes back that far, an error, a fee in a third asset),
the exit is returned with nothing filled and the reason: the result is unknown, never a made-up zero.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trading.adapters.ccxt_instruments import to_decimal
from trading.domain.errors import TradingError
from trading.domain.orders import Order, OrderStatus, OrderType
from trading.domain.positions import Position

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
    taken, amount = [], ZERO
    for trade in reversed(trades):           # the newest closing trades are the ones that closed it
        taken.append(trade)
        amount += to_decimal(trade.get("amount")) or ZERO
        if amount >= position.amount:
            break
    if amount != position.amount:
        return _unknown(position, now_ms, "no trades on the exchange add up to its amount "
                                          f"({amount.normalize():f} of {position.amount.normalize():f} found)")
    return _filled(position, taken, instrument, now_ms)


def _filled(position: Position, trades: list[dict[str, Any]], instrument: "Instrument", now_ms: int) -> Order:
    quote = sum(((to_decimal(t.get("amount")) or ZERO) * (to_decimal(t.get("price")) or ZERO) for t in trades), ZERO)
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
                 reduce_only=True, updated_ms=last, reason=f"{len(trades)} trade(s) on the exchange")


def _fee(trade: dict[str, Any], instrument: "Instrument") -> Decimal | None:
    """Return the trade's fee in the quote (a fee in the coin at the trade's price); None for another asset."""
    fee = trade.get("fee") or {}
    cost = to_decimal(fee.get("cost")) or ZERO
    if cost == 0 or fee.get("currency") in (None, instrument.quote):
        return abs(cost)
    if fee.get("currency") == instrument.base:
        return abs(cost) * (to_decimal(trade.get("price")) or ZERO)
    return None


def _unknown(position: Position, now_ms: int, why: str) -> Order:
    side = position.side.entry_order_side.opposite
    return Order(OUTSIDE_PREFIX + "unknown", "", position.symbol, side, OrderType.MARKET, position.amount,
                 OrderStatus.EXPIRED, now_ms, updated_ms=now_ms, reason=why)
