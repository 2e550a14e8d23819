"""The LLM's reply at the trust boundary: the pydantic model, its strict JSON schema, and parsing raw text.

Every field is required and nullable where it may be empty, as OpenAI's strict structured outputs need.
The schema is generated from the model, with the action enum narrowed per call to what risk allows now.
Servers without structured output get the same schema in the prompt, and the first JSON object is taken
from whatever text they send back.
"""
from __future__ import annotations

import json
import types
import typing
from decimal import Decimal
from typing import Any, Literal, Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from trading.engine.decision_checks import Proposal

SCHEMA_NAME = "trading_decision"
_JSON_TYPES = {str: "string", float: "number", Decimal: "number", int: "integer", bool: "boolean"}


class DecisionReply(BaseModel):
    """The decision as the LLM must write it."""

    model_config = ConfigDict(extra="forbid")

    action: str
    confidence: float
    reasoning: str
    risk_notes: str | None
    size_pct: Decimal | None
    order_type: Literal["market", "limit"]
    limit_price: Decimal | None
    stop_price: Decimal | None
    take_profit: Decimal | None

    def proposal(self) -> Proposal:
        """Return the reply as an untrusted Proposal for the checks."""
        return Proposal(self.action.strip().upper(), self.confidence, self.reasoning, self.risk_notes,
                        self.size_pct, self.order_type, self.limit_price, self.stop_price, self.take_profit)


_DESCRIPTIONS = {
    "action": "what to do now; only the actions listed are allowed",
    "confidence": "0 to 1",
    "reasoning": "why, in two or three sentences",
    "risk_notes": "what would prove this wrong, or null",
    "size_pct": "entries: % of equity; exits: % of the position; null for HOLD",
    "order_type": "market, or limit with limit_price",
    "limit_price": "limit price for a limit order, else null",
    "stop_price": "protective stop for an entry, or null",
    "take_profit": "target for an entry, or null",
}


def decision_schema(actions: Sequence[str]) -> dict[str, Any]:
    """Return the strict JSON schema of DecisionReply with the action enum narrowed to actions."""
    properties: dict[str, Any] = {}
    for name, info in DecisionReply.model_fields.items():
        prop = _json_type(info.annotation)
        if name == "action":
            prop["enum"] = list(actions)
        prop["description"] = _DESCRIPTIONS[name]
        properties[name] = prop
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def _json_type(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return {"type": "string", "enum": list(typing.get_args(annotation))}
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return {"type": [_JSON_TYPES[inner[0]], "null"]}
    return {"type": _JSON_TYPES[annotation]}


def first_json_object(text: str) -> dict[str, Any] | None:
    """Return the first JSON object in text (inside prose or a ``` fence), or None."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def parse_reply(text: str) -> DecisionReply | str:
    """Return the reply parsed and validated, or a short reason why it is not a decision."""
    data = first_json_object(text)
    if data is None:
        return "no JSON object in the reply"
    try:
        return DecisionReply.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        return f"{where}: {first['msg']}"
