"""Market snapshots: tickers with top of book and funding."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Ticker:
    """Last price, top of book and 24h figures for one symbol."""

    symbol: str
    ts_ms: int
    last: Decimal
    bid: Decimal | None = None
    ask: Decimal | None = None
    change_24h_pct: Decimal | None = None
    quote_volume_24h: Decimal | None = None
    funding_rate: Decimal | None = None
    next_funding_ms: int | None = None

    @property
    def spread_bps(self) -> Decimal | None:
        """Return the bid/ask spread in basis points of the mid price."""
        if self.bid is None or self.ask is None or self.bid <= 0 or self.ask <= 0:
            return None
        mid = (self.bid + self.ask) / 2
        return (self.ask - self.bid) / mid * Decimal(10_000)
