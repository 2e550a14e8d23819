"""The text of an LLM backtest and of /llmscore: the account, the decisions by source, the LLM against the rules."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Mapping

from trading.backtest.decision_score import Score


def score_lines(score: Score, fee_rate: Decimal, cost_usd: Decimal) -> list[str]:
    """Return the 'LLM vs rules' section: agreement, each side's return net of fees, and the LLM's cost."""
    if score.decisions == 0:
        return ["LLM vs rules: no decisions yet."]
    edge = "better" if score.edge_pct > 0 else "worse" if score.edge_pct < 0 else "the same"
    return [f"LLM vs rules (same requests; one unit of exposure, net of {fee_rate * 100:.2f}% fees per trade):",
            f"  agreement {score.agreement_pct:.1f}% of {score.compared} LLM answers",
            f"  LLM {score.llm_return_pct:+.2f}% ({score.llm_changes} trades) vs rules {score.rules_return_pct:+.2f}% "
            f"({score.rules_changes} trades): the LLM did {edge} by {abs(score.edge_pct):.2f} points",
            f"  LLM cost {cost_usd:.4f} USD"]


def sources_line(sources: Mapping[str, int]) -> str:
    """Return 'Decisions: 12 (model 3, skipped 9)' in a stable order."""
    total = sum(sources.values())
    parts = ", ".join(f"{name} {count}" for name, count in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"Decisions: {total}" + (f" ({parts})" if parts else "")


def day(ms: int) -> str:
    """Return the UTC date of ms."""
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M")
