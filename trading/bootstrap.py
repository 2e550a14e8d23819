"""The composition root: reads the mode and the settings once, and picks the adapters."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trading.adapters.clocks import ReplayClock, WallClock
from trading.adapters.exchange_clock import ExchangeClock
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.adapters.sqlite_backtests import BacktestArchive
from trading.adapters.sqlite_confirmations import SqliteConfirmations
from trading.adapters.sqlite_decisions import DecisionJournal
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
from trading.services.sweeps import SweepService
from trading.services.charts import ChartService
from trading.services.chat_settings import ChatSettings
from trading.services.performance import PerformanceService
from trading.services.notification_policy import NotificationPolicy
from trading.services.watchdog import WatchedDecisions, Watchdog
from trading.services.entry_holds import HeldDecisions
from trading.services.live_control import LiveControl
from trading.services.manual_orders import ManualOrders
from trading.services.confirmations import Confirmations
from trading.services.decisions import DecisionsService
from trading.services.questions import QuestionDesk
from trading.services.universe import UniverseService
from trading.engine.universe import UniverseSettings
from trading.bootstrap_controls import (entry_holds, event_bus, live_control, manual_orders, run_time_settings,
                                        stored_overrides, two_factor_secret)
from trading.engine.rules_decider import RulesDecider
from trading.engine.trading_engine import TradingEngine
from trading.services.engine_settings import (engine_settings, llm_settings, loop_settings, rules_settings,
                                              slippage_model)
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.exchange_time import ExchangeTimeKeeper
from trading.services.paper_funding import DEFAULT_FUNDING_RATE, rates_from, replay_funding
from trading.services.paper_venue import PaperVenue
from trading.services.portfolio import PortfolioService
from trading.services.reports import ReportService
from trading.services.signals import SignalsService
from trading.services.trading_loop import TradingLoop
from trading.settings import Settings
from trading.strategies.book import default_book

if TYPE_CHECKING:   # the live venue pulls in ccxt (~90 MB): only a live process imports it
    from trading.adapters.llm_region_advisor import LlmRegionAdvisor
    from trading.adapters.openai_decider import OpenAIDecider
    from trading.adapters.ccxt_streams import StreamingMarketData
    from trading.adapters.stream_supervisor import StreamPolicy
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)

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
    journal: DecisionJournal | None = None
    llm: "OpenAIDecider | None" = None
    decisions: DecisionsService | None = None
    questions: QuestionDesk | None = None
    universe: UniverseService | None = None
    streams: "StreamingMarketData | None" = None        # live data over WebSocket (MARKET_STREAMS=ws)

    def services(self) -> dict[str, object]:
        """Return the use-case services the chat layer calls, by name."""
        return {"assistant": self.assistant, "portfolio": self.portfolio, "signals": self.signals,
                "charts": self.charts, "reports": self.reports, "backtests": self.backtests, "loop": self.loop,
                "confirmations": self.confirmations, "control": self.control, "codes": self.control.codes,
                "orders": self.orders, "tuning": self.tuning,
                "notifications": self.notifications, "performance": self.performance,
                "decisions": self.decisions, "questions": self.questions, "universe": self.universe,
                "sweeps": SweepService(self.store)}

    async def close(self) -> None:
        """Release the market connection and the database."""
        self.backtests.close()
        if self.llm is not None:
            await self.llm.close()
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


def stream_policy(settings: Settings) -> "StreamPolicy":
    """Return how live streams are watched: STREAM_STALL_SECONDS, with a heartbeat three times as often."""
    from trading.adapters.stream_supervisor import StreamPolicy

    stall = settings.stream_stall_seconds
    return StreamPolicy(heartbeat_s=min(10.0, stall / 3), stall_s=stall)


def streaming_wanted(settings: Settings) -> bool:
    """Return True when live data should stream over WebSocket (MARKET_STREAMS=ws and ccxt streams EXCHANGE)."""
    from trading.adapters.ccxt_client import streams_supported

    if settings.market_streams != "ws":
        return False
    if not streams_supported(settings.exchange):
        log.warning("ccxt has no WebSocket streams for this exchange; polling REST", exchange=settings.exchange)
        return False
    return True


async def live_feed(settings: Settings, clock: ExchangeClock, cache: SqliteStore) -> MarketData:
    """Return the ccxt feed (candles cached in SQLite) on the exchange's clock, measured once here.

    With MARKET_STREAMS=ws it streams over WebSocket, the REST feed underneath. Raise TradingError when the
    exchange is unreachable; a failed clock measurement only keeps the machine's time until the next one
    (ExchangeTimeKeeper retries it within a minute).
    """
    from trading.adapters.ccxt_market_data import CcxtMarketData  # imported lazily: ccxt loads slowly

    streaming, policy = streaming_wanted(settings), stream_policy(settings)
    feed = CcxtMarketData(settings.exchange, clock=clock, sandbox=settings.exchange_testnet,
                          options=settings.exchange_config, cache=cache, progress=cache, streaming=streaming,
                          heartbeat_ms=int(policy.heartbeat_s * 1000))
    clock.measure_with(feed.server_time)
    try:
        await asyncio.wait_for(feed.instruments(), LIVE_PROBE_TIMEOUT_S)
    except (TradingError, asyncio.TimeoutError, OSError) as exc:
        await feed.close()
        raise TradingError(f"{settings.exchange} unreachable: {exc or 'timed out'}") from exc
    await clock.sync()       # before the first candle: which one has closed is the exchange's to say
    if streaming:
        from trading.adapters.ccxt_streams import StreamingMarketData

        return StreamingMarketData(feed, policy)
    return feed


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


async def build_core(settings: Settings, machine: Clock | None = None) -> Core:
    """Wire the core for the configured mode and open the database (machine: the clock live data runs on)."""
    totp_secret = two_factor_secret(settings) if settings.mode == "live" else None
    # the store stamps its own rows with real time; the feed's clock may be a replayed one
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    settings = await stored_overrides(settings, store)
    market, clock, refresh_s, spec = await market_feed(settings, store, machine or WallClock())
    events, notifications = await event_bus(settings, store)
    exchange = settings.exchange if not spec.startswith("replay") else f"{settings.exchange} (replayed data)"
    profile = Profile(settings.mode, exchange, settings.market_type, _symbols(settings, market))
    exchange_clock = clock if isinstance(clock, ExchangeClock) else None
    assistant = Assistant(profile, clock, market, events, store, settings.data_dir, WallClock(), exchange_clock)
    engine = TradingEngine(engine_settings(settings))
    gate = EntryGate(engine, clock)      # the one entry gate: the loop, manual orders and resting fills pass it
    if settings.mode == "live":
        venue = await live_account(settings, spec, clock, market, store, events)
        instruments = await market.instruments()
    else:
        venue = await paper_account(settings, clock, market, store, events, gate, spec)
        instruments = venue.instruments
    # the holds (live armed but paused, the user's /pause) sit in the engine's one entry gate
    holds = await entry_holds(settings, store, events, engine)
    signals = SignalsService(market, default_book(), store, profile.symbols)
    await signals.restore()
    journal = DecisionJournal(store)
    llm = await llm_decider(settings, journal, store, events)
    # the loop shares the chat's strategy book, so /strategies switches what it trades
    rules = RulesDecider(rules_settings(settings))
    # held entries arrive as skips naming the hold (the gate refuses them anyway); failures counted
    decider = WatchedDecisions(HeldDecisions(llm or rules, holds))
    loop = TradingLoop(clock, market, venue.broker, signals.book, decider, engine, events, store, instruments,
                       loop_settings(settings, profile.symbols), venue=venue, journal=journal)
    portfolio = PortfolioService(venue, venue.ledger, market, clock, settings.mode, gate, loop)
    charts, reports, backtests = result_services(settings, clock, market, store, venue, portfolio, profile.symbols)
    await loop.start()
    control = await live_control(settings, totp_secret, holds, loop, store, events)
    # questions asked in the chat run on real time, whatever the market's clock; none survives a restart
    confirmations = Confirmations(SqliteConfirmations(store), WallClock())
    orders = await manual_orders(settings, confirmations, portfolio, control, loop, gate, events, store)
    await confirmations.start()
    tuning = ChatSettings(settings, store, events, WallClock(), run_time_settings(loop, rules, orders, notifications),
                          control.codes, settings.mode == "live", market)
    watchdog = Watchdog(lambda: assistant.ticked_wall_ms, market.health, decider, events, WallClock(),
                        settings.watchdog_stall_seconds * 1000)     # real time: a replay's clock runs fast
    keeper = ExchangeTimeKeeper(exchange_clock, events, settings.exchange) if exchange_clock else None
    decisions = DecisionsService(journal, clock, market, profile.symbols, llm, settings.timezone)
    questions = QuestionDesk(llm.client if llm is not None else None, llm, portfolio, journal, signals, market, clock,
                             profile.symbols)
    universe = universe_service(settings, market, venue.broker, store, clock, llm,
                                [loop.set_symbols, assistant.set_symbols, decisions.set_symbols])
    streams = None if spec.startswith("replay") else _streaming(market)
    core = Core(settings, clock, market, store, events, assistant, venue, portfolio, signals, charts, reports,
                backtests, loop, refresh_s, confirmations, control, orders, tuning, notifications, watchdog,
                PerformanceService(venue.ledger, portfolio, clock, settings.timezone), exchange_time=keeper,
                journal=journal, llm=llm, decisions=decisions, questions=questions, universe=universe,
                streams=streams)
    watch_streams(core)
    return core


def universe_service(settings: Settings, market: MarketData, broker: object, store: SqliteStore, clock: Clock,
                     llm: "OpenAIDecider | None", appliers: list) -> UniverseService:
    """Return the symbol universe; its selections are applied to the traders only when DYNAMIC_SYMBOLS is on."""
    s = settings
    chosen = UniverseSettings(s.universe_size, s.universe_candidates, s.universe_min_turnover_usd,
                              s.universe_max_spread_bps, s.universe_max_move_pct, s.kept_symbols)
    quote = s.symbol_list[0].split("/")[1].split(":")[0]
    return UniverseService(market, broker, store, clock, chosen, quote,  # type: ignore[arg-type]
                           llm.client if llm is not None else None, appliers if s.dynamic_symbols else (),
                           fixed=s.symbol_list, refresh_minutes=s.universe_refresh_minutes)


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
    decider = OpenAIDecider(client, journal, llm_settings(settings), state=store, notify=events.emit)
    found = await decider.start()
    log.info("LLM decision maker on", model=settings.llm_model, probe=found)
    return decider


def llm_region_advisor(settings: Settings) -> "LlmRegionAdvisor | None":
    """Return the LLM as a sweep's region advisor when the LLM is on (the same server and model as decisions)."""
    if not settings.llm_on:
        return None
    from trading.adapters.llm_region_advisor import LlmRegionAdvisor

    return LlmRegionAdvisor(settings.llm_model, settings.openai_base_url, settings.openai_api_key,
                            float(settings.llm_timeout_seconds), settings.llm_response_format,
                            settings.llm_max_reply_tokens)


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
                                advisor=llm_region_advisor(settings))
    return ChartService(market, venue.ledger, theme), reports, backtests


async def market_feed(settings: Settings, store: SqliteStore, machine: Clock | None = None
                      ) -> tuple[MarketData, Clock, float, str]:
    """Return the market feed, its clock, how often to poll it, and the feed actually used (live or replay)."""
    spec = market_data_spec(settings)
    if not spec.startswith("replay"):
        try:
            clock = ExchangeClock(machine or WallClock(), sync_every_ms=settings.exchange_time_sync_minutes * 60_000)
            return await live_feed(settings, clock, store), clock, 10.0, spec
        except TradingError as exc:
            if settings.mode == "live":   # never trade real money on replayed prices
                raise ConfigurationError(f"Live trading needs the exchange's market data: {exc}") from exc
            log.warning("live market data unavailable, falling back to the bundled replay", error=str(exc))
            spec = "replay"
    market, replay_clock = replay_feed(spec, settings.replay_speed)
    return market, replay_clock, replay_refresh_s(settings.replay_speed), spec


async def live_account(settings: Settings, spec: str, clock: Clock, market: MarketData, store: SqliteStore,
                       events: EventBus) -> "LiveVenue":
    """Return the exchange venue, reconciled with the exchange."""
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
    if venue.streams_available:        # fills and stop triggers pushed by the exchange, seen within a second
        venue.stream_account(stream_policy(settings))
    await events.emit(Event(EventKind.STARTED, clock.now_ms(), "\n".join(report.lines()), notify=True))
    return venue


async def paper_account(settings: Settings, clock: Clock, market: MarketData, store: SqliteStore,
                        events: EventBus, gate: EntryGate, spec: str = "") -> PaperVenue:
    """Return the paper venue (restored from the database) with the settings' leverage and the data's funding."""
    ledger = ExecutionLedger(store, venue=f"paper-{settings.market_type}")
    leverage_cap = settings.max_leverage
    venue = PaperVenue(settings.market_type, await market.instruments(), settings.paper_starting_balance,
                       ledger, store, events, clock, leverage=min(settings.futures_leverage, leverage_cap),
                       leverage_cap=leverage_cap, funding_rate=DEFAULT_FUNDING_RATE,
                       funding_rates=rates_from(replay_funding(spec)), entry_check=gate.vet_fill,
                       slippage=slippage_model(settings))
    if await venue.restore():
        log.info("paper account restored", equity=str(venue.broker.equity()))
    return venue


def _streaming(market: MarketData) -> "StreamingMarketData | None":
    from trading.adapters.ccxt_streams import StreamingMarketData   # live data only: ccxt is loaded already

    return market if isinstance(market, StreamingMarketData) else None


def _symbols(settings: Settings, market: MarketData) -> tuple[str, ...]:
    replayed = getattr(market, "symbols", None)
    if replayed is None:
        return settings.symbol_list
    kept = tuple(s for s in settings.symbol_list if s in replayed)
    if not kept:
        raise ConfigurationError(f"Invalid setting SYMBOLS: the replay data holds only {', '.join(replayed)}")
    return kept
