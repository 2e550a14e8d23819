"""The composition root: reads the mode and the settings once, and picks the adapters."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trading.adapters.clocks import WallClock
from trading.adapters.exchange_clock import ExchangeClock
from trading.adapters.sqlite_backtests import BacktestArchive
from trading.adapters.sqlite_confirmations import SqliteConfirmations
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.adapters.sqlite_entry_plans import SqliteEntryPlans
from trading.adapters.sqlite_equity import EquityHistory
from trading.adapters.sqlite_store import SqliteStore
from trading.adapters.sqlite_sweeps import SweepArchive
from trading.domain.errors import ConfigurationError
from trading.logs import get_logger
from trading.ports import Clock, MarketData
from trading.services.assistant import Assistant, Profile
from trading.reports.themes import theme_named
from trading.services.backtests import BacktestService
from trading.services.sweeps import SweepService
from trading.services.charts import ChartService
from trading.services.chat_settings import ChatSettings
from trading.services.performance import PerformanceService
from trading.services.notification_policy import NotificationPolicy
from trading.services.watchdog import WatchedDecisions, Watchdog
from trading.services.entry_holds import EntryHolds, HeldDecisions
from trading.services.live_control import LiveControl
from trading.services.manual_orders import ManualOrders
from trading.services.confirmations import Confirmations
from trading.services.decisions import DecisionsService
from trading.services.divergence_report import DivergenceService
from trading.services.questions import QuestionDesk
from trading.services.universe import UniverseService
from trading.engine.universe import UniverseSettings
from trading.bootstrap_feeds import live_feed  # noqa: F401 (re-exported: the CLI's backtest reads the exchange)
from trading.bootstrap_feeds import market_feed, streaming_feed
from trading.bootstrap_venues import exchange_stops, live_account, paper_account, released, released_venue
from trading.bootstrap_controls import (entry_holds, entry_proposals, event_bus, live_control, manual_orders,
                                        run_time_settings, stored_overrides, strategy_tuning, two_factor_secret)
from trading.engine.rules_decider import RulesDecider
from trading.engine.trading_engine import TradingEngine
from trading.services.engine_settings import engine_settings, llm_settings, loop_settings, rules_settings
from trading.services.entry_gate import EntryGate
from trading.services.entry_proposals import EntryProposals
from trading.services.event_bus import EventBus
from trading.services.exchange_stops import ExchangeStops
from trading.services.exchange_time import ExchangeTimeKeeper
from trading.services.paper_venue import PaperVenue
from trading.services.parameter_proposals import ParameterProposals
from trading.services.portfolio import PortfolioService
from trading.services.reports import ReportService
from trading.services.signals import SignalsService
from trading.services.strategy_parameters import StrategyParameters
from trading.services.strategy_switches import StrategySwitches
from trading.services.trading_loop import TradingLoop
from trading.settings import Settings
from trading.strategies.book import StrategyBook, default_book

if TYPE_CHECKING:   # the live venue pulls in ccxt (~90 MB): only a live process imports it
    from trading.adapters.llm_region_advisor import LlmRegionAdvisor
    from trading.adapters.openai_decider import OpenAIDecider
    from trading.adapters.ccxt_streams import StreamingMarketData
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)



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
    journal: DecisionJournal | None = None
    llm: "OpenAIDecider | None" = None
    decisions: DecisionsService | None = None
    questions: QuestionDesk | None = None
    universe: UniverseService | None = None
    streams: "StreamingMarketData | None" = None        # live data over WebSocket (MARKET_STREAMS=ws)
    proposals: EntryProposals | None = None     # live, LIVE_AUTONOMY=approve: the bot's entries as cards
    parameters: StrategyParameters | None = None        # strategies' tuned parameters (/params)
    switches: StrategySwitches | None = None            # /strategies NAME on|off (on takes a code in live)
    parameter_proposals: ParameterProposals | None = None   # /optimize proposal cards (Apply, Dismiss)
    divergence: DivergenceService | None = None         # the account's trades against the backtest (/divergence)

    def services(self) -> dict[str, object]:
        """Return the use-case services the chat layer calls, by name."""
        return {"assistant": self.assistant, "portfolio": self.portfolio, "signals": self.signals,
                "charts": self.charts, "reports": self.reports, "backtests": self.backtests, "loop": self.loop,
                "confirmations": self.confirmations, "control": self.control, "codes": self.control.codes,
                "orders": self.orders, "tuning": self.tuning,
                "notifications": self.notifications, "performance": self.performance,
                "decisions": self.decisions, "questions": self.questions, "universe": self.universe,
                "proposals": self.proposals, "parameters": self.parameters, "switches": self.switches,
                "parameter_proposals": self.parameter_proposals, "divergence": self.divergence,
                "sweeps": SweepService(self.store)}

    async def close(self) -> None:
        """Release the market connection and the database."""
        self.backtests.close()
        if self.llm is not None:
            await self.llm.close()
        await self.market.close()
        await self.venue.close()
        await self.store.close()


def watch_streams(core: Core) -> None:
    """Tell the user once when a live stream drops and once when it is back (market data and the account)."""
    from trading.services.stream_notices import StreamNotices

    exchange = core.settings.exchange
    if core.streams is not None:
        core.streams.supervisor.listen(StreamNotices(
            core.events, core.clock, f"Market data stream ({exchange})",
            "Candles and prices come over REST meanwhile, none is lost."))
    stream = getattr(core.venue, "stream", None)
    if stream is not None:
        stream.supervisor.listen(StreamNotices(
            core.events, core.clock, f"Account stream ({exchange})",
            "Orders are still followed over REST every few seconds; fills are looked up by client id on return."))


@dataclass
class Trading:
    """The trading side of the core: the engine, its one entry gate, the venue, the strategies and the loop."""

    engine: TradingEngine
    gate: EntryGate
    venue: "PaperVenue | LiveVenue"
    holds: EntryHolds
    signals: SignalsService
    journal: DecisionJournal
    llm: "OpenAIDecider | None"
    rules: RulesDecider
    decider: WatchedDecisions
    loop: TradingLoop
    portfolio: PortfolioService


async def build_core(settings: Settings, machine: Clock | None = None, book: StrategyBook | None = None) -> Core:
    """Wire the core for the configured mode and open the database.

    machine: the clock live data runs on; book: the strategies (default: the default book's).
    """
    totp_secret = two_factor_secret(settings) if settings.mode == "live" else None
    # the store stamps its own rows with real time; the feed's clock may be a replayed one
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        settings = await stored_overrides(settings, store)
        market, clock, refresh_s, spec = await market_feed(settings, store, machine or WallClock())
    except BaseException:
        await released(store.close())
        raise
    try:
        return await wired_core(settings, totp_secret, store, market, clock, refresh_s, spec, book)
    except BaseException:     # the database's thread would keep a process that failed to start alive
        await released(market.close(), store.close())
        raise


async def wired_core(settings: Settings, totp_secret: str | None, store: SqliteStore, market: MarketData,
                     clock: Clock, refresh_s: float, spec: str, book: StrategyBook | None) -> Core:
    """Wire the core on an open database and market feed."""
    events, notifications = await event_bus(settings, store)
    exchange = settings.exchange if not spec.startswith("replay") else f"{settings.exchange} (replayed data)"
    profile = Profile(settings.mode, exchange, settings.market_type, _symbols(settings, market))
    exchange_clock = clock if isinstance(clock, ExchangeClock) else None
    assistant = Assistant(profile, clock, market, events, store, settings.data_dir, WallClock(), exchange_clock)
    trading = await trading_side(settings, spec, clock, market, store, events, profile.symbols, book)
    try:
        await trading.loop.start()
        core = await phone_side(settings, totp_secret, trading, assistant, store, events, notifications, refresh_s)
        core.streams = None if spec.startswith("replay") else streaming_feed(market)
        core.exchange_time = ExchangeTimeKeeper(exchange_clock, events, settings.exchange) if exchange_clock else None
        watch_streams(core)
    except BaseException:
        await released_venue(trading.venue)
        raise
    return core


async def trading_side(settings: Settings, spec: str, clock: Clock, market: MarketData, store: SqliteStore,
                       events: EventBus, symbols: tuple[str, ...], book: StrategyBook | None = None) -> Trading:
    """Return the engine, the venue of the mode, the strategies, the decision maker and the loop, wired."""
    engine = TradingEngine(engine_settings(settings))
    gate = EntryGate(engine, clock)      # the one entry gate: the loop, manual orders and resting fills pass it
    venue: "LiveVenue | PaperVenue"
    if settings.mode == "live":
        venue = await live_account(settings, spec, clock, market, store, events)
    else:
        venue = await paper_account(settings, clock, market, store, events, gate, spec)
    try:
        return await _trading_on(settings, clock, market, store, events, symbols, book, engine, gate, venue)
    except BaseException:
        await released_venue(venue)
        raise


async def _trading_on(settings: Settings, clock: Clock, market: MarketData, store: SqliteStore, events: EventBus,
                      symbols: tuple[str, ...], book: StrategyBook | None, engine: TradingEngine, gate: EntryGate,
                      venue: "LiveVenue | PaperVenue") -> Trading:
    """Return the trading side wired on an open venue."""
    from trading.services.live_venue import LiveVenue

    stops: ExchangeStops | None = None
    if isinstance(venue, LiveVenue):
        # the broker's perpetuals carry the exchange's leverage maxima, loaded at its start (the feed's lack them)
        instruments = {**await market.instruments(), **venue.broker.instruments}
        stops = exchange_stops(settings, venue, engine, events)
    else:
        instruments = venue.instruments
    # the holds (live armed but paused, the user's /pause) sit in the engine's one entry gate
    holds = await entry_holds(settings, store, events, engine)
    signals = SignalsService(market, book or default_book(), store, symbols)
    await signals.restore()
    journal = DecisionJournal(store, venue=venue.ledger.venue)
    llm = await llm_decider(settings, journal, store, events)
    # the loop shares the chat's strategy book, so /strategies switches what it trades
    rules = RulesDecider(rules_settings(settings))
    # held entries arrive as skips naming the hold (the gate refuses them anyway); failures counted
    decider = WatchedDecisions(HeldDecisions(llm or rules, holds))
    loop = TradingLoop(clock, market, venue.broker, signals.book, decider, engine, events, store, instruments,
                       loop_settings(settings, symbols), venue=venue, journal=journal, exchange_stops=stops,
                       plans=SqliteEntryPlans(store))
    gate.measure_by(loop.equity_now)     # the limits judged on the equity now: a fall since the last tick counts
    portfolio = PortfolioService(venue, market, clock, settings.mode, gate, loop)
    return Trading(engine, gate, venue, holds, signals, journal, llm, rules, decider, loop, portfolio)


async def phone_side(settings: Settings, totp_secret: str | None, trading: Trading, assistant: Assistant,
                     store: SqliteStore, events: EventBus, notifications: NotificationPolicy, refresh_s: float
                     ) -> Core:
    """Return the core with what the phone user works: live switches, manual orders, settings, reports, questions."""
    t, clock, market, symbols = trading, assistant.clock, assistant.market, assistant.profile.symbols
    control = await live_control(settings, totp_secret, t.holds, t.loop, store, events)
    # questions asked in the chat run on real time, whatever the market's clock; none survives a restart
    confirmations = Confirmations(SqliteConfirmations(store), WallClock())
    orders = await manual_orders(settings, confirmations, t.portfolio, control, t.loop, t.gate, events, store)
    proposals = entry_proposals(settings, orders.approvals, t.loop, t.gate, events)
    await confirmations.start()
    tuning = ChatSettings(settings, store, events, WallClock(), run_time_settings(t.loop, t.rules, orders,
                                                                                  notifications),
                          control.codes, settings.mode == "live", market)
    parameters, cards = await strategy_tuning(settings, store, t.signals.book, t.rules, events, confirmations,
                                              control.codes)
    watchdog = Watchdog(lambda: assistant.ticked_wall_ms, market.health, t.decider, events, WallClock(),
                        settings.watchdog_stall_seconds * 1000)     # real time: a replay's clock runs fast
    decisions = DecisionsService(t.journal, clock, market, symbols, t.llm, settings.timezone)
    questions = QuestionDesk(t.llm.client if t.llm is not None else None, t.llm, t.portfolio, t.journal, t.signals,
                             market, clock, symbols)
    universe = universe_service(settings, market, t.venue.broker, store, clock, t.llm,
                                [t.loop.set_symbols, assistant.set_symbols, decisions.set_symbols])
    charts, reports, backtests = result_services(settings, clock, market, store, t.venue, t.portfolio, symbols)
    backtests.current_params = parameters.overrides     # /optimize weighs variants against what runs
    return Core(settings, clock, market, store, events, assistant, t.venue, t.portfolio, t.signals, charts, reports,
                backtests, t.loop, refresh_s, confirmations, control, orders, tuning, notifications, watchdog,
                PerformanceService(t.venue.ledger, t.portfolio, clock, settings.timezone),
                journal=t.journal, llm=t.llm, decisions=decisions, questions=questions, universe=universe,
                proposals=proposals, parameters=parameters, parameter_proposals=cards,
                switches=StrategySwitches(t.signals, control.codes, settings.mode == "live"),
                divergence=divergence_report(settings, t.venue, store, clock, market, parameters))


def divergence_report(settings: Settings, venue: "PaperVenue | LiveVenue", store: SqliteStore, clock: Clock,
                      market: MarketData, parameters: StrategyParameters) -> DivergenceService:
    """Return the venue's trades against the backtest of the same candles, run with the tuned parameters."""
    return DivergenceService(venue.ledger, store, clock, balance=settings.paper_starting_balance,
                             engine=engine_settings(settings), rules=rules_settings(settings), market=market,
                             current_params=parameters.overrides)


def universe_service(settings: Settings, market: MarketData, broker: object, store: SqliteStore, clock: Clock,
                     llm: "OpenAIDecider | None", appliers: list) -> UniverseService:
    """Return the symbol universe; its selections are applied to the traders only when DYNAMIC_SYMBOLS is on."""
    s = settings
    chosen = UniverseSettings(s.universe_size, s.universe_candidates, s.universe_min_turnover_usd,
                              s.universe_max_spread_bps, s.universe_max_move_pct, s.kept_symbols)
    quote = s.symbol_list[0].split("/")[1].split(":")[0]
    return UniverseService(market, broker, store, clock, chosen, quote,  # type: ignore[arg-type]
                           llm.client if llm is not None else None, appliers if s.dynamic_symbols else (),
                           fixed=s.symbol_list, refresh_minutes=s.universe_refresh_minutes, budget=llm)


async def llm_decider(settings: Settings, journal: DecisionJournal, store: SqliteStore,
                      events: EventBus) -> "OpenAIDecider | None":
    """Return the LLM decision maker, probed, when the LLM is on; None leaves the rules deciding."""
    if not settings.llm_on:
        return None
    from trading.adapters.openai_client import LlmClient       # the openai SDK loads only when it is used
    from trading.adapters.openai_decider import OpenAIDecider

    client = LlmClient(settings.llm_model, api_key=settings.openai_api_key.get_secret_value(),
                       base_url=settings.openai_base_url, timeout_s=float(settings.llm_timeout_seconds),
                       response_format=settings.llm_response_format, max_reply_tokens=settings.llm_max_reply_tokens)
    # every call is paid now, whatever the feed's clock (a replay's is in the past): decisions and the probe
    # count on today's date, as /ask's and a sweep's do, or a replayed decision would overwrite today's spend
    decider = OpenAIDecider(client, journal, llm_settings(settings), state=store, notify=events.emit,
                            spend_clock=WallClock())
    found = await decider.start(WallClock().now_ms())
    log.info("LLM decision maker on", model=settings.llm_model, probe=found)
    return decider


def llm_region_advisor(settings: Settings) -> "LlmRegionAdvisor | None":
    """Return the LLM as a sweep's region advisor when the LLM is on (the same server and model as decisions)."""
    if not settings.llm_on:
        return None
    from trading.adapters.llm_region_advisor import LlmRegionAdvisor

    llm = llm_settings(settings)           # its calls count against the same daily budget as the bot's
    return LlmRegionAdvisor(settings.llm_model, settings.openai_base_url, settings.openai_api_key,
                            float(settings.llm_timeout_seconds), settings.llm_response_format,
                            settings.llm_max_reply_tokens, str(settings.data_dir / "trading.sqlite"), llm.budget,
                            llm.prices)


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
                                rules=rules_settings(settings), theme=settings.chart_theme,
                                advisor=llm_region_advisor(settings), sweeps=SweepArchive(store))
    return ChartService(market, venue.ledger, theme), reports, backtests


def _symbols(settings: Settings, market: MarketData) -> tuple[str, ...]:
    replayed = getattr(market, "symbols", None)
    if replayed is None:
        return settings.symbol_list
    kept = tuple(s for s in settings.symbol_list if s in replayed)
    if not kept:
        raise ConfigurationError(f"Invalid setting SYMBOLS: the replay data holds only {', '.join(replayed)}")
    return kept
