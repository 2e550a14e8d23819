"""The typed handler context: handlers reach the core through it, never through globals.

PTB types every part of an Update as optional, since an update carries one kind of thing. The wiring in bot/app.py
already decides which kind a handler sees: command and text handlers get messages (filters.UpdateType.MESSAGE),
button handlers get callback queries, and the access guard stops every update without a chat and a user. The
accessors below state that once, typed; an update of another shape reaching a handler is a wiring bug, raised as
UnexpectedUpdate for the error handler to log.
"""
from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import Application, CallbackContext, ExtBot

from trading.services.assistant import Assistant
from trading.services.chat_settings import ChatSettings
from trading.services.code_requests import CodeRequests
from trading.services.confirmations import Confirmations
from trading.services.decisions import DecisionsService
from trading.services.live_control import LiveControl
from trading.services.manual_orders import ManualOrders
from trading.services.notification_policy import NotificationPolicy
from trading.services.parameter_proposals import ParameterProposals
from trading.services.performance import PerformanceService
from trading.services.portfolio import PortfolioService
from trading.services.questions import QuestionDesk
from trading.services.signals import SignalsService
from trading.services.strategy_parameters import StrategyParameters
from trading.services.strategy_switches import StrategySwitches
from trading.services.trading_loop import TradingLoop
from trading.services.universe import UniverseService


class UnexpectedUpdate(RuntimeError):
    """An update without the part its handler is wired for (a wiring bug, never the user's doing)."""


def message_of(update: Update) -> Message:
    """Return the message a command or text handler answers."""
    if update.effective_message is None:
        raise UnexpectedUpdate(f"update {update.update_id} carries no message")
    return update.effective_message


def query_of(update: Update) -> CallbackQuery:
    """Return the button press a callback handler answers."""
    if update.callback_query is None:
        raise UnexpectedUpdate(f"update {update.update_id} carries no button press")
    return update.callback_query


def user_id_of(update: Update) -> int:
    """Return the id of the user who sent the update (the access guard lets none through without one)."""
    if update.effective_user is None:
        raise UnexpectedUpdate(f"update {update.update_id} carries no user")
    return update.effective_user.id


def chat_id_of(update: Update) -> int:
    """Return the id of the chat the update came from (the access guard lets none through without one)."""
    if update.effective_chat is None:
        raise UnexpectedUpdate(f"update {update.update_id} carries no chat")
    return update.effective_chat.id


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext with the core's services as attributes."""

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)

    @property
    def words(self) -> list[str]:
        """Return the words typed after the command (none outside a command)."""
        return self.args or []

    @property
    def assistant(self) -> Assistant:
        """Return the trading service."""
        return self.application.bot_data["assistant"]

    @property
    def command_groups(self) -> dict[str, list[tuple[str, str, str]]]:
        """Return (name, usage, summary) of every command per group, for /help."""
        return self.application.bot_data["command_groups"]

    @property
    def portfolio(self) -> PortfolioService:
        """Return the account service."""
        return self.application.bot_data["portfolio"]

    @property
    def signals(self) -> SignalsService:
        """Return the signals service."""
        return self.application.bot_data["signals"]

    @property
    def loop(self) -> TradingLoop:
        """Return the autonomous trading loop (kill switch, risk)."""
        return self.application.bot_data["loop"]

    @property
    def confirmations(self) -> Confirmations:
        """Return the questions put to one user, each answerable once (confirmation cards)."""
        return self.application.bot_data["confirmations"]

    @property
    def control(self) -> "LiveControl":
        """Return /live, /pause, /resume and /mode."""
        return self.application.bot_data["control"]

    @property
    def codes(self) -> "CodeRequests":
        """Return what two-factor codes are waiting for."""
        return self.application.bot_data["codes"]

    @property
    def orders(self) -> ManualOrders:
        """Return the manual orders (receipts, confirm cards, live approval cards)."""
        return self.application.bot_data["orders"]

    @property
    def tuning(self) -> ChatSettings:
        """Return the settings changed from the chat (/settings, /set, /symbols)."""
        return self.application.bot_data["tuning"]

    @property
    def notifications(self) -> NotificationPolicy:
        """Return which notifications are pushed (/notify)."""
        return self.application.bot_data["notifications"]

    @property
    def performance(self) -> PerformanceService:
        """Return profit, performance and the period tables."""
        return self.application.bot_data["performance"]

    @property
    def decisions(self) -> DecisionsService:
        """Return the decision log reader (/decisions, /why, /llmscore, who decides)."""
        return self.application.bot_data["decisions"]

    @property
    def questions(self) -> QuestionDesk:
        """Return the LLM question desk (/ask, plain text)."""
        return self.application.bot_data["questions"]

    @property
    def parameters(self) -> StrategyParameters:
        """Return the strategies' tuned parameters (/params)."""
        return self.application.bot_data["parameters"]

    @property
    def switches(self) -> StrategySwitches:
        """Return the strategy switches (/strategies NAME on|off)."""
        return self.application.bot_data["switches"]

    @property
    def parameter_proposals(self) -> ParameterProposals:
        """Return the /optimize proposal cards (Apply, Dismiss)."""
        return self.application.bot_data["parameter_proposals"]

    @property
    def universe(self) -> UniverseService:
        """Return the symbol universe (/universe)."""
        return self.application.bot_data["universe"]
