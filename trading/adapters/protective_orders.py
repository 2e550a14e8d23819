"""Stops and targets kept on the exchange for futures positions, one cancelling the other.

Binance USDT-M offers reduce-only STOP_MARKET and TAKE_PROFIT_MARKET orders but does not link them, so the
pair is an emulated OCO: whenever the position has closed (one leg filled, or any other exit) the other leg
is cancelled, and whenever a leg is missing, has ended, or no longer covers the position, the pair is
placed again. They protect the position while the bot is down; the engine's own stops still run. Spot
positions keep their stops in the bot only (a stop and a target would each lock the same coins).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from trading.adapters.ccxt_orders import derived_client_id
from trading.domain.errors import InvalidOrder, TradingError
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderIntent, OrderType
from trading.domain.positions import Position, PositionSide
from trading.engine import execution_events as events
from trading.engine.account import ChangeKind, PositionChange
from trading.engine.snapshots import from_plain, to_plain
from trading.logs import get_logger

if TYPE_CHECKING:
    from trading.adapters.ccxt_broker import CcxtBroker

log = get_logger(__name__)
STEM_PREFIX = "ta-p"        # the client ids of every position's legs start so
LEGS = (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET)


@dataclass(frozen=True, slots=True)
class Protection:
    """The stop and target of one position and the exchange orders that carry them."""

    symbol: str
    stem: str                          # client-id stem of this position's legs
    stop_price: Decimal | None
    take_profit: Decimal | None
    generation: int = 0
    stop_order_id: str = ""
    take_profit_order_id: str = ""

    @property
    def leg_ids(self) -> tuple[str, ...]:
        """Return the ids of the legs placed."""
        return tuple(i for i in (self.stop_order_id, self.take_profit_order_id) if i)


class ProtectiveOrders:
    """Arms, watches and re-arms the exchange-side stop and target of each futures position."""

    def __init__(self, broker: "CcxtBroker") -> None:
        self._broker = broker
        self._by_symbol: dict[str, Protection] = {}
        self._fired: dict[str, Order] = {}      # the leg that closed a position, until the loop asks (fired())
        self._told: set[str] = set()            # legs fired() has returned: each closes one position only

    def get(self, symbol: str) -> Protection | None:
        """Return the protection of symbol's position, if any (never that of an earlier position in symbol)."""
        protection = self._by_symbol.get(symbol)
        return None if protection is not None and self._outlived(protection) else protection

    def _outlived(self, protection: Protection) -> bool:
        """Return True when the position these legs protected has closed, whether or not another has opened since:
        each position's legs carry its own stem (symbol and opening time), so a stale leg is never taken as
        a later position's."""
        held = self._broker.book.get(protection.symbol)
        return held is None or protection.stem != _stem(held)

    async def arm(self, symbol: str, stop: Decimal | None, take_profit: Decimal | None) -> Protection:
        """Place (or replace) the stop and target of the open position in symbol (the caller holds the lock).

        The new legs go out before the old ones are cancelled, so a moved stop never leaves the position bare; a
        leg whose level and amount are unchanged stays. When a new leg is refused, those already sent are
        withdrawn and the legs in place stay.
        """
        broker = self._broker
        if not broker.futures:
            raise InvalidOrder("spot stops and targets are kept by the bot, not on the exchange")
        position = broker.book.get(symbol)
        if position is None:
            raise InvalidOrder(f"no open position in {symbol} to protect")
        stop, take_profit = _on_tick(broker.instrument(symbol), position, stop, take_profit)
        _refuse_past_price(position, stop, take_profit, broker.mark(symbol))
        old = self._by_symbol.get(symbol)
        if old is not None and self._outlived(old):       # closed and reopened since the last look: not this one's
            await self._release(old)
        old = self.get(symbol) or Protection(symbol, _stem(position), None, None)
        # the generation is spent before anything is sent: a leg placed just before a crash keeps its own client id
        old = self._by_symbol[symbol] = replace(old, generation=old.generation + 1)
        protection = replace(old, stop_price=stop, take_profit=take_profit, stop_order_id="", take_profit_order_id="")
        sent: list[str] = []
        try:
            for kind, level in ((OrderType.STOP_MARKET, stop), (OrderType.TAKE_PROFIT_MARKET, take_profit)):
                if level is None:
                    continue
                leg = self._unchanged(old, position, kind, level)
                if leg is None:
                    leg = await broker.submit(self._leg(protection, position, kind, level), announce=False)
                    sent.append(leg.id)
                protection = self._with_leg(protection, kind, leg)
        except TradingError:
            await self._cancel_ids(symbol, sent, "its pair could not be completed")
            await broker.checkpoint()
            raise
        self._by_symbol[symbol] = protection
        await self._cancel_legs(old, "replaced by a new stop and target", keep=protection.leg_ids)
        self._levels_changed(position, stop, take_profit)
        await broker.checkpoint()
        return protection

    def fired(self, symbol: str) -> Order | None:
        """Return (once) the stop or target leg that closed symbol's position, if one did.

        A leg whose protection was never saved (the bot killed between sending it and its checkpoint) is still
        followed by the broker, found by client id at the restart's reconciliation: the newest filled one is taken.
        """
        leg = self._fired.pop(symbol, None)
        if leg is None:
            leg = next((o for o in reversed(self._broker.orders.filled_legs(symbol)) if o.id not in self._told), None)
        if leg is not None:
            self._told.add(leg.id)
        return leg

    def symbols(self) -> list[str]:
        """Return the symbols whose stop and target the exchange holds (or held until the next supervise)."""
        return list(self._by_symbol)

    async def supervise(self) -> list[str]:
        """Cancel the legs of closed positions (OCO) and re-arm broken pairs; return what was done."""
        notes: list[str] = []
        for position in self._broker.book.all():     # levels known from the book (e.g. state rebuilt)
            if position.symbol not in self._by_symbol and (position.stop_price or position.take_profit):
                self._by_symbol[position.symbol] = Protection(position.symbol, _stem(position), position.stop_price,
                                                              position.take_profit)
        for symbol, protection in list(self._by_symbol.items()):
            held = self._broker.book.get(symbol)
            if held is None or self._outlived(protection):
                await self._release(protection)
                continue
            if not self._healthy(protection, held):
                try:
                    await self.arm(symbol, protection.stop_price, protection.take_profit)
                    notes.append(f"re-armed {symbol}: {_levels(protection)}")
                except TradingError as exc:
                    notes.append(f"could not re-arm {symbol} ({_levels(protection)}): {exc}")
                    log.warning("protective orders not re-armed", symbol=symbol, error=str(exc))
        await self._cancel_orphans()
        return notes

    async def release_all(self) -> list[str]:
        """Cancel every stop and target leg of ours and forget the levels (EXCHANGE_STOPS=off: the bot's own stops
        only); return the symbols whose legs went. The caller holds the lock."""
        symbols = set(self._by_symbol)
        for protection in list(self._by_symbol.values()):
            await self._release(protection)
        strays: dict[str, list[str]] = {}      # legs sent but never saved (found again by their client ids)
        for leg in self._broker.orders.working():
            if leg.reduce_only and leg.type in LEGS and leg.client_order_id.startswith(STEM_PREFIX):
                strays.setdefault(leg.symbol, []).append(leg.id)
        for symbol, order_ids in strays.items():
            await self._cancel_ids(symbol, order_ids, "exchange stops are off (EXCHANGE_STOPS=off)")
        for position in self._broker.book.all():     # levels in the book would be armed again by supervise()
            if position.stop_price is not None or position.take_profit is not None:
                self._broker.book.update(position.symbol, stop_price=None, take_profit=None)
        return sorted(symbols | set(strays))

    async def _release(self, protection: Protection) -> None:
        """Forget the protection of a closed position: note the leg that filled (its exit), cancel the others."""
        symbol = protection.symbol
        filled = [leg for i in protection.leg_ids if (leg := self._broker.orders.get(i)) and leg.filled > 0]
        if filled:
            self._fired[symbol] = filled[-1]
        await self._cancel_legs(protection, "the position has closed (one cancels the other)")
        del self._by_symbol[symbol]

    async def _cancel_orphans(self) -> None:
        """Cancel our legs still working where no position is left and no protection is known (the bot killed
        before it saved them): a stale reduce-only leg would otherwise close a later position in that market."""
        orphans: dict[str, list[str]] = {}
        for leg in self._broker.orders.working():
            if leg.reduce_only and leg.type in LEGS and \
                    leg.symbol not in self._by_symbol and self._broker.book.get(leg.symbol) is None:
                orphans.setdefault(leg.symbol, []).append(leg.id)
        for symbol, order_ids in orphans.items():
            await self._cancel_ids(symbol, order_ids, "the position has closed (one cancels the other)")

    def _healthy(self, protection: Protection, position: Position) -> bool:
        wanted = [(protection.stop_price, protection.stop_order_id),
                  (protection.take_profit, protection.take_profit_order_id)]
        for level, order_id in wanted:
            if level is None:
                continue
            leg = self._broker.orders.get(order_id) if order_id else None
            if leg is None or leg.status.is_final or leg.amount < position.amount:
                return False
        return True

    async def _cancel_legs(self, protection: Protection, reason: str, keep: tuple[str, ...] = ()) -> None:
        # legs of this position sent but not recorded (a crash in between) are found by their client ids
        strays = [o.id for o in self._broker.orders.working(protection.symbol)
                  if o.client_order_id.startswith(protection.stem)]
        ids = [i for i in dict.fromkeys([*protection.leg_ids, *strays]) if i not in keep]
        await self._cancel_ids(protection.symbol, ids, reason)

    async def _cancel_ids(self, symbol: str, order_ids: Iterable[str], reason: str) -> None:
        for order_id in order_ids:
            leg = self._broker.orders.get(order_id)
            if leg is None or leg.status.is_final:
                continue
            try:
                await self._broker.withdraw(order_id, symbol, reason)
            except TradingError as exc:
                log.warning("protective order not cancelled", order_id=order_id, error=str(exc))

    def _unchanged(self, old: Protection, position: Position, kind: OrderType, level: Decimal) -> Order | None:
        """Return the leg in place when it already holds this level for the whole position (a trailing stop's
        move leaves the target alone)."""
        stop = kind is OrderType.STOP_MARKET
        order_id, placed = (old.stop_order_id, old.stop_price) if stop else (old.take_profit_order_id, old.take_profit)
        leg = self._broker.orders.get(order_id) if order_id else None
        if leg is None or leg.status.is_final or placed != level or leg.amount != position.amount:
            return None
        return leg

    def _leg(self, protection: Protection, position: Position, kind: OrderType, level: Decimal) -> OrderIntent:
        suffix = ("sl" if kind is OrderType.STOP_MARKET else "tp") + str(protection.generation)
        what = "stop" if kind is OrderType.STOP_MARKET else "take-profit"
        return OrderIntent(position.symbol, position.side.entry_order_side.opposite, kind, amount=position.amount,
                           stop_price=level, reduce_only=True,
                           client_order_id=derived_client_id(protection.stem, suffix),
                           reason=f"protective {what} of the {position.side} {position.symbol}")

    @staticmethod
    def _with_leg(protection: Protection, kind: OrderType, leg: Order) -> Protection:
        if kind is OrderType.STOP_MARKET:
            return replace(protection, stop_order_id=leg.id)
        return replace(protection, take_profit_order_id=leg.id)

    def _levels_changed(self, position: Position, stop: Decimal | None, take_profit: Decimal | None) -> None:
        if (position.stop_price, position.take_profit) == (stop, take_profit):
            return
        updated = self._broker.book.update(position.symbol, stop_price=stop, take_profit=take_profit)
        event = events.position_changed(PositionChange(ChangeKind.UPDATED, updated, reason="protection"),
                                        self._broker.instrument(position.symbol), self._broker.now_ms())
        self._broker.emit(replace(event, message=f"{position.symbol}: stop {stop}, target {take_profit} "
                                                 f"placed on the exchange", notify=False))

    def to_state(self) -> dict[str, Any]:
        """Return the protections as plain data."""
        return to_plain(self._by_symbol)

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the protections with those of a to_state() result."""
        self._by_symbol = from_plain(dict[str, Protection], dict(state))


def _on_tick(instrument: Instrument, position: Position, stop: Decimal | None, take_profit: Decimal | None
             ) -> tuple[Decimal | None, Decimal | None]:
    """Return the levels on the tick in the position's favour (a long's up, a short's down).

    A stop so rounded is never looser than asked (a break-even stop keeps its net of zero or more) and a
    target never nearer than asked.
    """
    up = position.side is PositionSide.LONG
    return tuple(None if level is None else instrument.round_price_toward(level, up)   # type: ignore[return-value]
                 for level in (stop, take_profit))


def _refuse_past_price(position: Position, stop: Decimal | None, take_profit: Decimal | None,
                       mark: Decimal | None) -> None:
    """Raise InvalidOrder, before any leg is touched, for a level at or past the price: it would trigger at once."""
    if mark is None:
        return            # no fresh price: the exchange itself refuses such a leg (-2021)
    sign = position.side.sign
    for what, level, behind in (("stop", stop, True), ("target", take_profit, False)):
        if level is not None and (sign * (level - mark) >= 0 if behind else sign * (mark - level) >= 0):
            raise InvalidOrder(f"the {what} {level} of the {position.side} {position.symbol} is at or past the price "
                               f"{mark}: on the exchange it would trigger at once. The legs in place were left as "
                               f"they are; the bot's own exits close the position on its next price check.")


def _stem(position: Position) -> str:
    # the same position always gives the same stem, so a leg journaled before a crash is found again
    digest = hashlib.sha256(f"{position.symbol}|{position.opened_ms}".encode()).hexdigest()[:16]
    return f"{STEM_PREFIX}{digest}"


def _levels(protection: Protection) -> str:
    return f"stop {protection.stop_price}, target {protection.take_profit}"
