"""Rules a manual entry meets: it is at least the market's minimum, it never acts against the opposite position,
and a limit's price stays within the band around the last price an exchange accepts (Binance's PERCENT_PRICE filter)."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from trading.domain.errors import InvalidInput
from trading.domain.instruments import Instrument, amount_text, price_text
from trading.domain.orders import Side
from trading.domain.positions import Position, PositionSide

# Binance's usual bands: USDT-M perpetuals allow 0.95x-1.05x (PERCENT_PRICE), spot pairs 0.2x-5x
# (PERCENT_PRICE_BY_SIDE): the defaults where a market's listing has no filter (a replay, a spot feed's perps).
# Live, Binance reads its average or mark price; paper reads the last price.
FUTURES_BAND = (Decimal("0.95"), Decimal("1.05"))
SPOT_BAND = (Decimal("0.2"), Decimal(5))


def refuse_against(command: str, held: Position, instrument: Instrument) -> None:
    """Refuse an entry command against the opposite position: /buy under a short, /short under a long.

    Whether it would reduce or reverse, it is not an entry (the reducing part skips the gate but would go out
    without reduce-only, so a resting limit could open a position no gate saw, and the user's exit in flight
    would switch the engine's stops off until it is final): reducing goes through the exit commands only.
    """
    reduce = "/cover" if held.side is PositionSide.SHORT else "/sell"
    adds = "long" if held.side is PositionSide.SHORT else "short"
    raise InvalidInput(
        f"Not placed: you hold a {held.side} of {amount_text(held.amount, instrument.amount_step)} {instrument.base} "
        f"in {held.symbol}: {reduce} {held.symbol} AMOUNT (or all) reduces it, /close {held.symbol} closes it; "
        f"/{command} opens or adds to a {adds}.")


def check_limit_band(limit: Decimal, last: Decimal, instrument: Instrument, futures: bool, buy: bool) -> None:
    """Refuse a limit price outside the band around the last price that the exchange would refuse.

    The band is the market's own PERCENT_PRICE filter for the order's side where its exchange listing carried
    one, else the default for the market type; the refusal says which.
    """
    listed = instrument.band_for(buy)
    low, high = listed or (FUTURES_BAND if futures else SPOT_BAND)
    source = (f"{instrument.symbol}'s PERCENT_PRICE filter for {'buys' if buy else 'sells'}" if listed is not None else
              f"the bot's default for {'futures' if futures else 'spot'}, Binance's usual; the market's own was not "
              f"loaded")
    tick = instrument.price_tick
    lowest, highest = instrument.round_price_toward(last * low, up=True), \
        instrument.round_price_toward(last * high, up=False)
    if lowest <= limit <= highest:
        return
    raise InvalidInput(
        f"Limit {_plain(limit)} is too far from the last price {price_text(last, tick)} of {instrument.symbol}: the "
        f"exchange takes limits from {price_text(lowest, tick)} to {price_text(highest, tick)} ({_band(low, high)} "
        f"of the last price: {source}). "
        f"Pick a limit in that band, or leave the limit out to trade at market.")


def check_minimum(instrument: Instrument, side: Side, quote: Decimal, price: Decimal, fee_inside: bool,
                  limit: Decimal | None, sized_at: Decimal | None = None) -> None:
    """Refuse, in quote terms, an order below the market's minimum, saying the smallest that works.

    The amount is quote over sized_at (where it fills; price when not given) and the exchange checks it at price.
    """
    at = sized_at if sized_at is not None else price
    smallest = instrument.min_order_amount(price)
    cost = smallest * at * (1 + instrument.taker_fee if fee_inside else 1)
    raw = quote / (at * (1 + instrument.taker_fee)) if fee_inside else quote / at
    if instrument.check_order(instrument.round_amount(raw), price) is None:
        return
    command = "/buy" if side is Side.BUY else "/short"
    suggestion = f"{command} {instrument.symbol} {_whole_up(cost)}" + (f" limit {limit}" if limit else "")
    raise InvalidInput(f"{_plain(quote)} {instrument.quote} is below the {_plain(instrument.min_notional)} "
                       f"{instrument.quote} minimum for {instrument.symbol}; try {suggestion} (the smallest "
                       f"order, {_plain(smallest)} {instrument.base} at {_plain(price)}, costs "
                       f"{_cents_up(cost)} {instrument.quote}{' with the fee' if fee_inside else ''}).")


def _band(low: Decimal, high: Decimal) -> str:
    return f"{_plain(low)}x to {_plain(high)}x"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _cents_up(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), ROUND_CEILING):,f}"


def _whole_up(value: Decimal) -> str:
    return f"{value.to_integral_value(ROUND_CEILING):f}" if value >= 1 else f"{value:.2f}"
