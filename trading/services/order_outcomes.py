"""Orders whose answer never came: looked up by their client id before anyone is told they failed.

A timeout after a placement's retries does not mean the exchange has no order: the request may have reached it
and only the answer been lost. Telling the user "nothing changed" then makes them place it twice. So the order
is looked up by its client id: found, it stands; answered "none", nothing changed; the look-up failing too, the
outcome is unknown and the user is told so (the live broker keeps the placement journaled and finds it by its
client id at its next reconciliation).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from trading.domain.errors import TradingError
from trading.domain.orders import Order
from trading.logs import get_logger
from trading.ports import Broker

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Unanswered:
    """An order whose outcome is unknown: looking it up by its client id failed (why: for the log only)."""

    client_order_id: str
    symbol: str
    why: str = field(default="", compare=False)


class TicketInterrupted(TradingError):
    """A ticket stopped at one of its legs after others went out (placed: those, which stand)."""

    def __init__(self, message: str, placed: tuple[Order, ...] = (), unknown: bool = False) -> None:
        super().__init__(message)
        self.placed = placed
        self.unknown = unknown       # the leg it stopped at may have reached the exchange

    @property
    def record(self) -> str:
        """Return what an approval records of it."""
        return ("outcome unknown: " if self.unknown else "partly placed: ") + ", ".join(
            [f"{o.id} {o.status}" for o in self.placed] + [str(self)])


class OrderOutcomeUnknown(TicketInterrupted):
    """An order went out and neither its answer nor a look-up by its client id says whether the exchange took it."""

    def __init__(self, message: str, placed: tuple[Order, ...] = ()) -> None:
        super().__init__(message, placed, unknown=True)


def interrupted(error: TradingError, placed: list[Order], unsent: int) -> TicketInterrupted:
    """Return error as the interruption of a ticket whose placed orders went out and whose unsent legs did not."""
    rest = f" The {unsent} order(s) after it were not sent." if unsent else ""
    if isinstance(error, OrderOutcomeUnknown):
        return OrderOutcomeUnknown(f"{error}{rest}", tuple(placed))
    return TicketInterrupted(f"The orders above went out; the next one did not: {error}{rest}", tuple(placed))


async def look_up(broker: Broker, client_order_id: str, symbol: str) -> Order | Unanswered | None:
    """Return the broker's order with this client id: None only when the exchange says it has none, Unanswered
    when it cannot be asked (the one look-up by client id of the loop, the gate's pass and the chat's orders)."""
    try:
        return await broker.find_by_client_id(client_order_id, symbol)
    except TradingError as exc:
        return Unanswered(client_order_id, symbol, str(exc))


async def found_after(broker: Broker, client_order_id: str, symbol: str, error: TradingError) -> Order | None:
    """Return the order the exchange holds under client_order_id after error left its placement unanswered.

    None: the exchange answered that it has none, so nothing changed. Raise OrderOutcomeUnknown when the
    look-up fails too.
    """
    found = await look_up(broker, client_order_id, symbol)
    if not isinstance(found, Unanswered):
        return found
    # the chat gets no error text: an exchange's carries the signed request URL
    log.warning("order of unknown outcome: no answer, and its look-up failed", client_order_id=client_order_id,
                symbol=symbol, error=str(error), lookup_error=found.why)
    raise OrderOutcomeUnknown(unknown_text(symbol, client_order_id))


def unknown_text(symbol: str, client_order_id: str) -> str:
    """Return what the user is told of an order whose outcome is unknown."""
    return (f"The {symbol} order MAY have reached the exchange: it did not answer, and looking the order up failed "
            f"too. The bot will find it by its client id {client_order_id} at its next reconciliation; check "
            f"/orders and /positions before placing it again.")
