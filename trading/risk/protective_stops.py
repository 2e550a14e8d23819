"""Protective exits of one open position, evaluated on every tick and every candle.

Zones (hard stop, soft stop, take-profit zone) are percentages on the position, i.e. the price move times
the leverage; partial take-profit, break-even and the trailing stop are in R, the entry-to-initial-stop
distance (a position without a stop trails by price percentages, as on Binance). Break-even moves the
stop to the entry plus what closing there costs (both fees and the exit's slippage), on the market's tick
on the far side of the entry, so a trade stopped at break-even nets zero or more instead of a small loss;
it waits until the price has reached that level, so the stop is never put behind the price. On a candle the
stop is checked first, against the levels known before the candle: its order of high and low is unknown, so the
pessimistic path is assumed.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from trading.domain.frozen import changed
from trading.domain.instruments import price_on_tick, price_text
from trading.domain.positions import Position, PositionSide
from trading.risk.snapshots import Restorable

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ProtectionSettings:
    """Exit rules shared by every position; None switches a rule off.

    Settings always set a hard and a soft stop; only the EMA-cross yardstick's backtests run without them.
    """

    hard_stop_pct: Decimal | None = Decimal("10")            # loss on the position: exit at once
    soft_stop_pct: Decimal | None = Decimal("5")             # loss on the position: ask
    take_profit_zone_pct: Decimal | None = Decimal("10")     # gain on the position: ask
    trailing_activation_pct: Decimal | None = Decimal("2")   # price move in favour that arms the trail (no R)
    trailing_callback_pct: Decimal = Decimal("1")            # trail distance behind the best price (no R)
    trailing_activation_r: Decimal | None = Decimal("2")     # gain in R that arms the trail (positions with a stop)
    trailing_callback_r: Decimal = Decimal("1")              # trail distance in R behind the best price
    partial_take_profit_r: Decimal | None = Decimal("1")
    partial_take_profit_fraction: Decimal = Decimal("0.5")
    break_even_r: Decimal | None = Decimal("1")


class ExitAction(StrEnum):
    """What the loop must do."""

    CLOSE = "close"                  # market exit of the whole position, no questions
    CLOSE_PART = "close_part"        # market exit of `fraction` of the position
    ASK = "ask"                      # ask the decision maker whether to exit


class ExitReason(StrEnum):
    """Which rule fired."""

    HARD_STOP = "hard_stop"
    STOP_LOSS = "stop_loss"
    BREAK_EVEN = "break_even"
    TRAILING_STOP = "trailing_stop"
    TAKE_PROFIT = "take_profit"
    PARTIAL_TAKE_PROFIT = "partial_take_profit"
    SOFT_STOP_ZONE = "soft_stop_zone"
    TAKE_PROFIT_ZONE = "take_profit_zone"


class Zone(StrEnum):
    """Where the position's result sits between the stops and the take-profit zone."""

    NORMAL = "normal"
    SOFT_STOP = "soft_stop"
    TAKE_PROFIT = "take_profit"


class PriceRange(Protocol):
    """A price observation: a candle's open, high, low and close, or a tick with all four equal.

    The engine's PriceBar fits; any object with these Decimal attributes does.
    """

    @property
    def open(self) -> Decimal: ...
    @property
    def high(self) -> Decimal: ...
    @property
    def low(self) -> Decimal: ...
    @property
    def close(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class ExitInstruction:
    """An exit for the loop to carry out or to put to the decision maker."""

    action: ExitAction
    reason: ExitReason
    price: Decimal          # trigger level, or the bar's open when price gapped through it
    fraction: Decimal       # share of the open amount to close: 1 for CLOSE, 0 for ASK
    message: str


@dataclass(frozen=True, slots=True)
class StopState(Restorable):
    """The protective levels of one position; stops only ever tighten (persist it with snapshot())."""

    side: PositionSide
    entry: Decimal
    risk_per_unit: Decimal               # 1R
    best_price: Decimal                  # most favourable price seen since entry
    leverage: int = 1
    stop: Decimal | None = None          # structural stop, raised to break-even later
    take_profit: Decimal | None = None
    trailing_stop: Decimal | None = None
    partial_taken: bool = False
    at_break_even: bool = False
    zone: Zone = Zone.NORMAL
    break_even_offset: Decimal = Decimal(0)   # per unit beyond the entry: what closing there costs
    price_tick: Decimal = Decimal(0)          # the market's price tick (0: unknown): break-even sits on it


def open_stops(position: Position, settings: ProtectionSettings, break_even_offset: Decimal = Decimal(0),
               price_tick: Decimal = Decimal(0)) -> StopState:
    """Return the stop state of a newly opened position, with 1R from its stop or else the hard stop."""
    state = StopState(position.side, position.entry_price, Decimal(0), position.entry_price,
                      max(1, position.leverage), position.stop_price, position.take_profit,
                      break_even_offset=break_even_offset, price_tick=price_tick)
    reference = position.stop_price if position.stop_price is not None else hard_stop_price(state, settings)
    if reference is None:
        return state                   # no stop at all: no 1R, so no R multiple, break-even or partial in R
    return changed(state, risk_per_unit=abs(position.entry_price - reference))


def hard_stop_price(state: StopState, settings: ProtectionSettings) -> Decimal | None:
    """Return the price at which the position has lost hard_stop_pct (price move x leverage), None when off."""
    if settings.hard_stop_pct is None:
        return None
    return _price_at_move(state, -settings.hard_stop_pct / state.leverage)


def effective_stop(state: StopState, settings: ProtectionSettings) -> tuple[Decimal, ExitReason] | None:
    """Return the tightest stop level now in force and the rule it belongs to (None: no stop at all)."""
    structural = ExitReason.BREAK_EVEN if state.at_break_even else ExitReason.STOP_LOSS
    levels = [(hard_stop_price(state, settings), ExitReason.HARD_STOP),
              (state.stop, structural), (state.trailing_stop, ExitReason.TRAILING_STOP)]
    tightest = max if state.side is PositionSide.LONG else min
    return tightest(((p, r) for p, r in levels if p is not None), key=lambda level: level[0], default=None)


def evaluate_stops(state: StopState, bar: PriceRange,
                   settings: ProtectionSettings) -> tuple[StopState, tuple[ExitInstruction, ...]]:
    """Return the updated stop state and the exits this price observation calls for."""
    in_force = effective_stop(state, settings)
    if in_force is not None and _touched_loss(state, _adverse(state, bar), in_force[0]):
        stop_level, stop_reason = in_force
        fill = _worse(state, stop_level, bar.open)
        label = stop_reason.value.replace("_", " ")
        return state, (ExitInstruction(ExitAction.CLOSE, stop_reason, fill, Decimal(1),
                                       f"{label} at {_px(state, fill)} (level {_px(state, stop_level)})"),)
    favourable = _favourable(state, bar)
    if state.take_profit is not None and _touched_gain(state, favourable, state.take_profit):
        fill = _better(state, state.take_profit, bar.open)
        return state, (ExitInstruction(ExitAction.CLOSE, ExitReason.TAKE_PROFIT, fill, Decimal(1),
                                       f"take-profit at {_px(state, fill)}"),)
    state, exits = _partial_take_profit(state, bar, settings)
    state = _break_even(state, favourable, settings)
    state = _trail(state, favourable, settings)
    state, ask = _zone(state, bar.close, settings)
    return state, exits + ask


def position_result_pct(state: StopState, price: Decimal) -> Decimal:
    """Return the position's result at price in percent: the move in its favour times the leverage."""
    return (price - state.entry) / state.entry * HUNDRED * _sign(state) * state.leverage


def _partial_take_profit(state: StopState, bar: PriceRange, settings: ProtectionSettings
                         ) -> tuple[StopState, tuple[ExitInstruction, ...]]:
    if settings.partial_take_profit_r is None or state.partial_taken:
        return state, ()
    level = state.entry + _sign(state) * state.risk_per_unit * settings.partial_take_profit_r
    if not _touched_gain(state, _favourable(state, bar), level):
        return state, ()
    fill = _better(state, level, bar.open)
    fraction = settings.partial_take_profit_fraction
    return changed(state, partial_taken=True), (ExitInstruction(
        ExitAction.CLOSE_PART, ExitReason.PARTIAL_TAKE_PROFIT, fill, fraction,
        f"partial take-profit: {(fraction * HUNDRED).normalize():f}% at {_px(state, fill)} "
        f"({settings.partial_take_profit_r}R)"),)


def _break_even(state: StopState, favourable: Decimal, settings: ProtectionSettings) -> StopState:
    trigger = break_even_trigger(state, settings)
    if trigger is None or not _touched_gain(state, favourable, trigger):
        return state
    return changed(state, stop=_tighter(state, state.stop, break_even_price(state)), at_break_even=True)


def break_even_trigger(state: StopState, settings: ProtectionSettings) -> Decimal | None:
    """Return the price that moves the stop to break-even: break_even_r in R, and never short of the level itself.

    A stop set beyond the price would close at once below break-even (a 1R smaller than the costs), so the
    move waits until the price has reached the break-even level. None: the rule is off or already done.
    """
    if settings.break_even_r is None or state.at_break_even:
        return None
    in_r = state.entry + _sign(state) * state.risk_per_unit * settings.break_even_r
    return _better(state, in_r, break_even_price(state))


def break_even_price(state: StopState) -> Decimal:
    """Return the stop at which closing nets zero or more after the costs: the entry plus the offset, on tick.

    The offset (exit_cost_rate times the entry) is what closing flat costs: both fees and the exit's
    slippage. Two things can still cut into it: the exit's fill, moved by the slippage off the tick, is put
    back on the tick against the taker (a long's sale rounded down), and the stop itself is on the tick.
    So, with a tick, the level is the entry plus the offset plus one tick grown by the same rate, rounded
    onto the tick away from the entry (a long's up, a short's down), never toward it.
    """
    sign, offset, tick = _sign(state), state.break_even_offset, state.price_tick
    if tick <= 0:
        return state.entry + sign * offset
    if offset <= 0:       # nothing to pay: the entry itself, rounded away from it
        return price_on_tick(state.entry, tick, up=sign > 0)
    margin = tick * (1 + offset / state.entry)    # the fill's rounding, at most a tick, scaled by the costs
    return price_on_tick(state.entry + sign * (offset + margin), tick, up=sign > 0)


def _trails_in_r(state: StopState, settings: ProtectionSettings) -> bool:
    return state.risk_per_unit > 0 and settings.trailing_activation_r is not None


def trailing_activation(state: StopState, settings: ProtectionSettings) -> Decimal | None:
    """Return the price that arms the trailing stop: in R when set and known, else in percent (None: no trail)."""
    if _trails_in_r(state, settings):
        assert settings.trailing_activation_r is not None
        return state.entry + _sign(state) * state.risk_per_unit * settings.trailing_activation_r
    if settings.trailing_activation_pct is None:
        return None
    return _price_at_move(state, settings.trailing_activation_pct)


def _trail(state: StopState, favourable: Decimal, settings: ProtectionSettings) -> StopState:
    best = _better(state, state.best_price, favourable)
    state = changed(state, best_price=best)
    activation = trailing_activation(state, settings)
    if activation is None or not _touched_gain(state, best, activation):
        return state
    if _trails_in_r(state, settings):
        trail = best - _sign(state) * state.risk_per_unit * settings.trailing_callback_r
    else:
        trail = best * (1 - _sign(state) * settings.trailing_callback_pct / HUNDRED)
    return changed(state, trailing_stop=_tighter(state, state.trailing_stop, trail))


def _zone(state: StopState, price: Decimal, settings: ProtectionSettings
          ) -> tuple[StopState, tuple[ExitInstruction, ...]]:
    result = position_result_pct(state, price)
    zone, reason = Zone.NORMAL, None
    if settings.soft_stop_pct is not None and result <= -settings.soft_stop_pct:
        zone, reason = Zone.SOFT_STOP, ExitReason.SOFT_STOP_ZONE
    elif settings.take_profit_zone_pct is not None and result >= settings.take_profit_zone_pct:
        zone, reason = Zone.TAKE_PROFIT, ExitReason.TAKE_PROFIT_ZONE
    if zone is state.zone or reason is None:
        return changed(state, zone=zone), ()
    # Ask once per entry into a zone, not on every tick spent inside it.
    return changed(state, zone=zone), (ExitInstruction(
        ExitAction.ASK, reason, price, Decimal(0),
        f"position at {result:.2f}% ({zone} zone) at {_px(state, price)}: exit or hold?"),)


def _px(state: StopState, price: Decimal) -> str:
    """Return a price as the user reads it: on the market's tick (with its decimals) when the tick is known."""
    return price_text(price, state.price_tick if state.price_tick > 0 else None)


def _sign(state: StopState) -> int:
    return state.side.sign


def _price_at_move(state: StopState, pct_in_favour: Decimal) -> Decimal:
    return state.entry * (1 + _sign(state) * pct_in_favour / HUNDRED)


def _favourable(state: StopState, bar: PriceRange) -> Decimal:
    return bar.high if state.side is PositionSide.LONG else bar.low


def _adverse(state: StopState, bar: PriceRange) -> Decimal:
    return bar.low if state.side is PositionSide.LONG else bar.high


def _touched_gain(state: StopState, price: Decimal, level: Decimal) -> bool:
    return price >= level if state.side is PositionSide.LONG else price <= level


def _touched_loss(state: StopState, price: Decimal, level: Decimal) -> bool:
    return price <= level if state.side is PositionSide.LONG else price >= level


def _better(state: StopState, a: Decimal, b: Decimal) -> Decimal:
    return max(a, b) if state.side is PositionSide.LONG else min(a, b)


def _worse(state: StopState, a: Decimal, b: Decimal) -> Decimal:
    return min(a, b) if state.side is PositionSide.LONG else max(a, b)


def _tighter(state: StopState, current: Decimal | None, candidate: Decimal) -> Decimal:
    return candidate if current is None else _better(state, current, candidate)
