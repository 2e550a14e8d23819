"""Trade setups found by strategies, and a strategy's own call to close what it opened."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from trading.domain.frozen import quick_init
from trading.domain.instruments import Instrument
from trading.domain.positions import PositionSide


class SignalAction(StrEnum):
    """Whether a signal opens a position or closes the strategy's position on its side."""

    ENTER = "enter"
    EXIT = "exit"


@quick_init
@dataclass(frozen=True, slots=True)
class Signal:
    """A setup worth considering: where to enter, where it is wrong, where to take profit, and why.

    An EXIT signal says the strategy's own rule closes its open position on `side` (at market, after the
    bar that gave it); its entry is the close it was seen at, and it carries no stop or target. A signal
    without a stop (the EMA-cross yardstick) can only be sized all-in: risk sizing has nothing to size by.
    """

    symbol: str
    strategy: str            # "A", "B", "C", "trend", "ema_cross"
    side: PositionSide
    entry: Decimal
    stop: Decimal | None
    take_profit: Decimal | None
    confidence: float        # 0..1
    known_at_ms: int         # close time of the bar at which the setup became known
    timeframe: str           # timeframe of the triggering bar
    reason: str              # one line a human reads in chat, also given to the LLM
    setup_id: str            # same setup -> same id, so duplicates are suppressed
    action: SignalAction = SignalAction.ENTER

    @property
    def risk_per_unit(self) -> Decimal | None:
        """Return the entry-to-stop distance in quote per base unit, or None without a stop."""
        return None if self.stop is None else abs(self.entry - self.stop)

    @property
    def reward_risk(self) -> Decimal | None:
        """Return the reward-to-risk ratio, or None without a take-profit or a stop."""
        risk = self.risk_per_unit
        if self.take_profit is None or not risk:
            return None
        return abs(self.take_profit - self.entry) / risk

    @property
    def exits(self) -> bool:
        """Return True for a signal that closes a position rather than opening one."""
        return self.action is SignalAction.EXIT

    def stop_on_tick(self, instrument: Instrument) -> Decimal | None:
        """Return the stop on the market's tick toward the entry (a long's up): never more risk than sized."""
        if self.stop is None:
            return None
        return instrument.round_price_toward(self.stop, up=self.side is PositionSide.LONG)

    def on_tick(self, instrument: Instrument) -> "Signal":
        """Return the signal with its entry, stop and target on the market's price tick, as they are shown."""
        target = None if self.take_profit is None else instrument.round_price(self.take_profit)
        return replace(self, entry=instrument.round_price(self.entry), stop=self.stop_on_tick(instrument),
                       take_profit=target)
