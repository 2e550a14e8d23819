"""Protective exits of guarded positions: what the stop rules call for on a price, turned into reduce-only orders.

A close or a partial close becomes an ExitPlan at once (never waiting on anyone); a position entering the
soft-stop or take-profit zone becomes an AskDecision for the decision maker. While an exit order of a
position is on its way, no other exit is planned for it, so one breach never sends two orders.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from trading.domain.client_ids import exit_client_id
from trading.domain.exit_parts import exit_part
from trading.domain.frozen import changed, quick_init
from trading.domain.instruments import Instrument
from trading.domain.orders import OrderIntent, OrderType
from trading.domain.positions import Position
from trading.engine.engine_state import GuardedPosition
from trading.risk.protective_stops import (ExitAction, ExitInstruction, ExitReason, PriceRange,
                                           ProtectionSettings, Zone, evaluate_stops)

ONE = Decimal(1)
USER_EXITS_KEPT = 20        # a position's partial exits by the user remembered (each is told once, at its fill)
_ZONES = {ExitReason.SOFT_STOP_ZONE: Zone.SOFT_STOP, ExitReason.TAKE_PROFIT_ZONE: Zone.TAKE_PROFIT}


class ForcedExit(StrEnum):
    """Exits not fired by a price level."""

    KILL_SWITCH = "kill_switch"
    DAILY_LOSS = "daily_loss"
    DECISION = "decision"
    EXIT_SIGNAL = "exit_signal"      # the strategy's own rule closed it (the yardstick's cross back)


@quick_init
@dataclass(frozen=True, slots=True)
class ExitPlan:
    """A reduce-only market order to send now, and the rule behind it."""

    symbol: str
    intent: OrderIntent
    reason: str            # an ExitReason or a ForcedExit value
    message: str           # the human line for the exit notification
    price: Decimal         # the level that fired (the bar's open when price gapped past it), or the mark
    fraction: Decimal      # share of the position closed: 1 for a full exit


@quick_init
@dataclass(frozen=True, slots=True)
class AskDecision:
    """A position that has just entered a zone where the decision maker says exit or hold."""

    symbol: str
    zone: Zone
    price: Decimal
    message: str


def exits_for_bar(guard: GuardedPosition, bar: PriceRange, position: Position, settings: ProtectionSettings,
                  flatten: str | None = None, instrument: Instrument | None = None
                  ) -> tuple[GuardedPosition, list[ExitPlan | AskDecision]]:
    """Return the guard after a price observation and the exits it calls for (flatten: close at once, why).

    instrument: the market's minimums a partial exit keeps to (None: the step only).
    """
    guard = guard.seen(position)
    if guard.exit_in_flight:
        return guard, []
    if flatten is not None:
        return _planned(guard, ONE, ForcedExit.KILL_SWITCH, flatten, bar.close)
    stops, instructions = evaluate_stops(guard.stops, bar, settings)
    guard = changed(guard, stops=stops)
    out: list[ExitPlan | AskDecision] = []
    for instruction in instructions:
        if instruction.action is ExitAction.ASK:
            out.append(AskDecision(guard.symbol, _ZONES[instruction.reason], instruction.price,
                                   f"{guard.symbol} {guard.side}: {instruction.message}"))
            continue
        guard, plans = _from_instruction(guard, instruction, instrument)
        out.extend(plans)
    return guard, out


def exit_now(guard: GuardedPosition, position: Position, reason: str, message: str, price: Decimal,
             fraction: Decimal = ONE, instrument: Instrument | None = None) -> tuple[GuardedPosition, list[ExitPlan]]:
    """Return the guard and the market exit of fraction of the position (none while an exit is on its way)."""
    guard = guard.seen(position)
    if guard.exit_in_flight:
        return guard, []
    guard, plans = _planned(guard, fraction, reason, message, price, instrument)
    return guard, [p for p in plans if isinstance(p, ExitPlan)]


def exit_settled(guard: GuardedPosition) -> GuardedPosition:
    """Return the guard once its exit order is final (filled or not): later exits may be planned again."""
    done = guard.user_exits
    if guard.exit_by_user and guard.exit_in_flight:
        done = (*done, guard.exit_in_flight)[-USER_EXITS_KEPT:]
    return changed(guard, exit_in_flight="", exit_reason="", exit_by_user=False, user_exits=done)


def user_exit(guard: GuardedPosition, client_order_id: str, command: str) -> GuardedPosition:
    """Return the guard waiting for the user's own exit order (none while an exit of ours is on its way)."""
    if guard.exit_in_flight:
        return guard
    return changed(guard, exit_in_flight=client_order_id, exit_reason=f"closed by your {command}",
                   exit_by_user=True)


def _from_instruction(guard: GuardedPosition, instruction: ExitInstruction, instrument: Instrument | None
                      ) -> tuple[GuardedPosition, list[ExitPlan | AskDecision]]:
    fraction = ONE if instruction.action is ExitAction.CLOSE else instruction.fraction
    return _planned(guard, fraction, instruction.reason.value, instruction.message, instruction.price, instrument)


def _planned(guard: GuardedPosition, fraction: Decimal, reason: str, message: str, price: Decimal,
             instrument: Instrument | None = None) -> tuple[GuardedPosition, list[ExitPlan | AskDecision]]:
    amount, fraction, why = _amount(guard, fraction, price, instrument)
    if amount <= 0:
        return guard, []
    message = f"{message} ({why})" if why else message
    client_id = exit_client_id(guard.key, guard.exits_sent + 1)
    intent = OrderIntent(guard.symbol, guard.side.entry_order_side.opposite, OrderType.MARKET, amount=amount,
                         reduce_only=True, client_order_id=client_id, reason=f"{reason}: {message}"[:200])
    guard = changed(guard, exits_sent=guard.exits_sent + 1, exit_in_flight=client_id, exit_reason=message)
    line = f"{guard.symbol} {guard.side}: {message}"
    return guard, [ExitPlan(guard.symbol, intent, reason, line, price, min(fraction, ONE))]


def _amount(guard: GuardedPosition, fraction: Decimal, price: Decimal, instrument: Instrument | None
            ) -> tuple[Decimal, Decimal, str]:
    if fraction >= ONE:
        return guard.amount, ONE, ""
    if instrument is None:
        return _part(guard.amount * fraction, guard.amount_step), fraction, ""
    # a part under the market's minimum is refused by the exchange, and a rest under it could never be closed:
    # every later stop on it would fail
    part = exit_part(instrument, guard.amount * fraction, guard.amount, price)
    return part.amount, ONE if part.amount == guard.amount else fraction, part.why


def _part(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).to_integral_value(ROUND_DOWN) * step
