"""What a decision maker (rules today, an LLM later) answers about a signal or an open position."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trading.domain.candles import Candles
from trading.domain.positions import Position
from trading.domain.signals import Signal


class Action(StrEnum):
    """The decision."""

    ENTER = "enter"
    SKIP = "skip"
    EXIT = "exit"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """The question put to a decision maker: a new signal, or an open position in a soft zone."""

    ts_ms: int
    signal: Signal | None = None
    position: Position | None = None
    context: str = ""        # market summary (regime, trend per timeframe); never secrets
    zone: str = ""           # for a position: "soft_stop" or "take_profit", the zone it has just entered
    candles: Candles | None = None   # recent closed candles of the symbol, newest last, for the rules


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer, with who gave it and why."""

    action: Action
    confidence: float
    reason: str
    decided_by: str          # "rules" or the model name
