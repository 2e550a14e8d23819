"""A trading loop on a live USDT-M futures venue: the fake Binance over ccxt, SQLite, a manual clock, wired as the
bootstrap wires a live futures bot (exchange stops on). Building a second rig on the same folder and fake is a
restart; dropping one without closing its venue is a process killed.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import FakeMarket
from tests.fakes.exchange_algo_orders import FakeAlgoOrder
from tests.fakes.live_broker import live_rig
from tests.fakes.market_stretches import minutes_around
from tests.fakes.recording_notifier import RecordingNotifier
from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.adapters.sqlite_entry_plans import SqliteEntryPlans
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import MINUTE_MS, Candles, Timeframe
from trading.domain.instruments import MarketKind
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesDecider
from trading.risk.sizing import SizingSettings
from trading.engine.trading_engine import TradingEngine
from trading.services.event_bus import EventBus
from trading.services.exchange_stops import ExchangeStops
from trading.services.live_venue import LiveVenue
from trading.services.loop_jobs import watch_prices
from trading.services.trading_loop import LoopSettings, TradingLoop

PERP = "BTC/USDT:USDT"
StopsFrom = Callable[[LiveVenue, TradingEngine, EventBus], "ExchangeStops | None"]
SPOT = "BTC/USDT"
# the rig's default: futures at 1x, so the figures of tests about something else than leverage stay hand-computed
# (the fake lists a 125x maximum, which start-up loads; the engine's default FUTURES_LEVERAGE is 5)
AT_1X = EngineSettings(sizing=SizingSettings(futures_leverage=1))


def at_1x(settings: EngineSettings) -> EngineSettings:
    """Return settings trading futures at 1x (the rig's default), the rest as they are."""
    return replace(settings, sizing=replace(settings.sizing, futures_leverage=1))


def spot_minutes(candles: Candles) -> FakeMarket:
    """Return the BTC/USDT spot market of the fake replaying these 1m candles (Binance's spot rules)."""
    return FakeMarket("BTCUSDT", "BTC", "USDT", {Timeframe.M1: candles}, tick="0.01", step="0.00001",
                      min_qty="0.00001", min_notional="5")


def perp_minutes(candles: Candles) -> FakeMarket:
    """Return the BTC/USDT:USDT perpetual of the fake replaying these 1m candles (Binance's USDT-M rules)."""
    return FakeMarket("BTCUSDT", "BTC", "USDT", {Timeframe.M1: candles}, kind=MarketKind.PERP, tick="0.10",
                      step="0.001", min_qty="0.001", min_notional="100")


@dataclass
class LiveLoopRig:
    """One run of the bot's trading side on the fake exchange, for a test to drive and inspect."""

    clock: ManualClock
    fake: FakeExchange
    venue: LiveVenue
    store: SqliteStore
    notes: RecordingNotifier
    engine: TradingEngine
    loop: TradingLoop
    market: ReplayMarketData
    symbol: str = PERP

    async def run_until(self, until_ms: int) -> None:
        """Step the clock one minute at a time to until_ms: the price watch, then the closed candle."""
        while self.clock.now_ms() < until_ms:
            self.clock.advance(Timeframe.M1.ms)
            await watch_prices(self.loop)
            await self.loop.on_candles_closed(await self.market.poll([self.symbol], [Timeframe.M1]))
            await self.loop.settle()

    def legs(self, status: str = "NEW") -> list[FakeAlgoOrder]:
        """Return the fake's conditional orders in this status, oldest first."""
        return [a for a in self.fake.account.algo_orders if a.status == status]

    def notified(self, word: str) -> list[str]:
        """Return the messages pushed to the user that contain word."""
        return [line for line in self.notes.lines if word in line]

    async def kill(self) -> None:
        """Stop as a killed process stops: nothing more is sent or saved (the HTTP session and file are let go)."""
        await self.venue.broker.account.close()
        await self.store.close()

    async def close(self) -> None:
        """Shut down in order."""
        await self.venue.close()
        await self.store.close()


async def start_live_loop(folder: Path, fake: FakeExchange, clock: ManualClock, candles: Candles,
                          strategies: list[Any], settings: EngineSettings = AT_1X,
                          futures: bool = True, stops_from: StopsFrom | None = None) -> LiveLoopRig:
    """Return a started loop trading PERP (SPOT when not futures: no exchange stops) on the fake (whose clock is
    clock), reconciled with it as start-up does; stops_from builds its exchange stops (default: on, as bootstrap
    wires them by default). The engine trades at 1x unless settings say otherwise (AT_1X: the figures of most
    tests are hand-computed at 1x; pass at_1x(yours) to keep that with other settings)."""
    symbol = PERP if futures else SPOT
    store = SqliteStore(folder / "trading.sqlite", clock)
    await store.open()
    events = EventBus(store)
    notes = RecordingNotifier()
    events.attach(notes)
    broker = (await live_rig(fake, clock, futures=futures, timeout_ms=2_000,
                             options=LiveOptions(placement_delays_s=(0.0, 0.0, 0.0)))).broker
    venue = LiveVenue(broker, ExecutionLedger(store, venue=f"live-binance-{broker.kind}"), store, events, clock)
    await venue.restore()
    market = ReplayMarketData({symbol: candles}, clock, "test replay")
    engine = TradingEngine(settings)
    loop_settings = LoopSettings(symbols=(symbol,), windows={Timeframe.M1: 60}, decision_timeframe=Timeframe.M1,
                                 mode="live")
    loop = TradingLoop(clock, market, broker, strategies, RulesDecider(), engine, events, store,
                       broker.instruments, loop_settings, venue=venue,
                       exchange_stops=(stops_from or ExchangeStops)(venue, engine, events) if futures else None,
                       plans=SqliteEntryPlans(store))
    await market.poll([symbol], [Timeframe.M1])
    await loop.start()
    return LiveLoopRig(clock, fake, venue, store, notes, engine, loop, market, symbol)


@asynccontextmanager
async def live_loop_around(folder: Path, stretch_ms: int, strategies: list[Any], **options: Any
                           ) -> AsyncIterator[LiveLoopRig]:
    """Run a live futures loop (start_live_loop's options) on the fake replaying the 1m candles around stretch_ms,
    from five minutes before it; closed at the end."""
    candles = minutes_around(stretch_ms)
    clock = ManualClock(stretch_ms - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        rig = await start_live_loop(folder, fake, clock, candles, strategies, **options)
        try:
            yield rig
        finally:
            await rig.close()
