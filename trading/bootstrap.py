"""The composition root: reads the mode and the settings once, and picks the adapters."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from trading.adapters.clocks import ReplayClock, WallClock
from trading.adapters.exchange_clock import ExchangeClock
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.adapters.sqlite_backtests import BacktestArchive
from trading.adapters.sqlite_confirmations import SqliteConfirmations
from trading.adapters.sqlite_equity import EquityHistory
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.errors import ConfigurationError, TradingError
from trading.domain.events import Event, EventKind
from trading.logs import get_logger
from trading.ports import Clock, MarketData
from trading.services.assistant import Assistant, Profile
from trading.reports.themes import theme_named
from trading.services.backtests import BacktestService
from trading.services.charts import ChartService
from trading.adapters.sqlite_approvals import SqliteApprovals
from trading.services.approvals import ApprovalSettings, Approvals
from trading.services.chat_settings import ChatSettings, with_overrides
from trading.services.code_requests import CodeRequests
from trading.services.performance import PerformanceService
from trading.services.notification_policy import NotificationPolicy, QuietHours
from trading.services.watchdog import WatchedDecisions, Watchdog
from trading.services.entry_gate import ManualEntryGate
from trading.services.manual_orders import ManualOrders, Tickets
from trading.services.confirmations import Confirmations
from trading.services.entry_holds import EntryHolds, HeldDecisions
from trading.services.live_control import LiveControl
from trading.services.two_factor import TwoFactor
from trading.secrets import SecretVault, key_file_path
from trading.logs import REDACTOR
from trading.engine.rules_decider import RulesDecider
from trading.engine.trading_engine import TradingEngine
from trading.services.engine_settings import engine_settings, loop_settings, rules_settings
from trading.services.event_bus import EventBus
from trading.services.exchange_time import ExchangeTimeKeeper
from trading.services.paper_venue import PaperVenue
from trading.services.portfolio import PortfolioService
from trading.services.reports import ReportService
from trading.services.signals import SignalsService
from trading.services.trading_loop import TradingLoop
from trading.settings import Settings
from trading.strategies.book import default_book

if TYPE_CHECKING:   # the live venue pulls in ccxt (~90 MB): only a live process imports it
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)

LIVE_START = ("Live mode: armed but PAUSED. Positions are reconciled and protective exits run; no new position "
              "opens, neither the bot's nor yours, until /live on with a two-factor code. Closing stays possible.")
REPLAY_WARMUP_MS = 21 * 86_400_000   # 500+ hourly candles of history before the replay starts
LIVE_PROBE_TIMEOUT_S = 10.0


@dataclass
class Core:
    """Everything the trading side runs on, wired."""

    settings: Settings
    clock: Clock
    market: MarketData
    store: SqliteStore
    events: EventBus
    assistant: Assistant
    venue: "PaperVenue | LiveVenue"
    portfolio: PortfolioService
    signals: SignalsService
    charts: ChartService
    reports: ReportService
    backtests: BacktestService
    loop: TradingLoop
    refresh_s: float
    confirmations: Confirmations
    control: LiveControl
    orders: ManualOrders
    tuning: ChatSettings
    notifications: NotificationPolicy
    watchdog: Watchdog
    performance: PerformanceService
    exchange_time: ExchangeTimeKeeper | None = None     # live data: keeps the exchange's clock measured

    def services(self) -> dict[str, object]:
        """Return the use-case services the chat layer calls, by name."""
        return {"assistant": self.assistant, "portfolio": self.portfolio, "signals": self.signals,
                "charts": self.charts, "reports": self.reports, "backtests": self.backtests, "loop": self.loop,
                "confirmations": self.confirmations, "control": self.control, "codes": self.control.codes,
                "orders": self.orders, "tuning": self.tuning,
                "notifications": self.notifications, "performance": self.performance}

    async def close(self) -> None:
        """Release the market connection and the database."""
        self.backtests.close()
        await self.market.close()
        await self.venue.close()
        await self.store.close()


def market_data_spec(settings: Settings) -> str:
    """Return which feed to use: the offline demo replays the bundled sample unless told otherwise."""
    if settings.exchange == "replay":
        return settings.market_data if settings.market_data.startswith("replay") else "replay"
    if settings.demo and "market_data" not in settings.model_fields_set:
        return "replay"
    return settings.market_data


def replay_refresh_s(speed: float) -> float:
    """Return how often to poll a replay: about once per replayed minute, between 0.2 s and 1 s."""
    return max(0.2, min(1.0, 60.0 / speed))


def replay_feed(spec: str, speed: float) -> tuple[ReplayMarketData, ReplayClock]:
    """Return a replay feed and its clock, started after a warm-up so indicators have history."""
    series = load_replay_series(spec)
    label = "bundled sample (Binance 1m, July 2025)" if spec == "replay" else spec.removeprefix("replay:")
    probe = ReplayMarketData(series, WallClock(), label)
    first, last = probe.span_ms
    start = min(first + REPLAY_WARMUP_MS, max(first, last - 86_400_000))
    clock = ReplayClock(start, speed)
    return ReplayMarketData(series, clock, label), clock


async def live_feed(settings: Settings, clock: ExchangeClock, cache: SqliteStore) -> MarketData:
    """Return the ccxt feed (candles cached in SQLite) on the exchange's clock, measured once here.

    Raise TradingError when the exchange is unreachable; a failed clock measurement only keeps the
    machine's time until the next one (ExchangeTimeKeeper retries it within a minute).
    """
    from trading.adapters.ccxt_market_data import CcxtMarketData  # imported lazily: ccxt loads slowly

    feed = CcxtMarketData(settings.exchange, clock=clock, sandbox=settings.exchange_testnet,
                          options=settings.exchange_config, cache=cache, progress=cache)
    clock.measure_with(feed.server_time)
    try:
        await asyncio.wait_for(feed.instruments(), LIVE_PROBE_TIMEOUT_S)
    except (TradingError, asyncio.TimeoutError, OSError) as exc:
        await feed.close()
        raise TradingError(f"{settings.exchange} unreachable: {exc or 'timed out'}") from exc
    await clock.sync()       # before the first candle: which one has closed is the exchange's to say
    return feed


async def build_core(settings: Settings) -> Core:
    """Wire the core for the configured mode and open the database."""
    totp_secret = two_factor_secret(settings) if settings.mode == "live" else None
    # the store stamps its own rows with real time; the feed's clock may be a replayed one
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    settings = await stored_overrides(settings, store)
    market, clock, refresh_s, spec = await market_feed(settings, store)
    events, notifications = await event_bus(settings, store)
    exchange = settings.exchange if not spec.startswith("replay") else f"{settings.exchange} (replayed data)"
    profile = Profile(settings.mode, exchange, settings.market_type, _symbols(settings, market))
    exchange_clock = clock if isinstance(clock, ExchangeClock) else None
    assistant = Assistant(profile, clock, market, events, store, settings.data_dir, WallClock(), exchange_clock)
    if settings.mode == "live":
        venue, portfolio = await live_account(settings, spec, clock, market, store, events)
    else:
        venue, portfolio = await paper_account(settings, clock, market, store, events)
    holds = await entry_holds(settings, store, events)
    signals = SignalsService(market, default_book(), store, profile.symbols)
    await signals.restore()
    charts, reports, backtests = result_services(settings, clock, market, store, venue, portfolio, profile.symbols)
    # the loop shares the chat's strategy book, so /strategies switches what it trades
    rules = RulesDecider(rules_settings(settings))
    decider = WatchedDecisions(HeldDecisions(rules, holds))    # held entries arrive as skips; failures counted
    loop = TradingLoop(clock, market, venue.broker, signals.book, decider,
                       TradingEngine(engine_settings(settings)), events, store, await market.instruments(),
                       loop_settings(settings, profile.symbols), venue=venue)
    await loop.start()
    control = await live_control(settings, totp_secret, holds, loop, store, events)
    # questions asked in the chat run on real time, whatever the market's clock; none survives a restart
    confirmations = Confirmations(SqliteConfirmations(store), WallClock())
    orders = await manual_orders(settings, confirmations, portfolio, control, loop, events, store)
    await confirmations.start()
    tuning = ChatSettings(settings, store, events, WallClock(), run_time_settings(loop, rules, orders, notifications),
                          control.codes, settings.mode == "live", market)
    watchdog = Watchdog(lambda: assistant.ticked_wall_ms, market.health, decider, events, WallClock(),
                        settings.watchdog_stall_seconds * 1000)     # real time: a replay's clock runs fast
    keeper = ExchangeTimeKeeper(exchange_clock, events, settings.exchange) if exchange_clock else None
    return Core(settings, clock, market, store, events, assistant, venue, portfolio, signals, charts, reports,
                backtests, loop, refresh_s, confirmations, control, orders, tuning, notifications, watchdog,
                PerformanceService(venue.ledger, portfolio, clock, settings.timezone), keeper)


async def entry_holds(settings: Settings, store: SqliteStore, events: EventBus) -> EntryHolds:
    """Return the holds on new entries (live starts paused; the user's /pause as saved)."""
    holds = EntryHolds(settings.mode == "live", store, events, WallClock())
    await holds.load()
    return holds


async def live_control(settings: Settings, totp_secret: str | None, holds: EntryHolds, loop: TradingLoop,
                       store: SqliteStore, events: EventBus) -> LiveControl:
    """Return /live, /pause and /resume over the holds and the two-factor codes; say live starts paused."""
    control = LiveControl(holds, CodeRequests(await two_factor(totp_secret, store, events), WallClock()), loop)
    if settings.mode == "live":
        await events.emit(Event(EventKind.MODE, loop.clock.now_ms(), LIVE_START, {"live": True, "live_on": False}))
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
                        control: LiveControl, loop: TradingLoop, events: EventBus, store: SqliteStore) -> ManualOrders:
    """Return the chat's manual orders (live: approval cards), after settling the cards left by a restart."""
    gate = ManualEntryGate(control.holds, loop)
    tickets = Tickets(portfolio, loop.engine, loop.instruments)
    limits = ApprovalSettings(settings.approval_timeout_seconds * 1000, settings.approval_max_slippage_bps)
    approvals = Approvals(SqliteApprovals(store), confirmations, tickets.quote, portfolio, control.codes, gate,
                          events, WallClock(), limits)
    await approvals.start(portfolio.venue.broker)    # claimed cards are looked up by client id before trading
    return ManualOrders(tickets, portfolio, approvals, gate, settings.mode == "live")


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


def result_services(settings: Settings, clock: Clock, market: MarketData, store: SqliteStore,
                    venue: "PaperVenue | LiveVenue", portfolio: PortfolioService, symbols: tuple[str, ...]
                    ) -> tuple[ChartService, ReportService, BacktestService]:
    """Return the chart, report and backtest services over the venue's ledger."""
    theme = theme_named(settings.chart_theme)
    reports = ReportService(portfolio, venue.ledger, EquityHistory(store, venue.ledger.venue), market, store, clock,
                            timezone=settings.timezone, benchmark=symbols[0], theme=theme,
                            engine_settings=engine_settings(settings))
    backtests = BacktestService(market, store, BacktestArchive(store), clock,
                                starting_balance=settings.paper_starting_balance, engine=engine_settings(settings),
                                rules=rules_settings(settings), theme=settings.chart_theme)
    return ChartService(market, venue.ledger, theme), reports, backtests


async def market_feed(settings: Settings, store: SqliteStore) -> tuple[MarketData, Clock, float, str]:
    """Return the market feed, its clock, how often to poll it, and the feed actually used (live or replay)."""
    spec = market_data_spec(settings)
    if not spec.startswith("replay"):
        try:
            clock = ExchangeClock(WallClock(), sync_every_ms=settings.exchange_time_sync_minutes * 60_000)
            return await live_feed(settings, clock, store), clock, 10.0, spec
        except TradingError as exc:
            if settings.mode == "live":   # never trade real money on replayed prices
                raise ConfigurationError(f"Live trading needs the exchange's market data: {exc}") from exc
            log.warning("live market data unavailable, falling back to the bundled replay", error=str(exc))
            spec = "replay"
    market, replay_clock = replay_feed(spec, settings.replay_speed)
    return market, replay_clock, replay_refresh_s(settings.replay_speed), spec


async def live_account(settings: Settings, spec: str, clock: Clock, market: MarketData, store: SqliteStore,
                       events: EventBus) -> tuple["LiveVenue", PortfolioService]:
    """Return the exchange venue, reconciled with the exchange, and the account service over it."""
    from trading.adapters.ccxt_broker import LiveOptions
    from trading.adapters.order_tracking import LimitTimeout
    from trading.services.live_venue import live_venue

    if spec.startswith("replay"):
        raise ConfigurationError("Live trading needs MARKET_DATA=live: it never trades on replayed prices.")
    options = LiveOptions(limit_timeout_ms=settings.limit_order_timeout_minutes * 60_000,
                          on_limit_timeout=LimitTimeout(settings.limit_order_timeout_action),
                          default_leverage=settings.futures_leverage)
    resync = clock.sync if isinstance(clock, ExchangeClock) else None    # a -1021 measures the clock again
    venue = await live_venue(settings, clock, store, events, await market.instruments(), options=options,
                             resync=resync)
    report = await venue.restore()
    await events.emit(Event(EventKind.STARTED, clock.now_ms(), "\n".join(report.lines()), notify=True))
    return venue, PortfolioService(venue, venue.ledger, market, clock, settings.mode)


async def paper_account(settings: Settings, clock: Clock, market: MarketData, store: SqliteStore,
                        events: EventBus) -> tuple[PaperVenue, PortfolioService]:
    """Return the paper venue (restored from the database) and the account service over it."""
    ledger = ExecutionLedger(store, venue=f"paper-{settings.market_type}")
    venue = PaperVenue(settings.market_type, await market.instruments(), settings.paper_starting_balance,
                       ledger, store, events, clock)
    if await venue.restore():
        log.info("paper account restored", equity=str(venue.broker.equity()))
    return venue, PortfolioService(venue, ledger, market, clock, settings.mode)


def _symbols(settings: Settings, market: MarketData) -> tuple[str, ...]:
    replayed = getattr(market, "symbols", None)
    if replayed is None:
        return settings.symbol_list
    kept = tuple(s for s in settings.symbol_list if s in replayed)
    if not kept:
        raise ConfigurationError(f"Invalid setting SYMBOLS: the replay data holds only {', '.join(replayed)}")
    return kept
