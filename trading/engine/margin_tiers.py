"""Binance USDT-M leverage and margin tiers: the maintenance margin rate and amount per notional bracket."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Sequence

from trading.domain.errors import InvalidOrder


@dataclass(frozen=True, slots=True)
class MarginTier:
    """One bracket: positions with floor < notional <= cap use this rate, amount and leverage cap."""

    floor: Decimal                 # notional floor in quote
    cap: Decimal                   # notional cap in quote
    maintenance_rate: Decimal      # MMR
    maintenance_amount: Decimal    # "cum": makes the maintenance margin continuous across brackets
    max_leverage: int


def _tiers(rows: Sequence[tuple[int, int, str, int, int]]) -> tuple[MarginTier, ...]:
    return tuple(MarginTier(Decimal(f), Decimal(c), Decimal(r), Decimal(a), lev) for f, c, r, a, lev in rows)


# Binance's published USDT-M brackets (GET /fapi/v1/leverageBracket), as snapshotted in freqtrade's
# freqtrade/exchange/binance_leverage_tiers.json. Each maintenance amount satisfies
# cum[n] = cum[n-1] + floor[n] * (MMR[n] - MMR[n-1]), which the tests check row by row.
BTCUSDT_TIERS = _tiers([
    (0, 50_000, "0.004", 0, 125),
    (50_000, 600_000, "0.005", 50, 100),
    (600_000, 3_000_000, "0.0065", 950, 75),
    (3_000_000, 12_000_000, "0.01", 11_450, 50),
    (12_000_000, 70_000_000, "0.02", 131_450, 25),
    (70_000_000, 100_000_000, "0.025", 481_450, 20),
    (100_000_000, 230_000_000, "0.05", 2_981_450, 10),
    (230_000_000, 480_000_000, "0.1", 14_481_450, 5),
    (480_000_000, 600_000_000, "0.125", 26_481_450, 4),
    (600_000_000, 800_000_000, "0.15", 41_481_450, 3),
    (800_000_000, 1_200_000_000, "0.25", 121_481_450, 2),
    (1_200_000_000, 1_800_000_000, "0.5", 421_481_450, 1),
])

ETHUSDT_TIERS = _tiers([
    (0, 50_000, "0.004", 0, 125),
    (50_000, 600_000, "0.005", 50, 100),
    (600_000, 3_000_000, "0.0065", 950, 75),
    (3_000_000, 12_000_000, "0.01", 11_450, 50),
    (12_000_000, 50_000_000, "0.02", 131_450, 25),
    (50_000_000, 65_000_000, "0.025", 381_450, 20),
    (65_000_000, 150_000_000, "0.05", 2_006_450, 10),
    (150_000_000, 320_000_000, "0.1", 9_506_450, 5),
    (320_000_000, 400_000_000, "0.125", 17_506_450, 4),
    (400_000_000, 530_000_000, "0.15", 27_506_450, 3),
    (530_000_000, 800_000_000, "0.25", 80_506_450, 2),
    (800_000_000, 1_200_000_000, "0.5", 280_506_450, 1),
])

# For symbols without published tiers here: one flat bracket at 1% maintenance, stricter than the
# first bracket of the major pairs, so a paper position in an altcoin is never safer than it would be live.
FALLBACK_TIERS = _tiers([(0, 10**12, "0.01", 0, 50)])

BINANCE_USDM_TIERS: Mapping[str, tuple[MarginTier, ...]] = {
    "BTC/USDT:USDT": BTCUSDT_TIERS,
    "ETH/USDT:USDT": ETHUSDT_TIERS,
}


def tiers_for(symbol: str, table: Mapping[str, tuple[MarginTier, ...]] = BINANCE_USDM_TIERS,
              ) -> tuple[MarginTier, ...]:
    """Return the tiers of a symbol ('BTC/USDT:USDT', 'BTC/USDT' or 'BTCUSDT'), or the fallback tiers."""
    for key, tiers in table.items():
        if symbol == key or _compact(symbol) == _compact(key):
            return tiers
    return FALLBACK_TIERS


def _compact(symbol: str) -> str:
    return symbol.split(":")[0].replace("/", "").upper()


def tier_for(tiers: Sequence[MarginTier], notional: Decimal) -> MarginTier:
    """Return the bracket holding a position of this notional value (floor < notional <= cap)."""
    for tier in tiers:
        if notional <= tier.cap:
            return tier
    raise InvalidOrder(f"position value {notional} is above the largest bracket cap {tiers[-1].cap}")


def max_notional_at(tiers: Sequence[MarginTier], leverage: int) -> Decimal:
    """Return the largest position value that may be held at this leverage."""
    allowed = [t.cap for t in tiers if t.max_leverage >= leverage]
    return max(allowed) if allowed else Decimal(0)
