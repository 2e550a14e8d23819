"""Live-order approval cards in the chat: shown with Approve and Reject, edited in place as they end.

The core decides everything (trading/services/approvals.py); this module answers each press at once with a
toast decided from the database alone, then (after the answer) prompts for the code, marks the card whose code
request it replaced, and re-quotes the card: a replacement card when the order changed, and the buttons taken away
in every final state.
"""
from __future__ import annotations

import contextlib
import html

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.callback_data import decode
from bot.context import BotContext, query_of
from bot.views import approvals as views
from bot.views.control import code_prompt, locked_text
from trading.domain.approval_cards import CARD_LABEL
from trading.domain.approvals import Approval, TapOutcome, TapResult
from trading.domain.errors import InvalidInput, TradingError
from trading.logs import get_logger
from trading.services.approvals import Approvals, Pressed
from trading.services.code_requests import CodeRequest

log = get_logger(__name__)


async def show(context: BotContext, chat_id: int, approval: Approval, note: str = "") -> None:
    """Send the card for approval and remember its message."""
    await send_card(context.bot, context.orders.approvals, chat_id, approval, note)


async def send_card(bot: Bot, approvals: Approvals, chat_id: int, approval: Approval, note: str = "") -> None:
    """Send the card for approval with bot and remember its message (the bot's own entries come through here)."""
    message = await bot.send_message(chat_id, views.card_text(approval, note), parse_mode=ParseMode.HTML,
                                     reply_markup=views.keyboard(approval))
    await approvals.shown(approval.id, message.message_id)


async def pressed(update: Update, context: BotContext) -> None:
    """Answer Approve or Reject at once from the database; re-quote an approved card after the answer."""
    query = query_of(update)
    try:
        callback = decode(query.data)
        approval_id, _, shown_hash = callback.id.rpartition(".")
    except InvalidInput as exc:
        await query.answer(str(exc))
        return
    approvals, user_id = context.orders.approvals, query.from_user.id
    if callback.action == views.APPROVE:
        press = await approvals.press(approval_id, shown_hash, user_id)
    else:
        press = Pressed(await approvals.reject(approval_id, shown_hash, user_id))
    result = press.result
    await query.answer((locked_text(result.locked_until_ms) if result.outcome is TapOutcome.LOCKED
                        else views.toast(result))[:200])
    await settle(context, result, query.message.chat.id if query.message else None)
    if press.request is not None:     # the slow part runs after the answer, and holds no other update back
        context.application.create_task(asked(context, press.request), update=update)


async def asked(context: BotContext, request: CodeRequest) -> None:
    """Prompt for the code of an approved card, tell the request it replaced, then re-quote the card.

    It runs after the press was answered, so a failure here is told here: the error handler's "nothing was
    changed; try again" would be wrong (the code request waits, and pressing again says so).
    """
    try:
        await _asked(context, request)
    except TradingError as exc:        # the re-quote: the code still works, and the order is checked again then
        await context.bot.send_message(
            request.user_id, f"Could not re-check the price of card #{html.escape(request.ref[:CARD_LABEL])} just now "
                             f"({html.escape(str(exc))}). Your code still works: the order is checked against the "
                             f"price again when you send it.", parse_mode=ParseMode.HTML)
    except Exception:
        log.exception("after an Approve press", ref=request.ref)
        context.codes.withdraw(request.user_id, request.ref)        # no code acts on a card left half-asked
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(request.user_id, "Something failed on my side after your Approve: no "
                                                            "order was placed and no code is waiting. Press Approve "
                                                            "on the card again.")


async def _asked(context: BotContext, request: CodeRequest) -> None:
    if context.codes.waiting(request.user_id) is not request:
        return                # replaced meanwhile by a newer request: its own prompt says what the code does
    await context.bot.send_message(request.user_id, code_prompt(request), parse_mode=ParseMode.HTML)
    await replaced(context, request)
    checked = await context.orders.approvals.recheck(request.ref)
    if checked is None:
        return
    await settle(context, checked)
    if checked.outcome in (TapOutcome.REFRESHED, TapOutcome.BLOCKED):
        await context.bot.send_message(request.user_id, views.withdrawn_text(checked), parse_mode=ParseMode.HTML)


async def replaced(context: BotContext, request: CodeRequest) -> None:
    """Mark the card whose code request the new one replaced, if it was a card still waiting (buttons kept)."""
    old = request.replaced
    if old is None or not old.ref:
        return
    card = await context.orders.approvals.card(old.ref)
    if card is None or card.message_id is None or card.confirmation.state.value != "pending":
        return
    with contextlib.suppress(TelegramError):      # the card may be gone from the chat; the prompt said it anyway
        await context.bot.edit_message_text(views.card_text(card, views.REPLACED_NOTE), card.confirmation.chat_id,
                                            card.message_id, parse_mode=ParseMode.HTML,
                                            reply_markup=views.keyboard(card))


async def settle(context: BotContext, result: TapResult, chat_id: int | None = None) -> None:
    """Edit a final card to say how it ended (buttons gone) and show its replacement, if any."""
    if result.replacement is not None:
        await show(context, result.replacement.confirmation.chat_id, result.replacement, result.detail)
    if not result.final or result.approval is None or result.outcome in (TapOutcome.UNKNOWN,):
        return
    approval = result.approval
    if approval.message_id is None:
        return
    text: str | None = views.result_text(result)
    if result.outcome is TapOutcome.ALREADY_ANSWERED or (result.outcome is TapOutcome.REFRESHED
                                                         and result.replacement is None):
        text = None                     # the card already says how it ended; only its buttons may linger
    with contextlib.suppress(TelegramError):
        if text is None:
            await context.bot.edit_message_reply_markup(approval.confirmation.chat_id, approval.message_id,
                                                        reply_markup=None)
        else:
            await context.bot.edit_message_text(text, approval.confirmation.chat_id, approval.message_id,
                                                parse_mode=ParseMode.HTML, reply_markup=None)


async def expire_due(context: BotContext) -> None:
    """Take the buttons off the cards whose time ran out (a job; never raises)."""
    try:
        for approval in await context.orders.approvals.expire_due():
            await settle(context, TapResult(TapOutcome.EXPIRED, approval))
    except Exception:
        log.exception("expiring approval cards failed; will try again")
