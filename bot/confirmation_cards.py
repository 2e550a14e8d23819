"""Confirmation cards: a question with buttons that only the asker can answer, once, before it expires.

Each card is a row in the confirmations table (trading/services/confirmations.py); its buttons carry the row's id.
A press is answered at once: a claimed press goes on to its action, any other gets a toast saying why it did
nothing (another user's, already answered, out of date), so no phone is left with a spinning button.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Mapping, Sequence, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.callback_data import OUT_OF_DATE, Callback, decode
from bot.context import BotContext, chat_id_of, message_of, query_of, user_id_of
from trading.domain.confirmations import ClaimOutcome
from trading.domain.errors import InvalidInput
from trading.services.confirmations import DEFAULT_TTL_MS

T = TypeVar("T")
TOASTS = {
    ClaimOutcome.NOT_YOURS: "This button belongs to the person who asked; it did nothing.",
    ClaimOutcome.ALREADY_ANSWERED: "Already answered; this press did nothing.",
    ClaimOutcome.EXPIRED: OUT_OF_DATE,
    ClaimOutcome.UNKNOWN: OUT_OF_DATE,
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One button of a card: its label and the verb its callback data carries."""

    label: str
    verb: str


async def ask(update: Update, context: BotContext, action: str, payload: Mapping[str, Any], prefix: str,
              text: str, choices: Sequence[Choice], ttl_ms: int = DEFAULT_TTL_MS) -> Message:
    """Record the question for the user who asked and show it with one button per choice."""
    confirmation = await context.confirmations.ask(user_id_of(update), chat_id_of(update), action,
                                                   payload, ttl_ms)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=Callback(
        prefix, c.verb, confirmation.id).encode()) for c in choices]])
    return await message_of(update).reply_text(text, reply_markup=keyboard)


async def claim(update: Update, context: BotContext, action: str, choices: Sequence[Choice],
                payload: Mapping[str, Any] | None = None) -> Callback | None:
    """Claim the pressed card for the presser and answer the press; return None when the press must do nothing."""
    query = query_of(update)
    try:
        callback = decode(query.data)
    except InvalidInput as exc:
        await query.answer(str(exc))
        return None
    if callback.action not in {c.verb for c in choices}:
        await query.answer(OUT_OF_DATE)
        return None
    outcome = await context.confirmations.claim(callback.id, query.from_user.id, action, payload)
    await query.answer(None if outcome.granted else TOASTS[outcome.outcome])
    return callback if outcome.granted else None


JUST_SHOWN = "Just shown above; press again in a few seconds for a fresh one."


async def fresh_press(update: Update, context: BotContext) -> bool:
    """Claim a press of a show-only button; a double tap or a re-delivered press is answered and does nothing."""
    query = query_of(update)
    message = query.message
    if not isinstance(message, Message):    # Telegram did not say which message (or cannot show it): none to show under
        await query.answer(OUT_OF_DATE)
        return False
    if await context.confirmations.press(message.chat.id, message.message_id, query.data or ""):
        return True
    await query.answer(JUST_SHOWN)
    return False


async def carry_out(context: BotContext, callback: Callback, work: Awaitable[T]) -> T:
    """Run a claimed card's action and record what came of it (done, or failed and why)."""
    try:
        result = await work
    except Exception as exc:
        await context.confirmations.finish(callback.id, f"failed: {type(exc).__name__}")
        raise                     # the error handler tells the chat
    await context.confirmations.finish(callback.id, "done")
    return result
