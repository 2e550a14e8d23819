"""/params (a strategy's parameters as they run; change one or go back to the defaults) and the /optimize
proposal card's Apply and Dismiss buttons."""
from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode

from bot import approval_cards
from bot.callback_data import OUT_OF_DATE, decode
from bot.context import BotContext, chat_id_of, message_of, query_of, user_id_of
from bot.views import parameters as views
from trading.domain.errors import InvalidInput
from trading.services.chat_settings import ChangeOutcome
from trading.services.parameter_proposals import ProposalOutcome
from trading.services.strategy_parameters import ParameterChange

USAGE = ("Usage: /params, /params STRATEGY, /params STRATEGY NAME VALUE or /params STRATEGY [NAME] default, "
         "e.g. /params C sweep_lookback 8")


async def params(update: Update, context: BotContext) -> None:
    """Show the strategies' parameters, or change one (validated, applied now, kept, audited)."""
    args, user = context.words, user_id_of(update)
    if not args:
        text = views.tables_text(context.parameters.tables())
    elif len(args) == 1:
        text = views.table_text(context.parameters.table(args[0]))
    elif len(args) == 2 and args[1].lower() == "default":
        await _reply_change(update, context, await context.parameters.revert(args[0], None, user))
        return
    elif len(args) == 3:
        change = await context.parameters.change(args[0], args[1], args[2], user)
        await _reply_change(update, context, change)
        return
    else:
        raise InvalidInput(USAGE)
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)


async def _reply_change(update: Update, context: BotContext, change: ParameterChange) -> None:
    text = views.change_text(change)
    user, chat = user_id_of(update), chat_id_of(update)
    if change.outcome is ChangeOutcome.CODE_ASKED and chat != user:
        await context.bot.send_message(user, text, parse_mode=ParseMode.HTML)
        text = "I asked for the code in our private chat."
    await message_of(update).reply_text(text, parse_mode=ParseMode.HTML)
    if change.request is not None:       # a card whose code request this one replaced says so
        await approval_cards.replaced(context, change.request)


async def proposal_pressed(update: Update, context: BotContext) -> None:
    """Apply or dismiss a proposal once, for its asker; every other press is answered and does nothing."""
    query = query_of(update)
    try:
        callback = decode(query.data)
    except InvalidInput:
        callback = None
    if callback is None or callback.action not in (views.APPLY, views.DISMISS):
        await query.answer(OUT_OF_DATE)
        return
    answer = await context.parameter_proposals.answer(callback.id, query.from_user.id, callback.action == views.APPLY)
    await query.answer(views.proposal_toast(answer))
    outcome = views.proposal_outcome(answer)
    if outcome is not None and answer.proposal is not None and isinstance(query.message, Message):
        await query.edit_message_text(views.answered_card(answer.proposal.summary, outcome), parse_mode=ParseMode.HTML)
    if answer.outcome is ProposalOutcome.CODE_ASKED:
        await context.bot.send_message(query.from_user.id, views.code_request_text(answer), parse_mode=ParseMode.HTML)
        if answer.request is not None:
            await approval_cards.replaced(context, answer.request)
