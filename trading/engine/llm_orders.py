"""From an LLM's decision to the engine's usual inputs: a signal for the entry gate, a size cap, an exit share.

An LLM entry goes through the same gate as every other entry (TradingEngine.plan_entry): it is turned into
a Signal whose entry is the mark (or the limit), whose stop is the LLM's or else the hard-stop level, so
risk sizes it as it sizes any trade; the LLM's size_pct can then only make it smaller. The LLM never sets
a fill price: market orders fill at the market, a limit is a limit.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from trading.domain.decisions import Decision, OrderKind, TradeAction, TradeIdea
from trading.domain.instruments import Instrument
from trading.domain.orders import OrderType
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.engine.entry_pipeline import EntryPlan, EntryRule, Rejection
from trading.risk.protective_stops import ProtectionSettings, StopState, hard_stop_price

HUNDRED = Decimal(100)
LLM_STRATEGY = "llm"


def idea_signal(symbol: str, decision: Decision, mark: Decimal, ts_ms: int, hard_stop_pct: Decimal,
                timeframe: str = "1m", leverage: int = 1) -> Signal:
    """Return the entry signal an LLM's BUY or SHORT stands for (leverage: the trade's, 1 on spot)."""
    idea = _idea(decision)
    side = PositionSide.LONG if idea.action is TradeAction.BUY else PositionSide.SHORT
    entry = idea.limit_price if idea.order_kind is OrderKind.LIMIT and idea.limit_price is not None else mark
    stop = idea.stop_price
    if stop is None:      # no stop from the LLM: the hard stop (a loss on the position) is where the trade is wrong
        at_entry = StopState(side, entry, Decimal(0), entry, leverage)
        stop = hard_stop_price(at_entry, ProtectionSettings(hard_stop_pct=hard_stop_pct))
        assert stop is not None
    setup = f"{LLM_STRATEGY}:{symbol}:{ts_ms}:{decision.ref if decision.ref is not None else 0}"
    reason = f"{decision.decided_by} {idea.action} ({decision.confidence:.2f}): {decision.reason}"
    return Signal(symbol, LLM_STRATEGY, side, entry, stop, idea.take_profit, decision.confidence, ts_ms, timeframe,
                  reason[:300], setup)


def capped_plan(plan: EntryPlan, decision: Decision, equity: Decimal, instrument: Instrument
                ) -> EntryPlan | Rejection:
    """Return the gate's plan made no larger than the LLM's size_pct of equity, as a limit order when asked."""
    idea = _idea(decision)
    size = plan.size
    price = plan.signal.entry
    cap = instrument.round_amount(equity * idea.size_pct / HUNDRED / price)
    if cap < size.amount:
        problem = instrument.check_order(cap, price)
        if problem is not None:
            return Rejection(plan.signal, EntryRule.CASH, f"{idea.size_pct}% of equity is too small: {problem}")
        share = cap / size.amount
        size = replace(size, amount=cap, notional=cap * price, margin=size.margin * share, risk=size.risk * share,
                       limited_by=f"LLM size {idea.size_pct}%")
    intent = replace(plan.intent, amount=size.amount)
    if idea.order_kind is OrderKind.LIMIT and idea.limit_price is not None:
        # on the tick away from the stop's side (a buy down, a sell up): the entry is never further from the
        # stop than sized, so the risk taken is at most the risk sized
        buys = plan.signal.side is PositionSide.LONG
        intent = replace(intent, type=OrderType.LIMIT, price=instrument.round_price_toward(idea.limit_price,
                                                                                            up=not buys))
    return replace(plan, intent=intent, size=size)


def exit_share(decision: Decision) -> Decimal:
    """Return the share of the position an LLM's SELL or COVER closes (the whole of it without an idea)."""
    if decision.idea is None:
        return Decimal(1)
    return min(decision.idea.size_pct / HUNDRED, Decimal(1))


def _idea(decision: Decision) -> TradeIdea:
    if decision.idea is None:
        raise ValueError("an LLM order needs the decision's trade idea")
    return decision.idea
