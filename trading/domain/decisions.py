"""What a decision maker (the rules, or an LLM) answers about a signal, a position, or a whole symbol."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from trading.domain.candles import Candles
from trading.domain.frozen import quick_init
from trading.domain.positions import Position
from trading.domain.signals import Signal

if TYPE_CHECKING:    # the LLM's view of a symbol is built by the engine; the domain only names it
    from trading.engine.symbol_view import SymbolView


class Action(StrEnum):
    """The decision, in the engine's words."""

    ENTER = "enter"
    SKIP = "skip"
    EXIT = "exit"
    HOLD = "hold"


class TradeAction(StrEnum):
    """The decision, in the LLM's words: what to do with the symbol now."""

    HOLD = "HOLD"
    BUY = "BUY"        # open a long (spot: buy)
    SELL = "SELL"      # reduce or close a long
    SHORT = "SHORT"    # open a short (futures)
    COVER = "COVER"    # reduce or close a short

    @property
    def opens(self) -> bool:
        """Return True for BUY and SHORT."""
        return self in (TradeAction.BUY, TradeAction.SHORT)

    @property
    def closes(self) -> bool:
        """Return True for SELL and COVER."""
        return self in (TradeAction.SELL, TradeAction.COVER)


class DecisionSource(StrEnum):
    """Why this decision is what it is: the model answered, or why it did not (so HOLDs never hide a fault)."""

    MODEL = "model"              # the LLM answered and its answer stands
    SKIPPED = "skipped"          # nothing changed enough to ask: HOLD without a call
    INVALID = "invalid"          # the reply was cut off, refused, unparsable, out of range or contradictory
    TIMEOUT = "timeout"          # no reply in LLM_TIMEOUT_SECONDS
    ERROR = "error"              # the server failed (429/5xx after one retry, connection refused)
    BUDGET = "budget"            # today's LLM budget is spent
    RISK_BLOCKED = "risk_blocked"   # risk allows nothing but HOLD now: no call
    CACHE_MISS = "cache_miss"    # a cache-only backtest met a prompt it has no reply for
    LLM_OFF = "llm_off"          # no LLM configured: the rules decide


class LlmFailure(Exception):
    """No usable reply from the LLM server; source says which kind of failure (timeout or error)."""

    def __init__(self, message: str, source: DecisionSource) -> None:
        super().__init__(message)
        self.source = source


class OrderKind(StrEnum):
    """How the LLM wants an order to execute."""

    MARKET = "market"
    LIMIT = "limit"


@quick_init
@dataclass(frozen=True, slots=True)
class TradeIdea:
    """The order an LLM decision asks for; risk sizes and vets it like any other entry or exit."""

    action: TradeAction
    size_pct: Decimal              # of equity for an entry, of the position for an exit; already clamped
    order_kind: OrderKind = OrderKind.MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    take_profit: Decimal | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """The question put to a decision maker: a new signal, an open position in a soft zone, or a whole symbol."""

    ts_ms: int
    signal: Signal | None = None
    position: Position | None = None
    context: str = ""        # market summary (regime, trend per timeframe); never secrets
    zone: str = ""           # for a position: "soft_stop" or "take_profit", the zone it has just entered
    candles: Candles | None = None   # recent closed candles of the symbol, newest last, for the rules
    view: SymbolView | None = None   # everything the LLM is shown about the symbol (a symbol review)


@quick_init
@dataclass(frozen=True, slots=True)
class Decision:
    """The answer, with who gave it, why, and on what grounds."""

    action: Action
    confidence: float
    reason: str
    decided_by: str          # "rules" or the model name
    source: DecisionSource = DecisionSource.LLM_OFF
    idea: TradeIdea | None = None    # for an LLM's BUY/SELL/SHORT/COVER: size, order type, levels
    ref: int | None = None           # the decision log row, for the risk verdict and the order it led to

    @property
    def trade_action(self) -> TradeAction:
        """Return the decision as HOLD/BUY/SELL/SHORT/COVER (HOLD for a skip or a hold)."""
        return self.idea.action if self.idea is not None else TradeAction.HOLD
