"""Maintenance margin and liquidation price of a USDT-M position, by Binance's one-way-mode formula."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from trading.domain.positions import PositionSide
from trading.engine.margin_tiers import MarginTier, tier_for


def maintenance_margin(notional: Decimal, tiers: Sequence[MarginTier]) -> Decimal:
    """Return the maintenance margin of a position worth notional: notional * MMR - maintenance amount."""
    tier = tier_for(tiers, notional)
    return notional * tier.maintenance_rate - tier.maintenance_amount


def liquidation_price(side: PositionSide, amount: Decimal, entry: Decimal, wallet_balance: Decimal,
                      tiers: Sequence[MarginTier], others_maintenance: Decimal = Decimal(0),
                      others_unrealized: Decimal = Decimal(0)) -> Decimal | None:
    """Return the mark price at which the position is liquidated, or None when no positive price does it.

    Binance, one-way mode: LP = (WB - TMM + UPNL + cumB - side * size * EP) / (size * MMR - side * size).
    Isolated margin: WB is the position's isolated margin and TMM = UPNL = 0. Cross margin: WB is the
    cross wallet, TMM and UPNL those of the other positions. MMR and cumB belong to the bracket of the
    position valued at the liquidation price, so a result in another bracket is computed again there.
    """
    if amount <= 0:
        return None
    sign = Decimal(side.sign)
    base = wallet_balance - others_maintenance + others_unrealized - sign * amount * entry
    tier = tier_for(tiers, amount * entry)
    price = Decimal(0)
    for _ in range(len(tiers)):
        price = (base + tier.maintenance_amount) / (amount * tier.maintenance_rate - sign * amount)
        if price <= 0:
            return None
        at_price = tier_for(tiers, amount * price)
        if at_price == tier:
            break
        tier = at_price
    return price


def is_liquidated(side: PositionSide, mark: Decimal, liq_price: Decimal | None) -> bool:
    """Return True when the mark has reached the liquidation price (long: at or below, short: at or above)."""
    if liq_price is None:
        return False
    return mark <= liq_price if side is PositionSide.LONG else mark >= liq_price


def stop_past_liquidation(side: PositionSide, entry: Decimal, stop: Decimal | None, leverage: int,
                          tiers: Sequence[MarginTier]) -> Decimal | None:
    """Return the estimated liquidation price of a new isolated position at leverage when its stop sits at or
    beyond it (the position is liquidated before the stop can fire); None when the stop comes first."""
    if stop is None or leverage <= 1 or entry <= 0:
        return None
    liq = liquidation_price(side, Decimal(1), entry, entry / leverage, tiers)     # per unit: the margin scales
    if liq is None:
        return None
    return liq if (stop <= liq if side is PositionSide.LONG else stop >= liq) else None
