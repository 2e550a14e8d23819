"""The LLM against the rules on the same requests: how often they agree, and what each one's decisions made.

Each decision moves a unit of exposure (BUY: long, SHORT: short, SELL/COVER: flat, HOLD: unchanged); the
exposure is held from one decision's price to the next, and every change of exposure pays the taker fee on
the share traded. Both sequences are scored over the same prices, so the comparison says whether the
LLM's decisions beat the rules' before its own cost, which is shown beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

HUNDRED = Decimal(100)
_EXPOSURE = {"BUY": Decimal(1), "SHORT": Decimal(-1), "SELL": Decimal(0), "COVER": Decimal(0)}


@dataclass(frozen=True, slots=True)
class ScoredDecision:
    """One request's two answers at its price."""

    price: Decimal
    llm: str            # HOLD, BUY, SELL, SHORT, COVER
    rules: str
    called: bool        # the LLM was asked (or its cached reply stood); skipped HOLDs are not compared


@dataclass(frozen=True, slots=True)
class Score:
    """The comparison over one run of decisions."""

    decisions: int
    compared: int
    agreements: int
    llm_return_pct: Decimal
    rules_return_pct: Decimal
    llm_changes: int        # exposure changes (trades) each one's decisions made
    rules_changes: int

    @property
    def agreement_pct(self) -> Decimal:
        """Return how often the two agreed on the decisions the LLM was asked, in percent (0 with none)."""
        return self.agreements * HUNDRED / self.compared if self.compared else Decimal(0)

    @property
    def edge_pct(self) -> Decimal:
        """Return the LLM's return minus the rules' (positive: the LLM did better)."""
        return self.llm_return_pct - self.rules_return_pct


def score(decisions: Sequence[ScoredDecision], last_price: Decimal, fee_rate: Decimal) -> Score:
    """Return agreement and each side's net return over decisions in time order, marked out at last_price."""
    compared = [d for d in decisions if d.called]
    agreements = sum(1 for d in compared if d.llm == d.rules)
    prices = [d.price for d in decisions] + [last_price]
    llm, llm_changes = _returns([d.llm for d in decisions], prices, fee_rate)
    rules, rules_changes = _returns([d.rules for d in decisions], prices, fee_rate)
    return Score(len(decisions), len(compared), agreements, llm, rules, llm_changes, rules_changes)


def _returns(actions: Sequence[str], prices: Sequence[Decimal], fee_rate: Decimal) -> tuple[Decimal, int]:
    equity, exposure, changes = Decimal(1), Decimal(0), 0
    for i, action in enumerate(actions):
        target = _EXPOSURE.get(action, exposure)
        if target != exposure:
            equity *= 1 - fee_rate * abs(target - exposure)
            exposure, changes = target, changes + 1
        if prices[i] > 0:
            equity *= 1 + exposure * (prices[i + 1] / prices[i] - 1)
    return (equity - 1) * HUNDRED, changes
