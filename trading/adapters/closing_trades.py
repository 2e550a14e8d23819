"""The fills that closed a position outside the bot, found in the exchange's trade history.

A position the bot recorded can vanish while it was not watching: liquidated, closed by hand in the
exchange's app, or sold (spot coins). Its result must still reach the daily loss and the losing streak, so
the account's trades in the symbol since the position opened are read (ccxt fetch_my_trades) and the newest
trades on the closing side that add up to exactly its amount are taken as its exit: their average price,
their fees (in the quote, or in the coin at the fill's price) and, on futures, the exchange's realised PnL.
When the exchange now holds the other side (a futures reversal), the newest trades of that amount opened
it and the exit is the trades before them; an order that did both is cut where the position was flat (its
first fills closed it). The new position is reconciliation's to adopt from the exchange's positions. A trade
on the position's own side in the middle of its exit leaves the result unknown: the exit alone misses it.
On futures the exit also says who sent it (the exchange's force orders: a liquidation or auto-deleveraging,
ccxt fetch_my_liquidations; else the closing order's own client id, e.g. a delisting's settlement), adds a
liquidation's clearance fee and settles the funding booked on the position while the bot was away (ccxt
fetch_funding_history); when the funding cannot be read the exit says it is not included.
Calls the exchange does not offer (ccxt's `has`) are not sent: the exit is then named as closed outside the
bot, and its funding said not included.
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
from trading.domain.orders import EXCHANGE_CLOSES, LIQUIDATION_ID_PREFIX, Order, OrderStatus, OrderType
from trading.domain.positions import Position, PositionSide

if TYPE_CHECKING:
    from trading.adapters.exchange_account import ExchangeAccount
    from trading.domain.instruments import Instrument

ZERO = Decimal(0)
OUTSIDE_PREFIX = "outside:"
AUTO_CLOSE_TYPES = ("binance", "binanceusdm")      # ccxt ids whose force orders take Binance's autoCloseType
FUNDING_PAGE, FUNDING_PAGES = 1000, 10             # rows per funding-history call (Binance's most), calls at most
CLEARANCE_LAG_MS = 60_000            # a liquidation's clearance fee is booked with it; a minute's leeway
TRADE_PAGE, TRADE_WINDOWS, DAY_MS = 1000, 60, 86_400_000    # trades per call (Binance's most), calls at most


async def closing_exit(account: "ExchangeAccount", position: Position, instrument: "Instrument",
                       now_ms: int, *, opposite: Decimal = ZERO) -> Order:
    """Return the position's exit as found on the exchange (filled), or unfilled with why it is unknown.

    opposite is what the exchange holds now on the position's other side (a futures reversal opened it).
    """
    futures = instrument.kind is MarketKind.PERP
    side = position.side.entry_order_side.opposite
    try:
        raw = await _recent_trades(account, position, now_ms, futures, position.amount + opposite)
    except TradingError as exc:
        return _unknown(position, now_ms, f"the exchange's trade history could not be read ({exc})")
    if isinstance(raw, str):
        return _unknown(position, now_ms, raw)
    ordered = sorted((t for t in raw if int(t.get("timestamp") or 0) >= position.opened_ms),
                     key=lambda t: int(t.get("timestamp") or 0))
    trades = [t for t in ordered if t.get("side") == side.value]
    found_trades = _closing_trades(trades, position.amount, opposite if futures else ZERO)
    if isinstance(found_trades, str):
        return _unknown(position, now_ms, found_trades)
    taken, one_order = found_trades
    if _added_meanwhile(ordered, taken, side.value):
        return _unknown(position, now_ms, "the position was added to while it was being closed, so its exit "
                                          "trades alone do not give its result")
    found = _filled(position, taken, instrument, now_ms)
    if not futures or found.filled == 0:
        return found
    found = await _settled(account, position, found, str(taken[-1].get("order") or ""))
    if opposite == 0:
        return found
    other = PositionSide.SHORT if position.side is PositionSide.LONG else PositionSide.LONG
    opened = f"a {other} of {amount_text(opposite, instrument.amount_step)}"
    said = f"the same order opened {opened}" if one_order else f"then {opened} was opened"
    return replace(found, reason=f"{found.reason}; {said}, left for reconciliation to adopt")


async def _recent_trades(account: "ExchangeAccount", position: Position, now_ms: int, futures: bool,
                         enough: Decimal) -> list[dict[str, Any]] | str:
    """Return the account's trades in the symbol, read back from now_ms towards the position's opening until
    those on its closing side add up to enough; or why they could not all be read.

    Binance answers at most TRADE_PAGE trades over at most 7 days (futures) or 24 hours (spot) a call, and
    ccxt asks for the first 7 days from `since` alone: the newest trades, the exit, would be missed.
    """
    window, until = (7 if futures else 1) * DAY_MS, now_ms
    rows: list[dict[str, Any]] = []
    closing = position.side.entry_order_side.opposite.value
    for _ in range(TRADE_WINDOWS):
        since = max(position.opened_ms, until - window + 1)
        page = await account.call("fetch_my_trades", partial(
            account.exchange.fetch_my_trades, position.symbol, since, TRADE_PAGE, {"until": until}))
        if len(page) >= TRADE_PAGE:
            return f"more than {TRADE_PAGE:,} trades in {window // DAY_MS} day(s) of its history, too many to read"
        rows = list(page) + rows
        if since == position.opened_ms or sum((_amount(t) for t in rows if t.get("side") == closing),
                                              ZERO) >= enough:
            return rows
        until = since - 1
    return f"its exit was not found in the last {TRADE_WINDOWS} windows of its trade history read"


def _closing_trades(trades: list[dict[str, Any]], wanted: Decimal,
                    opposite: Decimal) -> tuple[list[dict[str, Any]], bool] | str:
    """Return the trades (oldest first) that closed wanted and whether the one order (of known id) that closed
    it last also opened all of opposite; or why no trades add up to it.

    The newest trades on the closing side are the ones that closed it, after the newest opposite of them,
    which opened what the exchange now holds on the other side. An order that reversed the position is so
    cut where the position was flat: its first fills closed it, its last ones opened the other side.
    """
    closing, aside, amount, openers = [], opposite, ZERO, set()
    for trade in reversed(trades):
        part = _amount(trade)
        if aside > 0:                        # opened the other side, wholly or (its first fills closing) in part
            openers.add(trade.get("order"))
            skipped = min(aside, part)
            aside, part = aside - skipped, part - skipped
            if part == 0:
                continue
            trade = _cut(trade, part)
        if amount + part > wanted:           # a trade cannot have closed this position only in part
            amount += part
            break
        closing.append(trade)
        amount += part
        if amount == wanted:
            return list(reversed(closing)), openers == {closing[0].get("order")} != {None}
    besides = f" besides the {opposite.normalize():f} the exchange holds on the other side" if opposite else ""
    return (f"no trades on the exchange add up to its amount ({amount.normalize():f} of "
            f"{wanted.normalize():f} found{besides})")


def _added_meanwhile(ordered: list[dict[str, Any]], closing: list[dict[str, Any]], side: str) -> bool:
    """Return True when a trade on the position's own side fell between the first and last of its exit."""
    first, last = int(closing[0].get("timestamp") or 0), int(closing[-1].get("timestamp") or 0)
    return any(t.get("side") != side and first < int(t.get("timestamp") or 0) < last for t in ordered)


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
    """Return the trade's fee in the quote (a fee in the coin at the trade's price); None for another asset.

    The sign is the exchange's: a maker rebate (a negative cost) lowers the fees.
    """
    fee = trade.get("fee") or {}
    cost = to_decimal(fee.get("cost")) or ZERO
    if cost == 0 or fee.get("currency") in (None, instrument.quote):
        return cost
    if fee.get("currency") == instrument.base:
        return cost * (to_decimal(trade.get("price")) or ZERO)
    return None


async def _settled(account: "ExchangeAccount", position: Position, found: Order, last_order: str) -> Order:
    """Return a futures exit with who sent it (the exchange's own order, if it was one), a liquidation's
    clearance fee and the funding."""
    orders = set(found.id.removeprefix(OUTSIDE_PREFIX).split(","))
    forced = (await _force_order_id(account, position, found.updated_ms, orders)
              or await _exchange_client_id(account, position.symbol, last_order))
    if forced.startswith(LIQUIDATION_ID_PREFIX):
        found = await _with_clearance(account, position, found)
    funding = await _funding_paid(account, position, found.updated_ms)
    if isinstance(funding, str):
        return replace(found, client_order_id=forced, reason=f"{found.reason}; funding not included: {funding}")
    extra = funding - position.funding_paid          # what the bot had not booked yet
    told = "" if funding == 0 else f", funding {'paid' if funding > 0 else 'received'} {price_text(abs(funding))}"
    return replace(found, client_order_id=forced, funding=extra, reason=found.reason + told)


async def _force_order_id(account: "ExchangeAccount", position: Position, until_ms: int, orders: set[str]) -> str:
    """Return the client id of the exchange's own order among orders (a liquidation or ADL), else ''."""
    exchange = account.exchange
    if not exchange.has.get("fetchMyLiquidations"):
        return ""                             # not offered: named as closed outside the bot, which stays true
    # Binance lists liquidations only unless told the type (autoCloseType); other exchanges know no such param
    kinds: tuple[dict[str, Any], ...] = ({"autoCloseType": "LIQUIDATION"}, {"autoCloseType": "ADL"}) \
        if exchange.id in AUTO_CLOSE_TYPES else ({},)
    for kind in kinds:
        params = {"until": until_ms} | kind
        try:
            rows = await account.call("fetch_my_liquidations", partial(
                exchange.fetch_my_liquidations, position.symbol, position.opened_ms, None, params))
        except TradingError:
            return ""                         # not told: named as closed outside the bot, which stays true
        for row in rows:
            info = row.get("info") or {}
            if str(info.get("orderId")) in orders:
                return str(info.get("clientOrderId") or "")
    return ""


async def _exchange_client_id(account: "ExchangeAccount", symbol: str, order_id: str) -> str:
    """Return the client id of the order that closed it last when the exchange sent it itself (a settlement of
    a delisted or delivered contract, say), else ''."""
    if not order_id or not account.exchange.has.get("fetchOrder"):
        return ""
    try:
        client_id = (await account.by_id(order_id, symbol)).client_order_id
    except TradingError:
        return ""                             # not told: named as closed outside the bot, which stays true
    return client_id if client_id.startswith(tuple(EXCHANGE_CLOSES)) else ""


async def _with_clearance(account: "ExchangeAccount", position: Position, found: Order) -> Order:
    """Return a liquidation's exit with the clearance fee the exchange charged for it (Binance's INSURANCE_CLEAR
    income) added to its fees; said not included when it cannot be read."""
    exchange = account.exchange
    if exchange.id not in AUTO_CLOSE_TYPES or not exchange.has.get("fetchFundingHistory"):
        return found                          # no such income elsewhere that ccxt reads
    params = {"until": found.updated_ms + CLEARANCE_LAG_MS, "incomeType": "INSURANCE_CLEAR"}
    try:
        rows = await account.call("fetch_funding_history", partial(
            exchange.fetch_funding_history, position.symbol, position.opened_ms, None, params))
    except TradingError:
        return replace(found, reason=f"{found.reason}; the liquidation's clearance fee could not be read")
    charged = -sum((to_decimal((r.get("info") or {}).get("income", r.get("amount"))) or ZERO for r in rows), ZERO)
    if charged == 0:
        return found
    return replace(found, fee=found.fee + charged, reason=f"{found.reason}, clearance fee {price_text(charged)}")


async def _funding_paid(account: "ExchangeAccount", position: Position, until_ms: int) -> Decimal | str:
    """Return the funding the position paid (negative: received) from its opening to until_ms, or why unread.

    The history comes in pages (FUNDING_PAGE rows, some 41 days of hourly funding): a full page is followed
    by the next one from just after its last row, at most FUNDING_PAGES times.
    """
    exchange = account.exchange
    if not exchange.has.get("fetchFundingHistory"):
        return f"{exchange.id} does not offer its funding history through ccxt"
    paid, since = ZERO, position.opened_ms
    for _ in range(FUNDING_PAGES):
        try:
            rows = await account.call("fetch_funding_history", partial(
                exchange.fetch_funding_history, position.symbol, since, FUNDING_PAGE, {"until": until_ms}))
        except TradingError:
            return "the exchange's funding history could not be read"
        # the exchange's own text of each amount (ccxt's parsed amount is a float)
        paid -= sum((to_decimal((r.get("info") or {}).get("income", r.get("amount"))) or ZERO for r in rows), ZERO)
        if len(rows) < FUNDING_PAGE:
            return paid
        since = max(int(r.get("timestamp") or 0) for r in rows) + 1
    return f"more than {FUNDING_PAGES * FUNDING_PAGE:,} funding payments since it opened, too many to read"


def _unknown(position: Position, now_ms: int, why: str) -> Order:
    side = position.side.entry_order_side.opposite
    return Order(OUTSIDE_PREFIX + "unknown", "", position.symbol, side, OrderType.MARKET, position.amount,
                 OrderStatus.EXPIRED, now_ms, updated_ms=now_ms, reason=why)
