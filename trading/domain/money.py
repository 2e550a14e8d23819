"""The one rounding rule of the books: what an account stores is a finite decimal, never a repeating one.

Quotients that never end (an average entry price, the margin of a 3x position, the share of a fee or
of a margin that a partial close takes) would otherwise be stored with Decimal's 28 significant digits,
and later sums would round the two sides of an identity such as equity = wallet + unrealised PnL
differently. So every booking goes through this module:

- quote money (balances, fees, margin, realised PnL, funding, funds held for orders) is stored at
  QUOTE_STEP, 1e-8 of the quote asset (a satoshi-sized unit, finer than any exchange reports);
- a derived price (an amount-weighted average entry) is stored at PRICE_STEP, also 1e-8;
- both round half to even, so a long series of bookings carries no bias in either direction.

Exchange prices and amounts are already on the market's tick and lot grid (Instrument.round_price,
round_amount) and pass through unchanged. Sums and products of values on these grids are exact.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

QUOTE_STEP = Decimal("0.00000001")
PRICE_STEP = Decimal("0.00000001")


def booked(amount: Decimal) -> Decimal:
    """Return a quote amount as the books store it: rounded half to even at QUOTE_STEP."""
    return amount.quantize(QUOTE_STEP, rounding=ROUND_HALF_EVEN)


def booked_price(price: Decimal) -> Decimal:
    """Return a derived price (an average entry) as the books store it: rounded half to even at PRICE_STEP."""
    return price.quantize(PRICE_STEP, rounding=ROUND_HALF_EVEN)


def share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """Return the booked share part/whole of a quote amount (the whole of it when part is all of whole)."""
    return amount if part == whole else booked(amount * part / whole)
