"""Rendering of live-order approval cards and of what came of them."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback
from bot.views import esc, money, price
from bot.views.control import clock_time
from bot.views.portfolio import cancelled_text, fill_verb, receipt_text
from trading.domain.approvals import Approval, TapOutcome, TapResult
from trading.domain.instruments import amount_text
from trading.domain.manual_orders import Leg, OrderKind, OrderTicket
from trading.domain.orders import Order
from trading.domain.approval_cards import card_label

PREFIX = "ap"
APPROVE, REJECT = "ok", "no"
REPLACED_NOTE = "Code request replaced by a newer one: a code no longer sends this. Press Approve again to approve it."
TOASTS = {
    TapOutcome.CODE_ASKED: "Approved: now send your 6-digit code in our private chat.",
    TapOutcome.WAITING: "Already approved: waiting for your code for this card. This press did nothing.",
    TapOutcome.REFRESHED: "The order changed since the card was shown: check the new card. Nothing was placed.",
    TapOutcome.BLOCKED: "Not placed: it is blocked now (see the card).",
    TapOutcome.REJECTED: "Rejected: nothing was placed.",
    TapOutcome.NOT_YOURS: "This card belongs to the person who asked; it did nothing.",
    TapOutcome.ALREADY_ANSWERED: "Already answered; this press did nothing.",
    TapOutcome.EXPIRED: "This card expired; nothing was placed. Send the command again.",
    TapOutcome.UNKNOWN: "This button does not match a live card; nothing was placed.",
}


def toast(result: TapResult) -> str:
    """Return the toast for a press: the bot's own expired card has no command to send again."""
    approval = result.approval
    if result.outcome is TapOutcome.EXPIRED and approval is not None and approval.bot_entry:
        return "This card expired; nothing was placed. The bot proposes again on its next signal."
    return TOASTS[result.outcome]


def keyboard(approval: Approval) -> InlineKeyboardMarkup:
    """Return Approve and Reject, bound to the approval and the hash of the ticket shown."""
    ref = f"{approval.id}.{approval.hash_shown}"
    approve = InlineKeyboardButton("✅ Approve", callback_data=Callback(PREFIX, APPROVE, ref).encode())
    reject = InlineKeyboardButton("❌ Reject", callback_data=Callback(PREFIX, REJECT, ref).encode())
    return InlineKeyboardMarkup([[approve, reject]])


def card_text(approval: Approval, note: str = "") -> str:
    """Return the card: what will be sent, at what estimated price, fees, stop, target and risk."""
    ticket = approval.ticket
    origin = "🤖 the bot's own entry" if approval.bot_entry else f"/{esc(ticket.order.kind.value)}"
    lines = [f"🔐 <b>Live order: approve?</b> ({origin})"]
    if note:
        lines.append(f"⚠️ {esc(note)}")
    lines += [_leg(leg, ticket) for leg in ticket.legs]
    lines += [f"ℹ️ {esc(n)}" for n in ticket.notes]           # e.g. dust /closeall leaves
    if approval.reason and approval.reason != "manual":
        lines.append(f"Why: {esc(approval.reason)}")
    name = esc(card_label(approval)).replace("card", "Card", 1)
    lines.append(f"{name} · expires at {clock_time(approval.confirmation.expires_ms)}. Approve asks for your 2FA code.")
    return "\n".join(lines)


def _leg(leg: Leg, ticket: OrderTicket) -> str:
    q, tick = esc(ticket.quote_asset), leg.price_tick
    amount = amount_text(leg.amount, leg.amount_step)
    if leg.cancel_id:
        return f"Cancel order <code>{esc(leg.cancel_id)}</code>: {leg.side} {amount} {esc(leg.symbol)}"
    how = f"limit {price(leg.limit, tick)}" if leg.limit is not None else "market"
    parts = [f"<b>{esc(leg.symbol)}</b> {leg.side.upper()} {amount} ≈ {money(leg.notional)} {q} ({how})",
             f"Est. fill {price(leg.price, tick)} · fees ≈ {money(leg.fee, 4)} {q}"]
    if ":" in leg.symbol and not leg.reduce_only:      # a perpetual's entry: the leverage it is placed at
        parts.append(f"Leverage {leg.leverage}x · margin ≈ {money(leg.notional / leg.leverage)} {q}")
    if leg.stop is not None:
        target = f" · target zone {price(leg.target, tick)}" if leg.target is not None else ""
        parts.append(f"Stop {price(leg.stop, tick)}{target} · risk ≈ {money(leg.risk)} {q}")
    if leg.reduce_only:
        parts.append("Reduce-only")
    return "\n".join(parts)


def result_text(result: TapResult) -> str:
    """Return what a final card says, replacing its buttons."""
    approval, outcome = result.approval, result.outcome
    head = "\n".join(_leg(leg, approval.ticket) for leg in approval.ticket.legs) if approval is not None else ""
    if outcome is TapOutcome.PLACED:
        return f"✅ <b>Approved and sent</b>\n{head}\n" + receipts(result.orders, _ticket(result), result.detail)
    if outcome is TapOutcome.FAILED:
        return f"⚠️ <b>Approved, but the exchange refused it</b>: {esc(result.detail)}\n{head}"
    if outcome is TapOutcome.REFRESHED:
        return f"♻️ <b>Replaced by a new card</b>: {esc(result.detail)}. Nothing was placed.\n{head}"
    if outcome is TapOutcome.BLOCKED:
        return f"⛔ <b>Not placed</b>: {esc(result.detail)}\n{head}"
    if outcome is TapOutcome.REJECTED:
        return f"❌ <b>Rejected</b>: nothing was placed.\n{head}"
    return f"⌛ <b>Expired</b>: nothing was placed.\n{head}"


def withdrawn_text(result: TapResult) -> str:
    """Return the message that ends the code request of a card the re-quote after its press replaced or blocked."""
    label = esc(card_label(result.approval)) if result.approval is not None else "the card"
    if result.outcome is TapOutcome.REFRESHED:
        return (f"♻️ No code needed for {label} any more: {esc(result.detail)}. Nothing was placed; a code now "
                f"does nothing for it. Check the new card and press Approve there.")
    return f"⛔ No code needed for {label} any more: {esc(result.detail.rstrip('.'))}. Nothing was placed."


def code_reply(result: TapResult) -> str:
    """Return the reply to the code that released (or could not release) an approval."""
    if result.outcome is TapOutcome.PLACED:
        return "✅ Code accepted. " + receipts(result.orders, _ticket(result), result.detail)
    if result.outcome is TapOutcome.REFRESHED:
        return f"✅ Code accepted, but nothing was placed: {esc(result.detail)}. Check the new card."
    if result.outcome is TapOutcome.BLOCKED:      # the gate's refusal is a sentence of its own
        return f"✅ Code accepted, but nothing was placed: {esc(result.detail.rstrip('.'))}."
    if result.outcome is TapOutcome.FAILED:
        return f"⚠️ Code accepted; the exchange refused the order: {esc(result.detail)}"
    return f"✅ Code accepted, but nothing was placed: {esc(TOASTS.get(result.outcome, result.outcome.value))}"


def receipts(orders: Sequence[Order], ticket: OrderTicket | None, late: str = "") -> str:
    """Return the receipts of a ticket's orders, the line a late follow-up adds, and the ticket's notes."""
    return "\n".join(receipt(o, ticket) for o in orders) + late_note(late) + ticket_notes(ticket)


def ticket_notes(ticket: OrderTicket | None) -> str:
    """Return the lines a ticket's notes add under its receipts (what /closeall left, and why), '' when none."""
    return "".join(f"\nℹ️ {esc(n)}" for n in ticket.notes) if ticket is not None else ""


def late_note(note: str) -> str:
    """Return the line a receipt adds when following the order up after it went out failed ('' when not)."""
    return f"\n⚠️ {esc(note)}" if note else ""


def _ticket(result: TapResult) -> OrderTicket | None:
    return result.approval.ticket if result.approval is not None else None


def receipt(order: Order, ticket: OrderTicket | None = None) -> str:
    """Return the receipt of a placed order, or of a cancelled one, on the tick and step of its ticket's leg."""
    leg = next((g for g in ticket.legs if g.symbol == order.symbol), None) if ticket is not None else None
    tick, step = (leg.price_tick, leg.amount_step) if leg is not None else (None, None)
    if order.status == "cancelled" and order.filled == 0:
        return cancelled_text(order, step)
    reduces = order.reduce_only or (leg is not None and leg.reduce_only)
    opens_short = ticket is not None and ticket.order.kind is OrderKind.SHORT
    return receipt_text(order, tick, step, fill_verb(replace(order, reduce_only=reduces), opens_short))
