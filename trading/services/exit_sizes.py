"""How much a manual exit (/sell, /cover, /close) takes: the size asked, on the market's step, never leaving a
rest the market's minimum would strand."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.errors import InvalidInput
from trading.domain.exit_parts import stranded_rest
from trading.domain.instruments import Instrument, amount_text
from trading.domain.manual_orders import Size, SizeKind


class DustHolding(InvalidInput):
    """A spot holding below the smallest order: no order can sell it alone."""

    def __init__(self, message: str, left: str) -> None:
        super().__init__(message)
        self.left = left        # what a /closeall that skips it says of it


def exit_amount(held: Decimal, size: Size, command: str, base: str = "") -> Decimal:
    """Return how much of held (in base, the coin) a /sell, /cover or /close asks for, or refuse a size that cannot be.

    An exit's amount is in the coin while an entry's is in USDT: every refusal names the unit.
    """
    if size.kind is SizeKind.ALL:
        return held
    if size.kind is SizeKind.PERCENT:
        if not 0 < size.value <= 100:
            raise InvalidInput(f"A percentage must be between 0 and 100, e.g. {command} BTC/USDT 50%")
        return held * size.value / 100
    coin, held_unit = (base, base) if base else ("the coin", "of the coin")
    if size.value <= 0:
        raise InvalidInput(f"The amount must be positive (in {coin}, not USDT), e.g. {command} BTC/USDT 0.01")
    if size.value > held:
        shown = f"{held.normalize():f}"
        raise InvalidInput(f"You hold {shown} {held_unit}; the amount of {command} is in {coin}, not USDT: "
                           f"{command} at most {shown}, a share like 50%, or all.")
    return size.value


def exit_on_step(instrument: Instrument, amount: Decimal, held: Decimal, smallest: Decimal, command: str,
                 price: Decimal, reduce_only: bool) -> Decimal:
    """Return amount down on the step; refuse one that rounds below the smallest order, saying what to type.

    reduce_only: a futures exit, which the exchange takes under the minimum order value; a spot sell is an
    ordinary order, so a spot holding worth less than the minimum at price cannot be sold alone.
    """
    on_step, symbol = instrument.round_amount(amount), instrument.symbol
    if on_step >= smallest:
        return on_step
    if instrument.round_amount(held) < smallest:
        if not reduce_only and on_step * price < instrument.min_notional:
            # spot dust: the venue takes no order this small; only a bigger holding can be sold whole (with /sell:
            # /close and /closeall take no size)
            raise DustHolding(f"You hold {amount_text(held)} {instrument.base}, below the smallest order "
                              f"{amount_text(smallest)} {instrument.base} ({instrument.min_notional.normalize():f} "
                              f"{instrument.quote}): no order can sell it alone. Buy at least that much more, "
                              f"then /sell {symbol} all.",
                              f"{amount_text(held)} {instrument.base} left: below the smallest order, it cannot be "
                              f"sold alone")
        return on_step
    raise InvalidInput(f"{amount_text(amount)} {instrument.base} rounds to "
                       f"{amount_text(on_step, instrument.amount_step)} on the {amount_text(instrument.amount_step)} "
                       f"step, below the smallest order "
                       f"{amount_text(smallest)} {instrument.base}; try {command} {symbol} {smallest.normalize():f} "
                       f"or {command} {symbol} all.")


def refuse_stranded_rest(instrument: Instrument, amount: Decimal, held: Decimal, smallest: Decimal,
                         command: str) -> None:
    """Refuse a partial exit whose rest would be below the smallest order: no order could close it later."""
    rest, symbol, base = stranded_rest(instrument, amount, held, smallest), instrument.symbol, instrument.base
    if not rest:
        return
    most = instrument.round_amount(held) - smallest
    instead = f"{command} {symbol} all" + (f" or {command} {symbol} {most.normalize():f}" if most >= smallest
                                           else "")
    raise InvalidInput(f"That would leave {amount_text(rest, instrument.amount_step)} {base}, below the smallest "
                       f"order {amount_text(smallest)} {base}: no order could close it later. Try {instead}.")
