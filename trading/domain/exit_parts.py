"""How much of a position a partial exit may take: on the market's step, never smaller than the market's smallest
order, and never leaving a rest smaller than that (no order could close it later: every stop on it would fail).

One rule for the user's exits (trading/services/exit_sizes.py refuses) and the engine's (exit_pipeline.py adjusts).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.instruments import Instrument, MarketKind, amount_text

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExitPart:
    """The amount a partial exit sends (0: none), and why it differs from the share asked ('' when it does not)."""

    amount: Decimal
    why: str = ""


def smallest_exit(instrument: Instrument, price: Decimal) -> Decimal:
    """Return the smallest exit the market takes at price: a futures exit is reduce-only, which may be under the
    minimum order value; a spot sell is an ordinary order, held to it."""
    if instrument.kind is MarketKind.PERP:
        return max(instrument.min_amount, instrument.amount_step)
    return instrument.min_order_amount(price)


def stranded_rest(instrument: Instrument, amount: Decimal, held: Decimal, smallest: Decimal) -> Decimal:
    """Return the rest an exit of amount leaves of held when it is below smallest (none could close it), else 0."""
    rest = instrument.round_amount(held) - amount
    return rest if 0 < rest < smallest else ZERO


def exit_part(instrument: Instrument, wanted: Decimal, held: Decimal, price: Decimal) -> ExitPart:
    """Return the part of held an exit of wanted sends at price: down on the step; the whole position when the rest
    would be stranded; nothing when the part is below the smallest order."""
    amount, smallest, base = instrument.round_amount(wanted), smallest_exit(instrument, price), instrument.base
    if amount < smallest:
        return ExitPart(ZERO, f"{amount_text(wanted, instrument.amount_step)} {base} is below the smallest order "
                              f"{amount_text(smallest)} {base}: nothing was sent")
    rest = stranded_rest(instrument, amount, held, smallest)
    if rest:
        return ExitPart(held, f"the rest, {amount_text(rest, instrument.amount_step)} {base}, would be below the "
                              f"smallest order {amount_text(smallest)} {base}: the whole position exits")
    return ExitPart(amount)
