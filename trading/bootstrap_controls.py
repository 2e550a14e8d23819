"""The composition root's half for the phone user's controls: entry holds, two-factor codes, approval cards (of
manual orders, and of the bot's own live entries with LIVE_AUTONOMY=approve), settings changed from the chat and
the notification choices. Called by trading.bootstrap.build_core only.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from trading.adapters.clocks import WallClock
from trading.adapters.sqlite_approvals import SqliteApprovals
from trading.adapters.sqlite_store import SqliteStore
from trading.adapters.sqlite_strategy_parameters import SqliteStrategyParameters
from trading.domain.approvals import ENTRY_ACTION
from trading.domain.errors import ConfigurationError
from trading.domain.events import Event, EventKind
from trading.engine.rules_decider import RulesDecider
from trading.engine.trading_engine import TradingEngine
from trading.logs import REDACTOR, get_logger
from trading.secrets import SecretVault, key_file_path
from trading.services.approvals import ApprovalSettings, Approvals
from trading.services.chat_settings import with_overrides
from trading.services.code_requests import CodeRequests
from trading.services.confirmations import Confirmations
from trading.services.engine_settings import engine_settings, rules_settings
from trading.services.entry_gate import EntryGate
from trading.services.entry_holds import EntryHolds
from trading.services.entry_proposals import EntryProposals, resume_entry
from trading.services.event_bus import EventBus
from trading.services.live_control import LiveControl
from trading.services.manual_orders import ManualOrders, Tickets
from trading.services.notification_policy import NotificationPolicy, QuietHours
from trading.services.parameter_proposals import ParameterProposals
from trading.services.portfolio import PortfolioService
from trading.services.strategy_parameters import StrategyParameters
from trading.services.trading_loop import TradingLoop
from trading.services.two_factor import TwoFactor
from trading.settings import Settings
from trading.strategies.book import StrategyBook

log = get_logger(__name__)

LIVE_START = ("Live mode: armed but PAUSED. Positions are reconciled and protective exits run; no new position "
              "opens, neither the bot's nor yours, until /live on with a two-factor code. Closing stays possible.")


def live_start_text(settings: Settings) -> str:
    """Return the live start notice, saying where the stops of futures positions are kept (EXCHANGE_STOPS)."""
    if settings.market_type != "futures":
        return LIVE_START
    if settings.exchange_stops == "on":
        return (f"{LIVE_START} Stops and targets also rest on the exchange (EXCHANGE_STOPS=on), so they hold while "
                f"the bot is down.")
    return (f"{LIVE_START} Stops and targets are the bot's own only (EXCHANGE_STOPS=off): while the bot is down "
            f"nothing closes a position. Set EXCHANGE_STOPS=on and restart to keep them on the exchange too.")


async def entry_holds(settings: Settings, store: SqliteStore, events: EventBus, engine: TradingEngine) -> EntryHolds:
    """Return the holds on new entries, enforced by the engine's entry gate (live starts paused; /pause as saved)."""
    holds = EntryHolds(settings.mode == "live", store, events, WallClock(), engine)
    await holds.load()
    return holds


async def live_control(settings: Settings, totp_secret: str | None, holds: EntryHolds, loop: TradingLoop,
                       store: SqliteStore, events: EventBus) -> LiveControl:
    """Return /live, /pause and /resume over the holds and the two-factor codes; say live starts paused."""
    autonomy = settings.live_autonomy if settings.mode == "live" else ""
    control = LiveControl(holds, CodeRequests(await two_factor(totp_secret, store, events), WallClock()), loop,
                          autonomy)
    if settings.mode == "live":
        await events.emit(Event(EventKind.MODE, loop.clock.now_ms(), live_start_text(settings),
                                {"live": True, "live_on": False}))
    return control


async def stored_overrides(settings: Settings, store: SqliteStore) -> Settings:
    """Return settings with what /set stored over the .env (an override no longer valid is ignored, with a warning)."""
    settings, dropped = with_overrides(settings, await store.overrides())
    if dropped:
        log.warning("settings changed from the chat are no longer valid and were ignored", names=dropped)
    return settings


async def event_bus(settings: Settings, store: SqliteStore) -> tuple[EventBus, NotificationPolicy]:
    """Return the event bus with the user's notification choices (categories, quiet hours) in front of the chat."""
    events = EventBus(store)
    notifications = NotificationPolicy(store, WallClock(), QuietHours.parse(settings.quiet_hours, settings.timezone))
    await notifications.load()
    events.policy = notifications
    return events, notifications


def run_time_settings(loop: TradingLoop, rules: RulesDecider, orders: ManualOrders,
                      notifications: NotificationPolicy) -> Callable[[Settings], None]:
    """Return what applies settings changed from the chat to the running engine, decider, approvals, pushes."""
    def apply(settings: Settings) -> None:
        notifications.quiet = QuietHours.parse(settings.quiet_hours, settings.timezone)
        loop.engine.settings = engine_settings(settings)
        rules.settings = rules_settings(settings)
        orders.approvals.settings = ApprovalSettings(settings.approval_timeout_seconds * 1000,
                                                     settings.approval_max_slippage_bps)
    return apply


async def manual_orders(settings: Settings, confirmations: Confirmations, portfolio: PortfolioService,
                        control: LiveControl, loop: TradingLoop, gate: EntryGate, events: EventBus,
                        store: SqliteStore) -> ManualOrders:
    """Return the chat's manual orders (live: approval cards), after settling the cards left by a restart."""
    tickets = Tickets(portfolio, loop.engine, loop.instruments)
    limits = ApprovalSettings(settings.approval_timeout_seconds * 1000, settings.approval_max_slippage_bps)
    approvals = Approvals(SqliteApprovals(store), confirmations, tickets.quote, portfolio, control.codes, gate,
                          events, WallClock(), limits)
    # claimed cards are looked up by client id before trading; a bot entry found placed gets its stored plan's exits
    await approvals.start(portfolio.venue.broker, partial(resume_entry, loop))
    return ManualOrders(tickets, portfolio, approvals, gate, settings.mode == "live")


def entry_proposals(settings: Settings, approvals: Approvals, loop: TradingLoop, gate: EntryGate,
                    events: EventBus) -> EntryProposals | None:
    """Return the cards of the bot's own entries, put in the loop's way, when live with LIVE_AUTONOMY=approve."""
    if settings.mode != "live" or settings.live_autonomy != "approve":
        return None           # paper, or autonomous live: the loop sends its entries itself
    proposals = EntryProposals(approvals, loop, gate, events, WallClock())
    approvals.handle(ENTRY_ACTION, proposals)
    loop.ask_approval(proposals)
    return proposals


async def strategy_tuning(settings: Settings, store: SqliteStore, book: StrategyBook, rules: RulesDecider,
                          events: EventBus, confirmations: Confirmations, codes: CodeRequests
                          ) -> tuple[StrategyParameters, ParameterProposals]:
    """Return the strategies' tuned parameters (restored, running) and the /optimize proposal cards."""
    table, live = SqliteStrategyParameters(store), settings.mode == "live"
    parameters = StrategyParameters(book, rules, table, events, WallClock(), codes, live)
    await parameters.load()
    proposals = ParameterProposals(confirmations, table, parameters, codes, live, WallClock())
    await proposals.start()
    return parameters, proposals


def two_factor_secret(settings: Settings) -> str:
    """Return the TOTP secret live approvals check codes against, or refuse to start saying how to create one."""
    master = settings.master_key.get_secret_value()
    if not master.strip():
        raise ConfigurationError("TRADING_MODE=live needs MASTER_KEY (it unlocks the exchange keys and the "
                                 "TOTP secret); set it in .env")
    secret = SecretVault(key_file_path(settings.data_dir), master).totp_secret()
    if secret is None:
        raise ConfigurationError("TRADING_MODE=live needs a two-factor (TOTP) secret for /live on and order "
                                 "approvals: run `trading-assistant totp setup` and scan its QR code")
    REDACTOR.add_secret(secret)
    return secret


async def two_factor(secret: str | None, store: SqliteStore, events: EventBus) -> TwoFactor | None:
    """Return the code checker over the secret (live), its used steps and lockout restored; None in paper."""
    if secret is None:
        return None
    factor = TwoFactor(secret, store, events, WallClock())
    await factor.load()
    return factor
