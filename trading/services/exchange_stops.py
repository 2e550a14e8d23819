"""The stop and target of each live USDT-M futures position, kept on the exchange as well as in the bot.

The engine's guard decides the levels: the plan's stop (else the hard stop the bot would use), moved by
break-even and the trailing stop, and the plan's target. After every step of the trading loop the exchange's
reduce-only STOP_MARKET / TAKE_PROFIT_MARKET pair is made to match (LiveVenue.protect), so a position stays
protected while the bot is down (crash, restart, reboot, lost network). The stop on the exchange only ever
tightens. The legs of a closed position are cancelled by the venue's tracking (one cancels the other).
Spot positions keep their stops in the bot only: a stop and a target would each lock the same coins.

A trailing stop tightens on almost every tick, and each replacement is two requests (the new leg, then the
old one cancelled): replacing on every tick would spend the rate limit and risk a ban. So a stop that only
tightened is replaced when the move is worth it (at least MIN_STEP_TICKS ticks and STEP_SHARE of the position's
1R, each replacement locking in a tenth of the initial risk more) and the position's last placement is at least
replace_ms old (EXCHANGE_STOP_REPLACE_S). Two moves go out at once: one that reaches break-even (the trade can no
longer lose), and any move while the price is within NEAR_SHARE of 1R of the new stop (likely hit before the
next replacement). Between replacements the bot's own stop still acts on every tick, so the position is never
less protected than by the older, looser stop the exchange holds. A new position, a changed target or a leg
gone is placed at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from trading.domain.errors import RetryableError, TradingError
from trading.domain.events import Event, EventKind, Severity
from trading.domain.positions import Position
from trading.engine.engine_state import GuardedPosition
from trading.engine.trading_engine import TradingEngine
from trading.logs import get_logger
from trading.risk.protective_stops import break_even_price
from trading.services.event_bus import EventBus
from trading.services.guard_levels import guard_levels

if TYPE_CHECKING:   # the live venue pulls in ccxt: only a live process imports it
    from trading.adapters.protective_orders import Protection
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)
RETRY_MS = 30_000          # a placement that failed for want of an answer is tried again after this long
REPLACE_MS = 30_000        # a stop that only tightened is replaced at most this often per position
MIN_STEP_TICKS = 5         # ... by at least this many ticks (unless it reaches break-even)
STEP_SHARE = Decimal("0.1")    # ... and by at least this share of 1R (unless the price is near the stop)
NEAR_SHARE = Decimal("0.25")   # the price within this share of 1R of the new stop: replaced at once
Levels = tuple[Decimal | None, Decimal | None]


@dataclass(frozen=True, slots=True)
class _Failure:
    levels: Levels
    opened_ms: int         # of the position refused: a later one in the symbol is tried afresh
    at_ms: int
    refused: bool          # the exchange (or the broker's check) said no: not tried again for the same levels


class ExchangeStops:
    """Arms, replaces and releases the exchange-side stop and target of the engine's live futures positions."""

    def __init__(self, venue: "LiveVenue", engine: TradingEngine, events: EventBus, replace_ms: int = REPLACE_MS
                 ) -> None:
        self._venue, self._engine, self._events = venue, engine, events
        self._replace_ms = replace_ms
        self._failed: dict[str, _Failure] = {}
        self._placed_ms: dict[tuple[str, int], int] = {}   # (symbol, position opened) -> its last placement

    async def follow(self, now: int) -> None:
        """Make the exchange's legs match the guards: arm new positions, replace moved stops, release closed ones."""
        book = self._venue.broker.book
        for symbol, guard in list(self._engine.state.positions.items()):
            position = book.get(symbol)
            if position is None or guard.exit_in_flight:
                continue           # closing: the exit is on its way, its legs go with the position
            wanted = self._wanted(guard, position)
            if wanted is not None and not self._waiting(position, wanted, now) and self._due(guard, position, wanted,
                                                                                           now):
                await self._arm(position, wanted, now)
        held = {(p.symbol, p.opened_ms) for p in book.all()}
        self._placed_ms = {key: at for key, at in self._placed_ms.items() if key in held}
        protection = self._venue.broker.protection      # no protection got: its position closed (maybe reopened)
        if any(protection.get(symbol) is None for symbol in protection.symbols()):
            try:
                await self._venue.track()      # one cancels the other: the legs of a closed position go
            except TradingError as exc:
                log.warning("legs of a closed position not cancelled yet", error=str(exc))

    def _wanted(self, guard: GuardedPosition, position: Position) -> Levels | None:
        """Return the stop and target the exchange should hold, on its tick; None when it holds them already."""
        broker = self._venue.broker
        levels = guard_levels(guard, self._engine.settings.protection_for(guard.strategy),
                              broker.instrument(position.symbol).price_tick)
        stop, target = levels.stop, levels.target
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

    def _due(self, guard: GuardedPosition, position: Position, wanted: Levels, now: int) -> bool:
        """Return True when wanted should go out now; a stop that only tightened waits for a worthwhile move."""
        placed = self._venue.broker.protection.get(position.symbol)
        stop = wanted[0]
        if placed is None or placed.stop_price is None or stop is None or stop == placed.stop_price \
                or wanted[1] != placed.take_profit or not self._working(placed):
            return True            # a first placement, a new target, a leg gone: no trail to throttle
        sign, was = position.side.sign, placed.stop_price
        break_even = break_even_price(guard.stops)
        if sign * (stop - break_even) >= 0 > sign * (was - break_even):
            return True            # the trade can no longer lose: worth two requests at once
        move = sign * (stop - was)
        if move < MIN_STEP_TICKS * self._venue.broker.instrument(position.symbol).price_tick:
            return False
        mark = self._venue.broker.mark(position.symbol)
        # 1R, or without one (no stop rule but a trail in percent) the price's distance to the stop in place
        scale = guard.stops.risk_per_unit or (abs(mark - was) if mark is not None else Decimal(0))
        if mark is not None and sign * (mark - stop) <= NEAR_SHARE * scale:
            return True            # the price is close to the new stop: it may be hit before the next replacement
        last = self._placed_ms.get((position.symbol, position.opened_ms))
        return move >= STEP_SHARE * scale and (last is None or now - last >= self._replace_ms)

    def _waiting(self, position: Position, wanted: Levels, now: int) -> bool:
        failure = self._failed.get(position.symbol)
        if failure is None or (failure.levels, failure.opened_ms) != (wanted, position.opened_ms):
            return False
        return failure.refused or now - failure.at_ms < RETRY_MS

    async def _arm(self, position: Position, wanted: Levels, now: int) -> None:
        symbol, (stop, target) = position.symbol, wanted
        try:
            await self._venue.protect(symbol, stop, target)
        except RetryableError as exc:
            self._failed[symbol] = _Failure(wanted, position.opened_ms, now, refused=False)
            log.warning("exchange stop not placed, trying again", symbol=symbol, error=str(exc))
            return
        except TradingError as exc:
            self._failed[symbol] = _Failure(wanted, position.opened_ms, now, refused=True)
            await self._events.emit(_refused(symbol, stop, target, exc, now))
            return
        self._failed.pop(symbol, None)
        self._placed_ms[(symbol, position.opened_ms)] = now


async def withdraw_exchange_stops(venue: "LiveVenue") -> str | None:
    """Cancel the stops and targets an earlier run left on the exchange (EXCHANGE_STOPS=off); return what to tell."""
    async with venue.broker.lock:
        symbols = await venue.broker.protection.release_all()
        await venue.broker.checkpoint()
    if not symbols:
        return None
    return (f"Exchange stops are off (EXCHANGE_STOPS=off): the stops and targets left on the exchange for "
            f"{', '.join(symbols)} were cancelled; the bot's own stops guard the positions while it runs.")


def _refused(symbol: str, stop: Decimal | None, target: Decimal | None, error: TradingError, now: int) -> Event:
    # the levels are on the tick with its decimals (round_price_toward): shown as they are, with separators
    levels = ", ".join(f"{what} {level:,f}" for what, level in (("stop", stop), ("target", target))
                       if level is not None)
    message = (f"Exchange stop not placed for {symbol} ({levels}): {str(error).rstrip('.')}. While the bot runs "
               f"its own stop keeps guarding the position; a stop already crossed closes it at the next price.")
    return Event(EventKind.ERROR, now, message, {"symbol": symbol, "stop": str(stop), "target": str(target)},
                 severity=Severity.WARNING)
