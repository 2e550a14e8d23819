"""One entry of the decision log: what was asked, what came back, what it cost, and what came of it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision as stored: the full prompt and raw reply when a call was made, the rules' shadow answer."""

    ts_ms: int
    symbol: str
    action: str                 # HOLD, BUY, SELL, SHORT, COVER
    confidence: float
    source: str                 # a DecisionSource value
    decided_by: str             # the model, "rules", or "risk"
    reason: str
    mark: Decimal | None = None
    trigger: str = ""
    prompt: str | None = None
    reply: str | None = None
    parsed_json: str | None = None
    latency_ms: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    shadow_action: str = "HOLD"
    shadow_reason: str = ""
    verdict: str = ""           # the risk verdict: "allowed", or the rule that refused and why
    order_id: str = ""          # client order id of the order it led to
    run: str = "live"
    id: int | None = None

    @property
    def called(self) -> bool:
        """Return True when an LLM was (or a cached reply stood for) a call."""
        return self.prompt is not None


@dataclass(frozen=True, slots=True)
class CachedReply:
    """An LLM reply kept by the hash of (model, prompt, schema)."""

    text: str
    finish_reason: str = "stop"
    refusal: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
