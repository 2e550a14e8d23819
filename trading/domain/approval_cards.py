"""A live-order card as the chat reads it: its label, its order in a few words, and what a re-quote makes of it.

A card is quoted again after Approve and at the code: it holds while the same orders are still placed and the
price moved no more than the slippage allowed; otherwise it is replaced (refreshed) or ended (blocked), and a code
that arrives after the re-quote ended the card is told why from what the card's row recorded.
"""
from __future__ import annotations

from decimal import Decimal

from trading.domain.approvals import Approval, TapOutcome, TapResult
from trading.domain.instruments import amount_text
from trading.domain.manual_orders import OrderTicket

CARD_LABEL = 4         # characters of a card's id that name it in the chat


def card_label(approval: Approval) -> str:
    """Return how the chat names a card: 'card #Ab3x' (the start of its id), on the card and in its code prompt."""
    return f"card #{approval.id[:CARD_LABEL]}"


def describe(ticket: OrderTicket) -> str:
    """Return a ticket in a few words: 'buy 100 USDT of BTC/USDT', 'close 2 positions'."""
    kind, legs = ticket.order.kind.value, ticket.legs
    if len(legs) != 1:
        return f"{kind}: {len(legs)} orders"
    leg = legs[0]
    if leg.cancel_id:
        return f"cancel order {leg.cancel_id} ({leg.symbol})"
    # the amount the exchange gets: on the market's step (a spot market buy spends its quote, to the cent)
    size = f"{leg.quote_amount:,.2f} {ticket.quote_asset}" if leg.quote_amount is not None else \
        amount_text(leg.amount, leg.amount_step)
    return f"{kind} {size} {leg.symbol}"


def requote_change(shown: OrderTicket, newer: OrderTicket, max_slippage_bps: Decimal) -> str:
    """Return why the re-quoted ticket replaces the card shown ('' when the card holds)."""
    levers = [(old.leverage, new.leverage) for old, new in zip(shown.legs, newer.legs) if old.leverage != new.leverage]
    if levers and len(shown.legs) == len(newer.legs):
        was, now = levers[0]
        return f"the leverage changed ({was}x → {now}x): the stop and risk are worked out again"
    if not shown.same_orders(newer):
        return "the orders changed (a position or an order changed)"
    moved = shown.moved_bps(newer)
    if moved <= max_slippage_bps:
        return ""
    return f"the price moved {moved:.0f} bps (more than {max_slippage_bps} allowed)"


def ended_by_recheck(approval: Approval) -> TapResult | None:
    """Return how the re-quote after the press ended a card its code then found ended (None: it did not)."""
    c = approval.confirmation
    if c.state.value != "expired":
        return None
    if c.result == "refreshed":
        return TapResult(TapOutcome.REFRESHED, approval, detail="the order changed when it was checked after "
                                                                "your press")
    if c.result.startswith("blocked: "):
        return TapResult(TapOutcome.BLOCKED, approval, detail=c.result.removeprefix("blocked: "))
    return None
