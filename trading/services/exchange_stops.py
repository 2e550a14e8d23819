"""The stop and target of each live USDT-M futures position, kept on the exchange as well as in the bot.

The engine's guard decides the levels: the plan's stop (else the hard stop the bot would use), moved by
break-even and the trailing stop, and the plan's target. After every step of the trading loop the exchange's
reduce-only STOP_MARKET / TAKE_PROFIT_MARKET pair is made to match (LiveVenue.protect), so a position stays
protected while the bot is down (crash, restart, reboot, lost network). The stop on the exchange only ever
tightens. The legs of a closed position are cancelled by the venue's tracking (one cancels the other).
Spot positions keep their stops in the bot only: a stop and a target would each lock the same coins.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from trading.domain.errors import RetryableError, TradingError
from trading.domain.events import Event, EventKind, Severity
from trading.domain.orders import Order
from trading.domain.positions import Position, PositionSide
from trading.engine.engine_state import GuardedPosition
from trading.engine.trading_engine import TradingEngine
from trading.logs import get_logger
from trading.risk.protective_stops import effective_stop
from trading.services.event_bus import EventBus

if TYPE_CHECKING:   # the live venue pulls in ccxt: only a live process imports it
    from trading.adapters.protective_orders import Protection
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)
RETRY_MS = 30_000          # a placement that failed for want of an answer is tried again after this long
Levels = tuple[Decimal | None, Decimal | None]


@dataclass(frozen=True, slots=True)
class _Failure:
    levels: Levels
    at_ms: int
    refused: bool          # the exchange (or the broker's check) said no: not tried again for the same levels


class ExchangeStops:
    """Arms, replaces and releases the exchange-side stop and target of the engine's live futures positions."""

    def __init__(self, venue: "LiveVenue", engine: TradingEngine, events: EventBus) -> None:
        self._venue, self._engine, self._events = venue, engine, events
        self._failed: dict[str, _Failure] = {}

    async def follow(self, now: int) -> None:
        """Make the exchange's legs match the guards: arm new positions, replace moved stops, release closed ones."""
        book = self._venue.broker.book
        for symbol, guard in list(self._engine.state.positions.items()):
            position = book.get(symbol)
            if position is None or guard.exit_in_flight:
                continue           # closing: the exit is on its way, its legs go with the position
            wanted = self._wanted(guard, position)
            if wanted is not None and not self._waiting(symbol, wanted, now):
                await self._arm(symbol, wanted, now)
        if any(book.get(symbol) is None for symbol in self._venue.broker.protection.symbols()):
            try:
                await self._venue.track()      # one cancels the other: the legs of a closed position go
            except TradingError as exc:
                log.warning("legs of a closed position not cancelled yet", error=str(exc))

    def fired(self, symbol: str) -> Order | None:
        """Return (once) the exchange leg that closed symbol's position: its fill is the trade's exit."""
        return self._venue.broker.protection.fired(symbol)

    def _wanted(self, guard: GuardedPosition, position: Position) -> Levels | None:
        """Return the stop and target the exchange should hold, on its tick; None when it holds them already."""
        broker = self._venue.broker
        instrument = broker.instrument(position.symbol)
        up = position.side is PositionSide.LONG
        in_force = effective_stop(guard.stops, self._engine.settings.protection_for(guard.strategy))
        stop = None if in_force is None else instrument.round_price_toward(in_force[0], up)
        target = guard.stops.take_profit
        target = None if target is None else instrument.round_price_toward(target, up)
        if stop is None and target is None:
            return None            # no stop rule at all (hard stop switched off, no plan): nothing to hold
        placed = broker.protection.get(position.symbol)
        if placed is None:
            return stop, target
        if placed.stop_price is not None and (stop is None or position.side.sign * (placed.stop_price - stop) > 0):
            stop = placed.stop_price         # never loosen the stop the exchange holds
        if (placed.stop_price, placed.take_profit) != (stop, target) or not self._working(placed):
            return stop, target
        return None

    def _working(self, placed: "Protection") -> bool:
        """Return True when every level placed has its leg still waiting on the exchange (as last seen)."""
        orders = self._venue.broker.orders
        legs = ((placed.stop_price, placed.stop_order_id), (placed.take_profit, placed.take_profit_order_id))
        return all(level is None or (bool(i) and (leg := orders.get(i)) is not None and not leg.status.is_final)
                   for level, i in legs)

    def _waiting(self, symbol: str, wanted: Levels, now: int) -> bool:
        failure = self._failed.get(symbol)
        if failure is None or failure.levels != wanted:
            return False
        return failure.refused or now - failure.at_ms < RETRY_MS

    async def _arm(self, symbol: str, wanted: Levels, now: int) -> None:
        stop, target = wanted
        try:
            await self._venue.protect(symbol, stop, target)
        except RetryableError as exc:
            self._failed[symbol] = _Failure(wanted, now, refused=False)
            log.warning("exchange stop not placed, trying again", symbol=symbol, error=str(exc))
            return
        except TradingError as exc:
            self._failed[symbol] = _Failure(wanted, now, refused=True)
            await self._events.emit(_refused(symbol, stop, target, exc, now))
            return
        self._failed.pop(symbol, None)


def _refused(symbol: str, stop: Decimal | None, target: Decimal | None, error: TradingError, now: int) -> Event:
    # the levels are on the tick with its decimals (round_price_toward): shown as they are, with separators
    levels = ", ".join(f"{what} {level:,f}" for what, level in (("stop", stop), ("target", target))
                       if level is not None)
    message = (f"Exchange stop not placed for {symbol} ({levels}): {str(error).rstrip('.')}. While the bot runs "
               f"its own stop keeps guarding the position; a stop already crossed closes it at the next price.")
    return Event(EventKind.ERROR, now, message, {"symbol": symbol, "stop": str(stop), "target": str(target)},
                 severity=Severity.WARNING)
