"""Tradable markets with the exchange's precision, minimums and fees."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from enum import StrEnum


class MarketKind(StrEnum):
    """Spot market or USDT-margined perpetual."""

    SPOT = "spot"
    PERP = "perp"


@dataclass(frozen=True, slots=True)
class Instrument:
    """A market as the exchange describes it; all amounts in Decimal."""

    symbol: str                 # ccxt unified symbol: "BTC/USDT" or "BTC/USDT:USDT"
    base: str
    quote: str
    kind: MarketKind = MarketKind.SPOT
    price_tick: Decimal = Decimal("0.01")
    amount_step: Decimal = Decimal("0.00001")
    min_amount: Decimal = Decimal("0")
    min_notional: Decimal = Decimal("5")
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")
    max_leverage: int = 1
    # the exchange's PERCENT_PRICE band (down, up multipliers of its reference price), when its markets publish it:
    # for buy limits, and for sell limits when the market bands them apart (Binance spot: PERCENT_PRICE_BY_SIDE)
    price_band: tuple[Decimal, Decimal] | None = None
    sell_price_band: tuple[Decimal, Decimal] | None = None

    def band_for(self, buy: bool) -> tuple[Decimal, Decimal] | None:
        """Return the exchange's price band for a buy or a sell limit (None: the market lists none)."""
        return self.price_band if buy or self.sell_price_band is None else self.sell_price_band

    def round_price(self, price: Decimal) -> Decimal:
        """Round a price to the nearest tick."""
        return (price / self.price_tick).to_integral_value(ROUND_HALF_EVEN) * self.price_tick

    def round_price_toward(self, price: Decimal, up: bool) -> Decimal:
        """Round a price onto the tick, up or down: a stop or a target to the side that keeps its promise."""
        return price_on_tick(price, self.price_tick, up)

    def round_amount(self, amount: Decimal) -> Decimal:
        """Round an amount down to the step, so an order never exceeds what was sized."""
        return (amount / self.amount_step).to_integral_value(ROUND_DOWN) * self.amount_step

    def min_order_amount(self, price: Decimal) -> Decimal:
        """Return the smallest amount on the step grid that meets the minimum amount and order value at price."""
        by_value = (self.min_notional / price / self.amount_step).to_integral_value(ROUND_CEILING) * self.amount_step
        return max(self.min_amount, self.amount_step, by_value)

    def check_order(self, amount: Decimal, price: Decimal) -> str | None:
        """Return why an order of amount at price breaks the market's minimums, or None when it is fine."""
        if amount <= 0 or amount < self.min_amount:
            smallest = max(self.min_amount, self.amount_step)
            return (f"amount {amount.normalize():f} {self.base} is below the minimum {smallest.normalize():f} "
                    f"{self.base} (minimum order value {self.min_notional} {self.quote})")
        notional = amount * price
        if notional < self.min_notional:
            return (f"order value {notional.quantize(Decimal('0.01'))} {self.quote} is below the "
                    f"minimum {self.min_notional} {self.quote}")
        return None


def price_text(price: Decimal, tick: Decimal | None = None) -> str:
    """Return a price with thousands separators, on the tick with the tick's decimals when a tick is given."""
    if tick is None or tick <= 0:
        places = min(8, max(2, -int(price.normalize().as_tuple().exponent)))
        return f"{price:,.{places}f}"
    on_tick = (price / tick).to_integral_value(ROUND_HALF_EVEN) * tick
    return f"{on_tick:,.{max(0, -int(tick.normalize().as_tuple().exponent))}f}"


def amount_text(amount: Decimal, step: Decimal | None = None) -> str:
    """Return an amount with thousands separators, down on the step with the step's decimals when a step is given."""
    if step is None or step <= 0:
        return f"{amount.normalize():,f}"
    on_step = (amount / step).to_integral_value(ROUND_DOWN) * step
    return f"{on_step:,.{max(0, -int(step.normalize().as_tuple().exponent))}f}"


def price_on_tick(price: Decimal, tick: Decimal, up: bool) -> Decimal:
    """Return price on the tick grid, rounded up or down, with the tick's decimals."""
    steps = (price / tick).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR)
    return (steps * tick).quantize(tick)
