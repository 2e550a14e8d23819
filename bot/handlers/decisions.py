"""/decisions, its buttons, /why, /llmscore, /universe and /ask (plain text too): read-only, thin."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import confirmation_cards as cards
from bot.callback_data import decode
from bot.context import BotContext, message_of, query_of, user_id_of
from bot.handlers import live
from bot.parsing import looks_like_code
from bot.views import decisions as views
from trading.domain.errors import InvalidInput

NOT_YOURS = "These buttons belong to the person who asked; send /decisions yourself."


async def decisions(update: Update, context: BotContext) -> None:
    """Show the newest decisions (of one symbol when given), ten per page."""
    page = await context.decisions.page(" ".join(context.words))
    text, keyboard = views.decisions_page(page, user_id_of(update))
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def decisions_button(update: Update, context: BotContext) -> None:
    """Page through the log, or show one decision's reasoning or prompt; buttons answer only who asked."""
    query = query_of(update)
    callback = decode(query.data)
    item = views.parse_item_id(callback.id) if callback and callback.action != "page" else None
    paged = views.parse_page_id(callback.id) if callback and callback.action == "page" else None
    owner = item[0] if item else paged[0] if paged else None
    if owner != query.from_user.id:
        await query.answer(NOT_YOURS if owner is not None else "This button is out of date.", show_alert=True)
        return
    if paged is None and not await cards.fresh_press(update, context):   # a page edits in place: no claim needed
        return
    await query.answer()
    if paged is not None:
        page = await context.decisions.page(paged[1], paged[2])
        text, keyboard = views.decisions_page(page, owner)
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as exc:        # the same page pressed twice
            if "not modified" not in str(exc):
                raise
        return
    record = await context.decisions.decision(item[1])   # type: ignore[index]
    if callback.action == "why":
        await message_of(update).reply_text(views.decision_text(record), parse_mode=ParseMode.HTML)
        return
    for part in views.prompt_messages(record):
        await message_of(update).reply_text(part)


async def why(update: Update, context: BotContext) -> None:
    """Show the decision behind an order (or a decision by its number)."""
    report = await context.decisions.why(" ".join(context.words))
    await message_of(update).reply_text(views.why_text(report), parse_mode=ParseMode.HTML)


async def llmscore(update: Update, context: BotContext) -> None:
    """Compare the LLM's decisions with the rules' over the last days."""
    if len(context.words) > 1:
        raise InvalidInput("Usage: /llmscore [days], e.g. /llmscore 7")
    report = await context.decisions.score(" ".join(context.words))
    await message_of(update).reply_text(views.score_text(report), parse_mode=ParseMode.HTML)


async def universe(update: Update, context: BotContext) -> None:
    """Show the latest symbol selection; /universe refresh chooses one now."""
    words = [a.lower() for a in context.words]
    if words not in ([], ["refresh"]):
        raise InvalidInput("Usage: /universe, or /universe refresh to choose the symbols now")
    service = context.universe
    selection = await service.refresh() if words else await service.latest()
    text = views.universe_text(selection, service.dynamic, service.fixed, service.refresh_minutes)
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)


async def ask(update: Update, context: BotContext) -> None:
    """Answer a question with the LLM and the bot's context (/ask QUESTION or plain text); never trades."""
    question = " ".join(context.args) if context.args is not None else (message_of(update).text or "")
    if context.codes.waiting(user_id_of(update)) is not None and looks_like_code(question):
        await live.code(update, context)     # a code typed another way must not reach the LLM's prompt
        return
    answer = await context.questions.answer(question)
    for part in views.answer_messages(answer.text, answer.by):
        await message_of(update).reply_text(part)
