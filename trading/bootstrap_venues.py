"""Opening the venue of the mode: the live exchange account (reconciled, its streams on) or the paper one, and
closing what a failed start-up opened.

Only a live process imports ccxt: the live venue's modules are imported inside the functions that need them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable

from trading.adapters.exchange_clock import ExchangeClock
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.adapters.sqlite_store import SqliteStore
from trading.bootstrap_feeds import stream_policy
from trading.domain.errors import ConfigurationError
from trading.domain.events import Event, EventKind
from trading.engine.trading_engine import TradingEngine
from trading.logs import get_logger
from trading.ports import Clock, MarketData
from trading.services.engine_settings import slippage_model
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.exchange_stops import ExchangeStops, withdraw_exchange_stops
from trading.services.paper_funding import DEFAULT_FUNDING_RATE, rates_from, replay_funding
from trading.services.paper_venue import PaperVenue
from trading.settings import Settings

if TYPE_CHECKING:   # the live venue pulls in ccxt (~90 MB): only a live process imports it
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)


async def released(*closing: Awaitable[object]) -> None:
    """Close what a failed start-up opened, each whatever the others do (the start-up's error is what counts)."""
    for close in closing:
        try:
            await close
        except Exception as exc:  # noqa: BLE001 - a second failure must not hide the first
            log.warning("could not release a resource after a failed start-up", error=type(exc).__name__)


async def released_venue(venue: "LiveVenue | PaperVenue") -> None:
    """Close the live venue a failed start-up opened (its exchange session, its streams); a paper one holds none.

    build_core closes the market and the database; each step past the venue's opening closes the venue itself.
    """
    from trading.services.live_venue import LiveVenue

    if isinstance(venue, LiveVenue):
        await released(venue.close())


def exchange_stops(settings: Settings, live: "LiveVenue", engine: TradingEngine, events: EventBus
                   ) -> ExchangeStops | None:
    """Return what keeps live futures stops and targets on the exchange too; None for spot or EXCHANGE_STOPS=off."""
    if settings.market_type != "futures" or settings.exchange_stops == "off":
        return None         # spot stops stay in the bot (a stop and a target would lock the same coins twice)
    return ExchangeStops(live, engine, events, replace_ms=settings.exchange_stop_replace_s * 1000)


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
                          default_leverage=min(settings.futures_leverage, settings.max_leverage))
    resync = clock.sync if isinstance(clock, ExchangeClock) else None    # a -1021 measures the clock again
    venue = await live_venue(settings, clock, store, events, await market.instruments(), options=options,
                             resync=resync)
    try:        # whatever fails past the venue's opening closes it (its exchange session, its streams)
        lines = (await venue.restore()).lines()
        if settings.market_type == "futures" and settings.exchange_stops == "off":    # a run with them on left legs
            lines += [told] if (told := await withdraw_exchange_stops(venue)) else []
        if venue.streams_available:        # fills and stop triggers pushed by the exchange, seen within a second
            venue.stream_account(stream_policy(settings))
        await events.emit(Event(EventKind.STARTED, clock.now_ms(), "\n".join(lines), notify=True))
    except BaseException:
        await released(venue.close())
        raise
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
