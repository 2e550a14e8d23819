"""Presses of the choice buttons: a symbol for /price or /chart, a chart's timeframe, a strategy switch, a
backtest run to show again. Each is answered at once and does what typing the command would."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import approval_cards
from bot import confirmation_cards as cards
from bot.callback_data import NOT_YOURS, OUT_OF_DATE, asker_and_ref, decode
from bot.context import BotContext, message_of, query_of, user_id_of
from bot.views import choices as views
from bot.views import esc
from bot.views.charts import chart_caption
from bot.views.market import ticker_text
from bot.views.signals import strategies_text, switch_text, switch_toast
from trading.backtest.summary import metrics_table
from trading.domain.errors import InvalidInput
from trading.services.chat_settings import ChangeOutcome


async def pressed(update: Update, context: BotContext) -> None:
    """Route a choice button to what it offers."""
    query = query_of(update)
    try:
        callback = decode(query.data)
        work = {(views.PRICE, "pick"): _price, (views.CHART, "pick"): _chart, (views.CHART, "tf"): _chart_in,
                (views.STRATEGY, "on"): _strategy, (views.STRATEGY, "off"): _strategy,
                (views.BACKTEST, "show"): _run}[(callback.prefix, callback.action)]
    except (InvalidInput, KeyError):
        await query.answer(OUT_OF_DATE)
        return
    asker, ref = asker_and_ref(callback)
    if asker != query.from_user.id:
        await query.answer(NOT_YOURS)
        return
    if callback.prefix == views.STRATEGY:    # a set (pressed twice, same state): answered with what it came to
        # but one that asks a code sends a prompt and a request: claimed first, so a double tap asks once
        if context.switches.asks_code(callback.action == "on") and not await cards.fresh_press(update, context):
            return
        await _strategy(update, context, callback.action, ref)
        return
    if not await cards.fresh_press(update, context):     # what sends a message is claimed first: sent once
        return
    await query.answer()
    await work(update, context, callback.action, ref)


async def _price(update: Update, context: BotContext, _action: str, ref: str) -> None:
    ticker = await context.assistant.price(views.symbol_of(ref))
    await message_of(update).reply_text(ticker_text(ticker), parse_mode=ParseMode.HTML)


async def _chart(update: Update, context: BotContext, _action: str, ref: str, timeframe: str = "") -> None:
    symbol = views.symbol_of(ref)
    picture = await context.bot_data["charts"].chart(symbol, timeframe)
    await message_of(update).reply_photo(picture.png, caption=chart_caption(picture), parse_mode=ParseMode.HTML,
                                         reply_markup=views.timeframe_choices(picture.symbol, user_id_of(update)))


async def _chart_in(update: Update, context: BotContext, action: str, ref: str) -> None:
    timeframe, _, symbol = ref.partition("_")
    await _chart(update, context, action, symbol, timeframe)


async def _strategy(update: Update, context: BotContext, action: str, name: str) -> None:
    query = query_of(update)
    try:
        switch = await context.switches.switch(name, action == "on", query.from_user.id)
    except InvalidInput as exc:
        await query.answer(str(exc)[:200])
        return
    await query.answer(switch_toast(switch))
    if switch.outcome is ChangeOutcome.CODE_ASKED:     # switched on when the code comes, in the private chat
        await context.bot.send_message(query.from_user.id, switch_text(switch), parse_mode=ParseMode.HTML)
        if switch.request is not None:
            await approval_cards.replaced(context, switch.request)
        return
    strategies = context.switches.strategies()
    switches = views.strategy_switches(strategies, user_id_of(update))
    await query.edit_message_text(strategies_text(strategies), parse_mode=ParseMode.HTML, reply_markup=switches)


async def _run(update: Update, context: BotContext, _action: str, run_id: str) -> None:
    runs = await context.bot_data["backtests"].recent(50)
    run = next((r for r in runs if str(r.id) == run_id), None)
    if run is None:
        raise InvalidInput(f"Backtest #{run_id} is no longer among the recent runs. /backtests lists them.")
    title = f"#{run.id} {run.strategy} {run.symbol} {run.timeframe}"
    table = esc(metrics_table(run.strategy, run.metrics))
    await message_of(update).reply_text(f"<b>{esc(title)}</b>\n<pre>{table}</pre>", parse_mode=ParseMode.HTML)
