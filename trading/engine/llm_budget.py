"""What the LLM costs and the daily budget: spend and tokens per trading day, and when it is spent.

A trading day starts at local midnight in TIMEZONE, as the daily loss limit does; a new day starts with
nothing spent. Cost is exact (Decimal): tokens x price per million.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from trading.risk.limits import local_day

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million tokens (0 for a local model)."""

    input_per_1m: Decimal = ZERO
    output_per_1m: Decimal = ZERO

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal:
        """Return the USD cost of one call."""
        return (prompt_tokens * self.input_per_1m + completion_tokens * self.output_per_1m) / MILLION


@dataclass(frozen=True, slots=True)
class BudgetSettings:
    """The daily caps (0: no cap) and the trading day's time zone."""

    daily_usd: Decimal = ZERO
    daily_tokens: int = 0
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class DailySpend:
    """Today's LLM use."""

    day: str = ""
    calls: int = 0
    tokens: int = 0
    usd: Decimal = ZERO
    told: bool = False          # the user has been told today that the budget is spent

    def on(self, ts_ms: int, settings: BudgetSettings) -> "DailySpend":
        """Return the spend of ts_ms's trading day (a new day starts from nothing)."""
        day = local_day(ts_ms, settings.timezone)
        return self if day == self.day else DailySpend(day)

    def add(self, ts_ms: int, tokens: int, usd: Decimal, settings: BudgetSettings) -> "DailySpend":
        """Return the spend after one more call."""
        today = self.on(ts_ms, settings)
        return replace(today, calls=today.calls + 1, tokens=today.tokens + tokens, usd=today.usd + usd)


def spent_reason(spend: DailySpend, ts_ms: int, settings: BudgetSettings) -> str | None:
    """Return why today's budget is spent, or None while there is some left."""
    today = spend.on(ts_ms, settings)
    if settings.daily_usd > 0 and today.usd >= settings.daily_usd:
        return f"today's LLM budget of {settings.daily_usd} USD is spent ({today.usd:.4f} USD)"
    if settings.daily_tokens > 0 and today.tokens >= settings.daily_tokens:
        return f"today's LLM token cap of {settings.daily_tokens:,} is reached ({today.tokens:,} tokens)"
    return None
