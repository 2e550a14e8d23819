"""The LLM decision maker's settings as one value, and what /status shows about it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.engine.decision_checks import CheckSettings
from trading.engine.decision_prompt import PromptSettings
from trading.engine.decision_schedule import ScheduleSettings
from trading.engine.llm_budget import BudgetSettings, Prices
from trading.engine.rules_decider import RulesSettings


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """Everything the LLM decider is held to (built from Settings at the composition root)."""

    model: str
    fallback: str = "hold"                 # who decides while the LLM cannot: "rules" or "hold"
    checks: CheckSettings = CheckSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    budget: BudgetSettings = BudgetSettings()
    prices: Prices = Prices()
    prompt: PromptSettings = PromptSettings()
    rules: RulesSettings = RulesSettings()
    max_size_pct: Decimal = Decimal("30")
    history: int = 5                       # past decisions of the symbol shown in the prompt
    read_cache: bool = False               # backtests: a cached reply stands for the call
    cache_only: bool = False               # backtests: HOLD on a cache miss instead of calling


@dataclass(frozen=True, slots=True)
class LlmStatus:
    """Who decides now, and today's LLM use."""

    model: str
    reply_format: str
    fallback: str
    calls_today: int
    tokens_today: int
    cost_today: Decimal
    budget_spent: str | None       # why the LLM is off for the rest of the day, or None
    failure: str                   # the last call's failure, "" when the last call succeeded

    @property
    def deciding(self) -> str:
        """Return who decides now, in one line."""
        instead = "the rules decide" if self.fallback == "rules" else "holding"
        if self.budget_spent:
            return f"{instead}: {self.budget_spent}"
        if self.failure:
            return f"{instead}: the LLM is failing ({self.failure})"
        return f"LLM {self.model}"
