"""The legs of manual orders: what an entry, an exit, a /closeall or a /cancel sends, figured from now's prices.

An entry is sized where it fills and checked against the market's band and minimum; an exit is cut to the
amount step (never more than held) and refuses to strand an unsellable rest. Nothing is sent here.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from trading.domain.errors import BadSymbol, InvalidInput
from trading.domain.exit_parts import smallest_exit
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, Size, SizeKind, refuse_other_position
from trading.domain.order_ids import open_order
from trading.domain.orders import Side
from trading.domain.positions import Position, PositionSide
from trading.domain.symbols import resolve_symbol
from trading.ports import MarketData
from trading.services.entry_rules import check_limit_band, check_minimum, refuse_against
from trading.services.exit_sizes import DustHolding, exit_amount, exit_on_step, refuse_stranded_rest
from trading.services.paper_venue import PaperVenue
from trading.services.portfolio_views import amount_step, price_tick

if TYPE_CHECKING:     # the live venue loads ccxt: only a live run imports it
    from trading.services.live_venue import LiveVenue


class OrderLegs:
    """Figures the legs of manual orders from the account and the market's last prices."""

    def __init__(self, venue: PaperVenue | LiveVenue, market: MarketData) -> None:
        self.venue = venue
        self._market = market

    async def entry(self, order: ManualOrder) -> Leg:
        """Return the leg that opens or grows a position as order asks, sized where it fills."""
        if order.kind is OrderKind.SHORT and self.venue.market_type != "futures":
            raise InvalidInput("Shorting needs futures mode: set MARKET_TYPE=futures. In spot, /sell sells holdings.")
        symbol = await self._resolved(order.symbol)
        quote, limit = order.quote, order.limit
        if quote <= 0 or (limit is not None and limit <= 0):
            raise InvalidInput("Amounts and prices must be positive.")
        side = Side.BUY if order.kind is OrderKind.BUY else Side.SELL
        last = await self.mark(symbol)
        instrument = self.venue.broker.instrument(symbol)
        if limit is not None:
            check_limit_band(limit, last, instrument, self.venue.market_type == "futures", side is Side.BUY)
        marketable = limit is not None and (limit >= last if side is Side.BUY else limit <= last)
        # sized where it fills, so it takes the quote asked: a resting limit at its price, a marketable one (and a
        # market order) at the market (at its limit, a short limit 5% under the market took 5% more)
        expected = limit if limit is not None and not marketable else last
        spot_market_buy = limit is None and side is Side.BUY and self.venue.market_type == "spot"
        # the exchange checks its minimum at the limit price (under the market for a marketable sell limit)
        check_minimum(instrument, side, quote, limit if limit is not None else last, spot_market_buy, limit,
                      sized_at=expected)
        # on the step, as the exchange gets it: the card, the code prompt and the order show the same figure
        amount = instrument.round_amount(quote / expected)
        fee = (quote if spot_market_buy else amount * expected) * instrument.taker_fee
        held = await self.position(symbol)
        if held is not None and held.side.entry_order_side is not side:
            refuse_against(order.kind.value, held, instrument)
        return Leg(symbol, side, amount, expected, fee, quote_amount=quote if spot_market_buy else None,
                   limit=limit, price_tick=instrument.price_tick, amount_step=instrument.amount_step)

    async def close_all(self) -> tuple[list[Leg], list[str]]:
        """Return the legs closing every open position, and the dust holdings left (named)."""
        # a dust holding no order can sell is left and named: refusing it refused every other position too
        legs, dust = [], []
        for position in await self.venue.broker.positions():
            try:
                legs.append(await self._exit(position.symbol, position.side, Size(SizeKind.ALL), "/closeall"))
            except DustHolding as exc:
                dust.append(exc.left)
        if not legs:
            left = f" ({'; '.join(dust)})" if dust else ""
            raise InvalidInput(f"No open position to close{left}. /positions lists what is open.")
        return legs, dust

    async def exit_from(self, order: ManualOrder) -> Leg:
        """Return the leg of a /sell, /cover or /close."""
        symbol = await self._resolved(order.symbol)
        if order.kind is OrderKind.CLOSE:
            position = await self.position(symbol)
            refuse_other_position(order, symbol, position)
            if position is None:
                raise InvalidInput(f"No open position in {symbol}. /positions lists what is open.")
            return await self._exit(symbol, position.side, Size(SizeKind.ALL), "/close")
        side = PositionSide.LONG if order.kind is OrderKind.SELL else PositionSide.SHORT
        if side is PositionSide.SHORT and self.venue.market_type != "futures":
            raise InvalidInput("/cover is for shorts, which need futures mode (MARKET_TYPE=futures).")
        return await self._exit(symbol, side, order.size, f"/{order.kind.value}")

    async def _exit(self, symbol: str, side: PositionSide, size: Size, command: str) -> Leg:
        position = await self.position(symbol)
        if position is None or position.side is not side:
            raise InvalidInput(f"No {side} position in {symbol} for {command}. /positions lists what is open.")
        amount = exit_amount(position.amount, size, command, symbol.split("/")[0])
        last = await self.mark(symbol)
        instrument = (await self._market.instruments()).get(symbol)
        reduce_only = self.venue.market_type == "futures"
        if instrument is not None:        # on the step, as the exchange gets it (down: never more than held)
            smallest = smallest_exit(instrument, last)     # a futures exit is reduce-only: no minimum value
            amount = exit_on_step(instrument, amount, position.amount, smallest, command, last, reduce_only)
            if size.kind is not SizeKind.ALL:
                refuse_stranded_rest(instrument, amount, position.amount, smallest, command)
        fee = amount * last * (instrument.taker_fee if instrument is not None else Decimal(0))
        return Leg(symbol, side.entry_order_side.opposite, amount, last, fee,
                   reduce_only=reduce_only, price_tick=price_tick(instrument),
                   amount_step=amount_step(instrument))

    async def cancel(self, order_id: str) -> Leg:
        """Return the leg that cancels the open order order_id."""
        order = open_order(await self.venue.broker.open_orders(), order_id)
        instrument = (await self._market.instruments()).get(order.symbol)
        return Leg(order.symbol, order.side, order.remaining, order.price or Decimal(0), Decimal(0),
                   limit=order.price, cancel_id=order.id, price_tick=price_tick(instrument),
                   amount_step=amount_step(instrument))

    async def position(self, symbol: str) -> Position | None:
        """Return the open position in symbol, if any."""
        return next((p for p in await self.venue.broker.positions() if p.symbol == symbol), None)

    async def _resolved(self, text: str) -> str:
        try:
            return resolve_symbol(text, list(await self._market.instruments()))
        except BadSymbol as exc:
            raise InvalidInput(str(exc)) from None

    async def mark(self, symbol: str) -> Decimal:
        """Return the last price of symbol."""
        return (await self._market.ticker(symbol)).last

