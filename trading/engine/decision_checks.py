"""Turning an LLM's proposal into a Decision the engine may act on, or a HOLD that says what was wrong.

Anything out of range or contradictory is HOLD with the reason (source invalid): an action risk does not
allow now, a confidence outside 0..1, a size outside (0, 100], a limit order without a price, a limit price
on the wrong side of the mid or further from it than allowed, a stop or target on the wrong side. A
confidence below the threshold is HOLD too (source model: the model answered, it was not sure enough).
Sizes above the cap are clamped to it. The LLM never sets a fill price; a limit is a limit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.decisions import Action, Decision, DecisionSource, OrderKind, TradeAction, TradeIdea
from trading.engine.symbol_view import SymbolView

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the LLM replied, parsed but not yet trusted."""

    action: str
    confidence: float
    reasoning: str
    risk_notes: str | None = None
    size_pct: Decimal | None = None
    order_type: str | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    take_profit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """The thresholds a proposal is held to."""

    min_confidence: float = 0.65
    limit_max_distance_pct: Decimal = Decimal("2")


def hold(reason: str, decided_by: str, source: DecisionSource, confidence: float = 0.0) -> Decision:
    """Return a HOLD with who and why."""
    return Decision(Action.HOLD, confidence, reason, decided_by, source)


def check_proposal(proposal: Proposal, view: SymbolView, settings: CheckSettings, decided_by: str) -> Decision:
    """Return the decision the proposal stands for, or HOLD (invalid) naming the first thing wrong with it."""
    problem = _problem(proposal, view, settings)
    if problem is not None:
        return hold(f"invalid reply: {problem}", decided_by, DecisionSource.INVALID)
    action = TradeAction(proposal.action)
    reason = _reason(proposal)
    if action is TradeAction.HOLD:
        return Decision(Action.HOLD, proposal.confidence, reason, decided_by, DecisionSource.MODEL)
    if proposal.confidence < settings.min_confidence:
        return hold(f"{action} at confidence {proposal.confidence:.2f} is below {settings.min_confidence:.2f}: "
                    f"hold. {reason}", decided_by, DecisionSource.MODEL, proposal.confidence)
    cap = view.allowed.max_size_pct if action.opens else HUNDRED
    size = HUNDRED if proposal.size_pct is None else min(proposal.size_pct, cap)
    limit = proposal.order_type == OrderKind.LIMIT
    idea = TradeIdea(action, size, OrderKind.LIMIT if limit else OrderKind.MARKET,
                     proposal.limit_price if limit else None,
                     proposal.stop_price if action.opens else None, proposal.take_profit if action.opens else None)
    engine_action = Action.ENTER if action.opens else Action.EXIT
    return Decision(engine_action, proposal.confidence, reason, decided_by, DecisionSource.MODEL, idea)


def _reason(proposal: Proposal) -> str:
    notes = (proposal.risk_notes or "").strip()
    return proposal.reasoning.strip() + (f" Risk: {notes}" if notes else "")


def _problem(p: Proposal, view: SymbolView, settings: CheckSettings) -> str | None:
    try:
        action = TradeAction(p.action)
    except ValueError:
        return f"action {p.action!r} is not one of {', '.join(a.value for a in TradeAction)}"
    if action not in view.allowed.actions:
        why = f" ({view.allowed.blocked})" if view.allowed.blocked else ""
        return f"{action} is not allowed now; allowed: {', '.join(view.allowed.actions)}{why}"
    if not 0 <= p.confidence <= 1:
        return f"confidence {p.confidence} is outside 0..1"
    if not p.reasoning.strip():
        return "no reasoning given"
    if action is TradeAction.HOLD:
        return None
    if p.size_pct is None and action.opens:
        return f"{action} without size_pct"
    if p.size_pct is not None and not 0 < p.size_pct <= HUNDRED:
        return f"size_pct {p.size_pct} is outside (0, 100]"
    return _order_problem(p, action, view.mark, settings) or _level_problem(p, action, view.mark)


def _order_problem(p: Proposal, action: TradeAction, mid: Decimal, settings: CheckSettings) -> str | None:
    if p.order_type not in (OrderKind.MARKET, OrderKind.LIMIT):
        return f"order_type {p.order_type!r} is not market or limit"
    if p.order_type == OrderKind.MARKET:
        return None if p.limit_price is None else "a limit_price on a market order"
    if p.limit_price is None or p.limit_price <= 0:
        return "a limit order without a positive limit_price"
    buying = action in (TradeAction.BUY, TradeAction.COVER)
    if (buying and p.limit_price > mid) or (not buying and p.limit_price < mid):
        side = "above" if buying else "below"
        return f"{action} limit {p.limit_price} is {side} the mid {mid} (the wrong side)"
    distance = abs(p.limit_price - mid) / mid * HUNDRED
    if distance > settings.limit_max_distance_pct:
        return (f"limit {p.limit_price} is {distance:.2f}% from the mid {mid}, more than "
                f"{settings.limit_max_distance_pct}%")
    return None


def _level_problem(p: Proposal, action: TradeAction, mid: Decimal) -> str | None:
    if not action.opens:
        return None
    long = action is TradeAction.BUY
    if p.stop_price is not None and (p.stop_price <= 0 or (p.stop_price >= mid if long else p.stop_price <= mid)):
        return f"stop_price {p.stop_price} is on the wrong side of the mid {mid} for {action}"
    if p.take_profit is not None and (p.take_profit <= mid if long else p.take_profit >= mid):
        return f"take_profit {p.take_profit} is on the wrong side of the mid {mid} for {action}"
    return None
