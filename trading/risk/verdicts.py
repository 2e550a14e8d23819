"""Verdicts of the risk gates: allowed, or the rule that blocked and a reason a human reads."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RiskRule(StrEnum):
    """The rule behind a blocked entry or a skipped trade."""

    KILL_SWITCH = "kill_switch"
    CIRCUIT_BREAKER = "circuit_breaker"
    MAX_DRAWDOWN = "max_drawdown"
    DAILY_LOSS = "daily_loss"
    LOSS_STREAK = "loss_streak"
    MAX_OPEN_POSITIONS = "max_open_positions"
    ENTRY_RATE = "entry_rate"
    INVALID_STOP = "invalid_stop"
    NO_EDGE = "no_edge"
    EXPOSURE = "exposure"
    MARKET_MINIMUM = "market_minimum"
    ENTRY_HOLD = "entry_hold"          # live trading paused, or the user's /pause (trading.services.entry_holds)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of one gate: allowed when no rule blocked."""

    rule: RiskRule | None = None
    reason: str = ""

    @property
    def allowed(self) -> bool:
        """Return True when no rule blocked."""
        return self.rule is None


ALLOWED = Verdict()


def first_block(*verdicts: Verdict) -> Verdict:
    """Return the first verdict that blocks, or ALLOWED when all allow."""
    return next((v for v in verdicts if not v.allowed), ALLOWED)
