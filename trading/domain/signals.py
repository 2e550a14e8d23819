"""Trade setups found by strategies."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.positions import PositionSide


@dataclass(frozen=True, slots=True)
class Signal:
    """A setup worth considering: where to enter, where it is wrong, where to take profit, and why."""

    symbol: str
    strategy: str            # "A", "B", "C", "trend"
    side: PositionSide
    entry: Decimal
    stop: Decimal
    take_profit: Decimal | None
    confidence: float        # 0..1
    known_at_ms: int         # close time of the bar at which the setup became known
    timeframe: str           # timeframe of the triggering bar
    reason: str              # one line a human reads in chat, also given to the LLM
    setup_id: str            # same setup -> same id, so duplicates are suppressed

    @property
    def risk_per_unit(self) -> Decimal:
        """Return the entry-to-stop distance in quote per base unit."""
        return abs(self.entry - self.stop)

    @property
    def reward_risk(self) -> Decimal | None:
        """Return the reward-to-risk ratio, or None without a take-profit."""
        if self.take_profit is None or self.risk_per_unit == 0:
            return None
        return abs(self.take_profit - self.entry) / self.risk_per_unit
