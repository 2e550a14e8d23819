"""What an LLM is shown about one symbol, and what risk allows it to answer.

Before every call the actions allowed now are worked out from the same rules the entry gate applies
(kill switch, circuit breaker, account limits, one position per symbol, no shorts on spot), so the
reply's schema offers nothing the gate would refuse for those reasons; the gate still has the last word.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Mapping

from trading.domain.candles import Candles, Timeframe
from trading.domain.decisions import TradeAction
from trading.domain.positions import Position, PositionSide
from trading.domain.signals import Signal
from trading.engine.engine_state import EngineSettings, EngineState
from trading.engine.entry_gate import EntryOrigin, vet_new_position
from trading.indicators.regime import Regime
from trading.strategies.market_picture import MarketPicture

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class AllowedActions:
    """The actions risk allows now, the largest size, and why the others are not offered."""

    actions: tuple[TradeAction, ...]
    max_size_pct: Decimal
    blocked: str = ""           # the rule that stops entries now, in words ("" when entries are allowed)

    @property
    def only_hold(self) -> bool:
        """Return True when HOLD is all that is left."""
        return self.actions == (TradeAction.HOLD,)


@dataclass(frozen=True, slots=True)
class PastDecision:
    """One of the symbol's recent decisions and what came of it, for the prompt's memory."""

    ts_ms: int
    action: str
    confidence: float
    source: str
    price: Decimal | None
    outcome: str                # e.g. "filled", "blocked: max_open_positions", "not traded"


@dataclass(frozen=True, slots=True)
class SymbolView:
    """Everything the LLM sees about a symbol at ts_ms; never a key, token, chat id or file path."""

    symbol: str
    ts_ms: int
    mark: Decimal
    frames: Mapping[Timeframe, Candles]
    allowed: AllowedActions
    equity: Decimal
    cash: Decimal
    quote: str = "USDT"
    futures: bool = False
    signals: tuple[Signal, ...] = ()
    picture: MarketPicture | None = None
    position: Position | None = None
    stop: Decimal | None = None          # the position's armed stop
    take_profit: Decimal | None = None
    zone: str = ""                       # "soft_stop" / "take_profit" when the position has just entered one
    btc_regime: Regime = Regime.UNKNOWN
    history: tuple[PastDecision, ...] = ()
    trigger: str = ""                    # why the LLM is asked now (filled in by the schedule)
    params: Mapping[str, str] = field(default_factory=dict)


def allowed_actions(state: EngineState, settings: EngineSettings, symbol: str, position: Position | None,
                    ts_ms: int, *, futures: bool, known_market: bool, equity: Decimal, cash: Decimal,
                    max_size_pct: Decimal, leverage: int = 1) -> AllowedActions:
    """Return what the LLM may answer for symbol now: reducing is always allowed, entries only past the gates."""
    if position is not None:
        closing = TradeAction.SELL if position.side is PositionSide.LONG else TradeAction.COVER
        return AllowedActions((TradeAction.HOLD, closing), HUNDRED, f"{symbol} already has a position")
    if state.busy(symbol):
        return AllowedActions((TradeAction.HOLD,), Decimal(0), f"{symbol} has an entry on its way")
    verdict = vet_new_position(state, settings, ts_ms, EntryOrigin.ENGINE, symbol)   # the one gate, holds included
    if not verdict.allowed:
        return AllowedActions((TradeAction.HOLD,), Decimal(0), verdict.reason)
    if not known_market:
        return AllowedActions((TradeAction.HOLD,), Decimal(0), f"{symbol} is not a known market here")
    size = _largest_size_pct(equity, cash, max_size_pct, leverage)
    if size <= 0:
        return AllowedActions((TradeAction.HOLD,), Decimal(0), "no free cash for a new entry")
    entries = (TradeAction.BUY, TradeAction.SHORT) if futures else (TradeAction.BUY,)
    return AllowedActions((TradeAction.HOLD, *entries), size)


def _largest_size_pct(equity: Decimal, cash: Decimal, cap_pct: Decimal, leverage: int) -> Decimal:
    # an entry's margin must fit the free cash: at most cash x leverage of notional, as a share of equity
    if equity <= 0 or cash <= 0:
        return Decimal(0)
    fits = (cash * leverage / equity * HUNDRED).quantize(Decimal("0.1"), ROUND_DOWN)
    return min(cap_pct, fits)
