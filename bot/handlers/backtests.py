"""/backtest and /evaluate (run in the worker process, progress edited in place) and /backtests (recent runs)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.context import BotContext, message_of, user_id_of
from bot.parsing import backtest_words
from bot.views import esc
from bot.views.backtests import backtest_caption, backtest_text, evaluation_caption, progress_text, runs_text
from bot.views.choices import run_buttons
from bot.views.parameters import proposal_buttons, proposal_card
from trading.domain.errors import InvalidInput, TradingError
from trading.logs import get_logger
from trading.services.backtests import EVALUATE_USAGE, OPTIMIZE_USAGE, USAGE, BacktestRequest, BacktestService
from trading.services.parameter_proposals import ParameterProposals

log = get_logger(__name__)


def _backtests(context: BotContext) -> BacktestService:
    return context.bot_data["backtests"]


async def backtest(update: Update, context: BotContext) -> None:
    """Start a backtest; it runs in the background so the bot keeps answering meanwhile."""
    words = backtest_words(context.words, 2, USAGE)
    service = _backtests(context)
    request = await service.request(*words)
    progress = await message_of(update).reply_text(progress_text(request, "starting"))
    context.application.create_task(_run(service, request, progress), update=update)


async def evaluate(update: Update, context: BotContext) -> None:
    """Start an out-of-sample evaluation in the background: walk-forward, random entries, buy and hold."""
    words = backtest_words(context.words, 2, EVALUATE_USAGE)
    service = _backtests(context)
    request = await service.evaluation_request(*words)
    progress = await message_of(update).reply_text(progress_text(request, "starting", "Evaluation"))
    context.application.create_task(_evaluate(service, request, progress), update=update)


async def optimize(update: Update, context: BotContext) -> None:
    """Start a small sweep of a strategy's parameters; it proposes a change only when it clearly beats them."""
    words = backtest_words(context.words, 1, OPTIMIZE_USAGE)
    service = _backtests(context)
    request = await service.optimisation_request(*words)
    progress = await message_of(update).reply_text(progress_text(request, "starting", "Optimisation"))
    context.application.create_task(_optimise(service, context.parameter_proposals, request, progress,
                                              user_id_of(update)), update=update)


async def backtests(update: Update, context: BotContext) -> None:
    """List the recent backtests."""
    runs = await _backtests(context).recent(10)
    await message_of(update).reply_text(runs_text(runs), parse_mode=ParseMode.HTML,
                                        reply_markup=run_buttons([r.id for r in runs], user_id_of(update)))


async def _run(service: BacktestService, request: BacktestRequest, progress: Message) -> None:
    await _report_in_place(progress, lambda show: service.run(
        request, lambda stage: show(progress_text(request, stage))), backtest_caption)


async def _evaluate(service: BacktestService, request: BacktestRequest, progress: Message) -> None:
    await _report_in_place(progress, lambda show: service.evaluate(
        request, lambda stage: show(progress_text(request, stage, "Evaluation"))), evaluation_caption)


async def _report_in_place(progress: Message, work: Callable[[Callable[[str], Awaitable[None]]], Awaitable[Any]],
                           caption: Callable[[Any], str]) -> None:
    """Run a backtest-like job showing its progress in place, then its report there (and its chart below)."""
    shown = ProgressMessage(progress)
    try:
        report = await work(shown.step)
    except TradingError as exc:          # bad data for the period, the worker gone, a strategy that cannot trade it
        await shown.show(f"❌ {esc(exc)}")
        return
    if not await shown.show(backtest_text(report)):
        await progress.reply_text(backtest_text(report), parse_mode=ParseMode.HTML)
    if report.chart is not None:
        await progress.reply_photo(report.chart, caption=caption(report), parse_mode=ParseMode.HTML)


async def _optimise(service: BacktestService, proposals: ParameterProposals | None, request: BacktestRequest,
                    progress: Message, user_id: int) -> None:
    """Run the sweep showing its progress in place, then its report there, with Apply and Dismiss if it proposes."""
    shown = ProgressMessage(progress)
    try:
        found = await service.optimise(request, lambda stage: shown.step(progress_text(request, stage, "Optimisation")))
    except TradingError as exc:
        await shown.show(f"❌ {esc(exc)}")
        return
    text, buttons = f"<pre>{esc(found.text)}</pre>", None
    if found.proposed is not None and proposals is not None:
        try:
            card = await proposals.propose(user_id, progress.chat_id, found.strategy, found.symbol, found.proposed,
                                           found.text)
        except InvalidInput as exc:       # a variant outside what the running strategy may be set to
            text += f"\n\nNot offered to apply: {esc(exc)}"
        else:
            text = proposal_card(found.text, card.strategy, card.params, proposals.ttl_ms // 60_000)
            buttons = proposal_buttons(card.id)
    if not await shown.show(text, buttons):
        await progress.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


class ProgressMessage:
    """A message edited in place as work goes on; a failed edit only loses that step."""

    def __init__(self, message: Message) -> None:
        self._message, self._shown = message, message.text_html

    async def show(self, text: str, buttons: InlineKeyboardMarkup | None = None) -> bool:
        """Show text (and buttons) in the message, unless it already does; return False when the edit failed."""
        if text == self._shown and buttons is None:
            return True
        self._shown = text
        try:
            await self._message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
        except TelegramError as exc:
            log.warning("progress edit failed", error=str(exc))
            return False
        return True

    async def step(self, text: str) -> None:
        """Show a stage of the work (the progress reports of the core's jobs want no answer)."""
        await self.show(text)
