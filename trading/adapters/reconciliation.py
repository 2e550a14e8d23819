"""Start-up reconciliation: what the bot remembers against what the exchange holds, before it trades.

Placements of unknown outcome are looked up; orders followed before the restart are brought up to date
(fills that came meanwhile reach the book); open orders carrying the bot's client-id prefix are adopted,
others are flagged and left alone; positions and balances are compared with the book (futures positions
adopted, resized or closed to match the exchange; spot holdings beyond the book flagged); stops and
targets are re-armed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trading.adapters.closing_trades import closing_exit
from trading.domain.instruments import price_text
from trading.domain.money import booked, booked_price
from trading.domain.orders import Order, closed_how
from trading.domain.positions import Position
from trading.engine import execution_events as events
from trading.engine.account import PositionChange

if TYPE_CHECKING:
    from trading.adapters.ccxt_broker import CcxtBroker

ZERO = Decimal(0)
ADOPTED = "adopted from the exchange at start-up"
GONE = "no longer on the exchange (closed while the bot was not watching)"
RESIZED = "resized to what the exchange holds"


@dataclass(frozen=True, slots=True)
class PositionDrift:
    """How the book's positions were brought in line with the exchange."""

    adopted: tuple[Position, ...] = ()
    closed: tuple[Position, ...] = ()
    resized: tuple[Position, ...] = ()
    untracked: dict[str, Decimal] = field(default_factory=dict)    # spot coins held beyond the book


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """What start-up found and did, for the chat."""

    ts_ms: int
    market_type: str
    adopted_orders: tuple[Order, ...] = ()      # the bot's open orders found on the exchange and followed again
    unknown_orders: tuple[Order, ...] = ()      # open orders placed outside the bot: left alone
    finished_orders: tuple[Order, ...] = ()     # followed orders that ended while the bot was away
    unsent: tuple[str, ...] = ()                # client ids journaled but never received by the exchange
    positions: PositionDrift = PositionDrift()
    protections: tuple[str, ...] = ()           # stops and targets re-armed (or that could not be)
    balances: dict[str, Decimal] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Return True when the exchange held nothing the bot did not expect."""
        p = self.positions
        return not (self.unknown_orders or p.adopted or p.closed or p.resized or p.untracked or self.warnings)

    def lines(self) -> list[str]:
        """Return the report as short human lines."""
        p, out = self.positions, [f"Live {self.market_type} account reconciled."]
        out += [f"Adopted order {o.id} ({o.side} {o.amount.normalize():f} {o.symbol})" for o in self.adopted_orders]
        out += [f"Order {o.id} ({o.side} {o.symbol}) ended while away: {o.status}" for o in self.finished_orders]
        out += [f"Order {cid} never reached the exchange" for cid in self.unsent]
        out += [f"Not the bot's, left alone: order {o.id} ({o.side} {o.amount.normalize():f} {o.symbol})"
                for o in self.unknown_orders]
        out += [f"Adopted position {x.side} {x.amount.normalize():f} {x.symbol} at {price_text(x.entry_price)}"
                for x in p.adopted]
        out += [f"Position {x.side} {x.symbol} is gone from the exchange" for x in p.closed]
        out += [f"Position {x.symbol} resized to {x.amount.normalize():f}" for x in p.resized]
        out += [f"Held outside the bot: {a.normalize():f} {asset}" for asset, a in p.untracked.items()]
        return out + list(self.protections) + [f"Warning: {w}" for w in self.warnings]


async def reconcile(broker: "CcxtBroker", warnings: tuple[str, ...] = ()) -> ReconciliationReport:
    """Bring the broker's memory in line with the exchange and report it (the caller holds the lock)."""
    found, unsent = await broker.resolve_journal()
    finished = await broker.refresh_working()
    adopted, unknown = list(found), []
    followed = {o.id for o in broker.orders.working()}
    for order in await broker.account.open_orders():
        if order.id in followed or order.symbol not in broker.instruments:
            continue
        if broker.is_ours(order.client_order_id):
            adopted.append(broker.orders.absorb(order, reason=ADOPTED))
        else:
            unknown.append(order)
    drift = await reconcile_positions(broker)
    protections = await broker.protection.supervise()
    balances = await broker.balances()
    if broker.starting_balance <= 0:
        broker.starting_balance = broker.equity()
    return ReconciliationReport(broker.now_ms(), broker.kind, tuple(adopted), tuple(unknown), tuple(finished),
                                tuple(unsent), drift, tuple(protections), balances, warnings)


class DriftWatch:
    """While orders are live a fill can land between two calls, so a difference between the book and the
    exchange is acted on only when the same difference is seen on two looks in a row."""

    def __init__(self) -> None:
        self._seen: frozenset[tuple[str, Any]] = frozenset()

    def confirmed(self, observed: dict[str, Any]) -> set[str]:
        """Return the symbols whose difference was observed the same way last time too."""
        agreed = {symbol for symbol, seen in observed.items() if (symbol, seen) in self._seen}
        self._seen = frozenset(observed.items())
        return agreed


async def reconcile_positions(broker: "CcxtBroker", watch: DriftWatch | None = None) -> PositionDrift:
    """Match the book to the exchange's positions (futures) or balances (spot); emit what changed.

    With a watch (the periodic look) a difference must be seen twice in a row; without one (start-up,
    nothing in flight) it is acted on at once.
    """
    if broker.futures:
        return await _futures_positions(broker, watch)
    return await _spot_holdings(broker, watch)


async def _futures_positions(broker: "CcxtBroker", watch: DriftWatch | None) -> PositionDrift:
    held = {p.symbol: p for p in await broker.account.positions() if p.symbol in broker.instruments}
    observed = {}
    for symbol in sorted(set(held) | {p.symbol for p in broker.book.all()}):
        ours, theirs = broker.book.get(symbol), held.get(symbol)
        seen = (_signed(ours), _signed(theirs))
        if seen[0] != seen[1]:
            observed[symbol] = seen
        elif theirs is not None:
            broker.note_leverage(symbol, theirs.leverage)
            broker.book.update(symbol, liquidation_price=theirs.liquidation_price)
    changes: list[PositionChange] = []
    adopted, closed, resized = [], [], []
    for symbol in sorted(observed if watch is None else watch.confirmed(observed)):
        ours, theirs = broker.book.get(symbol), held.get(symbol)
        if ours is not None and (theirs is None or ours.side is not theirs.side):
            changes.append(await _gone(broker, symbol, theirs.amount if theirs is not None else ZERO))
            closed.append(ours)
            ours = None
        if theirs is None:
            continue
        broker.note_leverage(symbol, theirs.leverage)
        if ours is None:
            entry = booked_price(theirs.entry_price)
            position = Position(symbol, theirs.side, theirs.amount, entry, broker.now_ms(),
                                theirs.leverage, booked(theirs.amount * entry / theirs.leverage),
                                liquidation_price=theirs.liquidation_price)
            changes.append(broker.book.adopt(position, ADOPTED))
            adopted.append(position)
        else:
            changes.append(await _resized(broker, symbol, theirs.amount))
            resized.append(broker.book.update(symbol, liquidation_price=theirs.liquidation_price))
    _announce(broker, changes)
    return PositionDrift(tuple(adopted), tuple(closed), tuple(resized))


async def _spot_holdings(broker: "CcxtBroker", watch: DriftWatch | None) -> PositionDrift:
    balances = await broker.balances()
    observed = {}
    for position in broker.book.all():
        instrument = broker.instrument(position.symbol)
        held = instrument.round_amount(balances.get(instrument.base, ZERO))
        if held < position.amount:       # fees taken in the coin, or coins sold outside the bot
            observed[position.symbol] = (position.amount, held)
    changes: list[PositionChange] = []
    closed, resized = [], []
    for symbol in sorted(observed if watch is None else watch.confirmed(observed)):
        instrument, (_, held) = broker.instrument(symbol), observed[symbol]
        if held < max(instrument.min_amount, instrument.amount_step):
            closed += [gone] if (gone := broker.book.get(symbol)) is not None else []
            changes.append(await _gone(broker, symbol))
        else:
            changes.append(await _resized(broker, symbol, held))
            resized.append(changes[-1].position)
    _announce(broker, changes)
    return PositionDrift((), tuple(closed), tuple(resized), _untracked(broker, balances))


async def _gone(broker: "CcxtBroker", symbol: str, opposite: Decimal = ZERO) -> PositionChange:
    """Close the book's position at the fills found for it on the exchange, or realising nothing when none
    are found; the exit is kept for the engine either way (a found result, or an unknown one)."""
    position = broker.book.get(symbol)
    assert position is not None
    exit_order = await closing_exit(broker.account, position, broker.instrument(symbol), broker.now_ms(),
                                    opposite=opposite)     # what a reversal opened on the other side
    broker.closed_outside[symbol] = exit_order
    if exit_order.filled > 0:
        return broker.book.close_outside(symbol, exit_order, f"{GONE}: {closed_how(exit_order)}, {exit_order.reason}")
    return broker.book.forget(symbol, f"{GONE}; result unknown: {exit_order.reason}")


async def _resized(broker: "CcxtBroker", symbol: str, amount: Decimal) -> PositionChange:
    """Bring the book's position to amount; a part sold outside the bot is realised at its trades if found."""
    position = broker.book.get(symbol)
    assert position is not None
    if amount < position.amount:
        part = replace(position, amount=position.amount - amount)
        exit_order = await closing_exit(broker.account, part, broker.instrument(symbol), broker.now_ms())
        if exit_order.filled > 0:
            return broker.book.close_outside(symbol, exit_order, f"{RESIZED}: {exit_order.reason} outside the bot")
    return broker.book.resize(symbol, amount, RESIZED)


def _untracked(broker: "CcxtBroker", balances: dict[str, Decimal]) -> dict[str, Decimal]:
    in_book = {broker.instrument(p.symbol).base: p.amount for p in broker.book.all()}
    untracked = {}
    for asset, amount in balances.items():
        extra = amount - in_book.get(asset, ZERO)
        steps = [i.amount_step for i in broker.instruments.values() if i.base == asset]
        if asset != broker.options.quote and steps and extra >= min(steps):     # dust is not worth a line
            untracked[asset] = extra
    return untracked


def _signed(position: Any) -> Decimal:
    return ZERO if position is None else position.amount * position.side.sign


def _announce(broker: "CcxtBroker", changes: list[PositionChange]) -> None:
    for change in changes:
        broker.emit(events.position_changed(change, broker.instrument(change.position.symbol), broker.now_ms()))
