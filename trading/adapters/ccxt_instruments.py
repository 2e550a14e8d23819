"""Map ccxt market structures to Instruments with Decimal precision, minimums and fees."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from ccxt.base.decimal_to_precision import DECIMAL_PLACES, TICK_SIZE

from trading.domain.instruments import Instrument, MarketKind


def to_decimal(value: Any) -> Decimal | None:
    """Return value (a ccxt float, int or numeric string) as the Decimal it was written as, or None."""
    if value is None or value == "":
        return None
    return Decimal(str(value))   # str() of a float is its shortest round-trip text: 1e-05 -> Decimal('0.00001')


def precision_step(value: Any, precision_mode: int) -> Decimal | None:
    """Return the price tick or amount step a ccxt precision value stands for under precision_mode."""
    number = to_decimal(value)
    if number is None:
        return None
    if precision_mode == TICK_SIZE:
        return number
    if precision_mode == DECIMAL_PLACES:
        return Decimal(1).scaleb(-int(number))
    return None   # significant digits give no fixed step; the Instrument defaults stand


def market_kind(market: Mapping[str, Any]) -> MarketKind | None:
    """Return SPOT or PERP for a ccxt market, or None for kinds the assistant does not trade."""
    if market.get("spot"):
        return MarketKind.SPOT
    if market.get("swap") and market.get("linear"):
        return MarketKind.PERP
    return None   # dated futures, inverse contracts, options


def instrument_from_market(market: Mapping[str, Any], precision_mode: int) -> Instrument | None:
    """Return the Instrument for an active spot or linear-perpetual ccxt market, else None."""
    kind = market_kind(market)
    if kind is None or market.get("active") is False:
        return None
    precision = market.get("precision") or {}
    limits = market.get("limits") or {}
    defaults = Instrument(symbol=market["symbol"], base=market["base"], quote=market["quote"], kind=kind)
    max_leverage = to_decimal((limits.get("leverage") or {}).get("max"))
    return replace(
        defaults,
        price_tick=_or(precision_step(precision.get("price"), precision_mode), defaults.price_tick),
        amount_step=_or(precision_step(precision.get("amount"), precision_mode), defaults.amount_step),
        min_amount=to_decimal((limits.get("amount") or {}).get("min")) or Decimal(0),
        min_notional=to_decimal((limits.get("cost") or {}).get("min")) or Decimal(0),
        maker_fee=_or(to_decimal(market.get("maker")), defaults.maker_fee),
        taker_fee=_or(to_decimal(market.get("taker")), defaults.taker_fee),
        max_leverage=int(max_leverage) if max_leverage else defaults.max_leverage,
        price_band=price_bands(market)[0], sell_price_band=price_bands(market)[1])


Band = tuple[Decimal, Decimal]


def price_bands(market: Mapping[str, Any]) -> tuple[Band | None, Band | None]:
    """Return the (down, up) multipliers a buy limit and a sell limit must keep, from binance's
    PERCENT_PRICE_BY_SIDE (bids for buys, asks for sells) and PERCENT_PRICE (both), each where listed; a market
    listing both is held to both."""
    info = market.get("info")
    filters = info.get("filters") if isinstance(info, Mapping) else None
    found = {f.get("filterType"): f for f in filters or () if isinstance(f, Mapping)}
    by_side, plain = found.get("PERCENT_PRICE_BY_SIDE"), found.get("PERCENT_PRICE")
    both = None if plain is None else _band(plain, "multiplierDown", "multiplierUp")
    if by_side is None:
        return both, both
    return (_within(_band(by_side, "bidMultiplierDown", "bidMultiplierUp"), both),
            _within(_band(by_side, "askMultiplierDown", "askMultiplierUp"), both))


def _band(listed: Mapping[str, Any], down_key: str, up_key: str) -> Band | None:
    down, up = to_decimal(listed.get(down_key)), to_decimal(listed.get(up_key))
    if down is None or up is None or not 0 < down < 1 < up:
        return None            # a filter without its figures (or not around the price): the bot's default stands
    return down, up


def _within(band: Band | None, other: Band | None) -> Band | None:
    if band is None or other is None:
        return band or other
    return max(band[0], other[0]), min(band[1], other[1])


def _or(value: Decimal | None, default: Decimal) -> Decimal:
    """Return value, or default where the market leaves it out."""
    return default if value is None else value
