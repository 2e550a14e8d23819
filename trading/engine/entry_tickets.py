"""The card of the bot's own entry: its plan as the ticket of figures an approval binds (LIVE_AUTONOMY=approve).

The ticket shows what the plan will send (side, size, a market or a limit order), where it is expected to fill,
the taker fee there, the plan's stop and target, and the quote lost at the stop with both fees. Its canonical
form is hashed into the card's buttons like a manual order's, so Approve releases exactly the figures shown.
"""
from __future__ import annotations

from decimal import Decimal

from trading.domain.instruments import Instrument
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket
from trading.domain.orders import OrderType
from trading.domain.positions import PositionSide
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.llm_orders import LLM_STRATEGY

REASON_CHARS = 300


def plan_ticket(plan: EntryPlan, instrument: Instrument, price: Decimal, now_ms: int) -> OrderTicket:
    """Return the ticket a card shows for plan with the market at price (a limit fills at its own price)."""
    intent = plan.intent
    limit = intent.price if intent.type is OrderType.LIMIT else None
    fill = limit if limit is not None else price
    amount = plan.size.amount
    if intent.quote_amount is not None:     # a spot budget: the amount is whatever the quote buys at the fill
        amount = instrument.round_amount(intent.quote_amount / fill)
    notional = intent.quote_amount if intent.quote_amount is not None else amount * fill
    fee = notional * instrument.taker_fee
    # the quote lost at the stop, both fees in; without a stop the whole notional is at stake
    risk = amount * abs(fill - plan.stop) + 2 * fee if plan.stop is not None else notional
    leg = Leg(intent.symbol, intent.side, amount, fill, fee, quote_amount=intent.quote_amount, limit=limit,
              stop=plan.stop, target=plan.take_profit, risk=risk, price_tick=instrument.price_tick,
              amount_step=instrument.amount_step, leverage=intent.leverage or 1)
    kind = OrderKind.BUY if plan.signal.side is PositionSide.LONG else OrderKind.SHORT
    order = ManualOrder(kind, intent.symbol, notional, limit)
    return OrderTicket(order, (leg,), now_ms, instrument.quote)


def plan_reason(plan: EntryPlan) -> str:
    """Return why the bot wants the entry, in one line: the strategy's setup and the decision on it."""
    s, d = plan.signal, plan.decision
    if s.strategy == LLM_STRATEGY:      # the LLM's own idea: its reason is the whole story
        return s.reason[:REASON_CHARS]
    return f"{s.strategy} {s.side} ({s.timeframe}): {s.reason}; {d.decided_by}: {d.reason}"[:REASON_CHARS]


def past_stop(plan: EntryPlan, price: Decimal) -> bool:
    """Return True when price is already at or beyond the plan's stop: entering there is wrong at once."""
    if plan.stop is None:
        return False
    return price <= plan.stop if plan.signal.side is PositionSide.LONG else price >= plan.stop
