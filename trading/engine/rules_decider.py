"""The rules decision maker: what the bot decides while no LLM is configured (and when one times out).

- A signal is entered when its reward:risk reaches min_reward_risk and its confidence min_confidence;
  a signal without a take-profit has no reward to weigh and is skipped, except one with neither a stop
  nor a target (the EMA-cross yardstick), which exits on its own signal: it is entered on its confidence.
- In the soft-stop zone the position is exited when its structure is broken: the last close went past
  the extreme of the structure_bars candles before it (a lower low for a long, a higher high for a
  short). Otherwise it is held: the hard stop still guards it.
- In the take-profit zone profit is taken when momentum fades: the last close is back on the wrong side
  of the EMA(momentum_ema) of the closes. Otherwise it is held and the trailing stop follows it.
Without candles the rules hold: they never guess an exit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from trading.domain.candles import Candles
from trading.domain.decisions import Action, Decision, DecisionRequest
from trading.domain.positions import Position, PositionSide
from trading.domain.signals import Signal
from trading.indicators.classic import ema
from trading.risk.protective_stops import Zone

DECIDED_BY = "rules"


@dataclass(frozen=True, slots=True)
class RulesSettings:
    """Thresholds of the rules decision maker."""

    min_reward_risk: Decimal = Decimal("1.5")
    min_confidence: float = 0.4
    structure_bars: int = 10
    momentum_ema: int = 9


def decide_by_rules(request: DecisionRequest, settings: RulesSettings) -> Decision:
    """Return the rules' decision on a signal, or on a position that has entered a zone."""
    if request.signal is not None:
        return _on_signal(request.signal, settings)
    if request.position is not None and request.zone == Zone.SOFT_STOP:
        return _on_soft_stop(request.position, request.candles, settings)
    if request.position is not None and request.zone == Zone.TAKE_PROFIT:
        return _on_take_profit_zone(request.position, request.candles, settings)
    return Decision(Action.HOLD, 0.0, "nothing to decide", DECIDED_BY)


class RulesDecider:
    """The DecisionMaker port over decide_by_rules; answers at once."""

    def __init__(self, settings: RulesSettings = RulesSettings()) -> None:
        self.settings = settings
        # a strategy's own minimum reward:risk (tuned from the chat), over settings.min_reward_risk
        self.min_reward_risk_of: dict[str, Decimal] = {}

    async def decide(self, request: DecisionRequest) -> Decision:
        """Return the rules' decision (a signal weighed against its strategy's own minimum, when it has one)."""
        own = self.min_reward_risk_of.get(request.signal.strategy) if request.signal is not None else None
        return decide_by_rules(request, self.settings if own is None else replace(self.settings, min_reward_risk=own))


def _on_signal(signal: Signal, settings: RulesSettings) -> Decision:
    ratio = signal.reward_risk
    if signal.stop is None and signal.take_profit is None:
        return _on_stopless(signal, settings)
    if ratio is None:
        return Decision(Action.SKIP, 0.0, "no take-profit, so no reward to weigh against the risk", DECIDED_BY)
    if ratio < settings.min_reward_risk:
        return Decision(Action.SKIP, signal.confidence,
                        f"reward:risk {ratio:.2f} below {settings.min_reward_risk}", DECIDED_BY)
    if signal.confidence < settings.min_confidence:
        return Decision(Action.SKIP, signal.confidence,
                        f"confidence {signal.confidence:.2f} below {settings.min_confidence:.2f}", DECIDED_BY)
    return Decision(Action.ENTER, signal.confidence,
                    f"reward:risk {ratio:.2f}, confidence {signal.confidence:.2f}", DECIDED_BY)


def _on_stopless(signal: Signal, settings: RulesSettings) -> Decision:
    # a strategy that exits on its own signal (the EMA-cross yardstick) has no levels to weigh
    if signal.confidence < settings.min_confidence:
        return Decision(Action.SKIP, signal.confidence,
                        f"confidence {signal.confidence:.2f} below {settings.min_confidence:.2f}", DECIDED_BY)
    return Decision(Action.ENTER, signal.confidence, "no stop or target: the strategy exits on its own signal",
                    DECIDED_BY)


def _on_soft_stop(position: Position, candles: Candles | None, settings: RulesSettings) -> Decision:
    if candles is None or len(candles) <= settings.structure_bars:
        return Decision(Action.HOLD, 0.5, "soft-stop zone, no candles to judge the structure: hold", DECIDED_BY)
    before, last = candles[-settings.structure_bars - 1:-1], float(candles.close[-1])
    if position.side is PositionSide.LONG:
        level, broken, word = float(np.min(before.low)), last < float(np.min(before.low)), "below the low"
    else:
        level, broken, word = float(np.max(before.high)), last > float(np.max(before.high)), "above the high"
    where = f"close {last:g} {word if broken else 'inside the range'} of the last {settings.structure_bars} bars"
    if broken:
        return Decision(Action.EXIT, 0.7, f"structure broken: {where} ({level:g})", DECIDED_BY)
    return Decision(Action.HOLD, 0.6, f"structure intact: {where}; the hard stop still guards it", DECIDED_BY)


def _on_take_profit_zone(position: Position, candles: Candles | None, settings: RulesSettings) -> Decision:
    if candles is None or len(candles) < settings.momentum_ema:
        return Decision(Action.HOLD, 0.5, "take-profit zone, no candles to judge momentum: hold", DECIDED_BY)
    average = float(ema(candles.close, settings.momentum_ema)[-1])
    last = float(candles.close[-1])
    fading = last < average if position.side is PositionSide.LONG else last > average
    where = f"close {last:g} vs EMA{settings.momentum_ema} {average:.2f}"
    if fading:
        return Decision(Action.EXIT, 0.7, f"momentum fading ({where}): take the profit", DECIDED_BY)
    return Decision(Action.HOLD, 0.6, f"momentum intact ({where}): let the trailing stop follow", DECIDED_BY)
