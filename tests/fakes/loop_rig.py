"""A trading loop wired as the bot wires it, on replayed real candles, a manual clock, a paper broker and SQLite."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from tests.fakes.recording_notifier import RecordingNotifier
from trading.adapters.clocks import ManualClock
from trading.adapters.paper_broker import PaperBroker
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_entry_plans import SqliteEntryPlans
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import Candles, Timeframe
from trading.domain.events import EventKind
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesDecider
from trading.engine.simulated_exchange import MarketFill
from trading.engine.slippage import NO_SLIPPAGE
from trading.engine.trading_engine import TradingEngine
from trading.ports import DecisionLog, DecisionMaker
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.symbol_reviews import ReviewSettings
from trading.services.trading_loop import LoopSettings, TradingLoop
from trading.services.loop_jobs import watch_prices
from trading.services.paper_feed import PaperFeed

STARTING_BALANCE = Decimal("10000")


@dataclass
class LoopRig:
    """Everything around one trading loop, for a test to drive and inspect."""

    clock: ManualClock
    market: ReplayMarketData
    broker: PaperBroker
    store: SqliteStore
    notes: RecordingNotifier
    engine: TradingEngine
    loop: TradingLoop
    symbol: str
    base: Timeframe

    async def run_until(self, until_ms: int, ticks: bool = False, settle: bool = True) -> None:
        """Step the clock one base candle at a time to until_ms; with ticks, run the price watch first.

        settle: wait for the decisions in flight after each step (as a slow decision maker would not).
        """
        while self.clock.now_ms() < until_ms:
            self.clock.advance(self.base.ms)
            if ticks:
                await watch_prices(self.loop)
            await self.loop.on_candles_closed(await self.market.poll([self.symbol], [self.base]))
            if settle:
                await self.loop.settle()

    async def jump_to(self, ms: int) -> None:
        """Move the clock straight to ms and hand the loop every candle closed meanwhile in one batch."""
        self.clock.set(ms)
        await self.loop.on_candles_closed(await self.market.poll([self.symbol], [self.base]))
        await self.loop.settle()

    def notified(self, *kinds: EventKind) -> list[str]:
        """Return the messages pushed to the user, of these kinds (all kinds when none are given)."""
        return [e.message for e in self.notes.events if not kinds or e.kind in kinds]

    async def audit(self, kind: EventKind) -> list[Any]:
        """Return the audit log's events of kind, oldest first."""
        return await self.store.events(kind, limit=1000)

    async def close(self) -> None:
        """Close the database (the next rig on the same folder is a restart)."""
        await self.store.close()


async def build_rig(folder: Path, candles: Candles, symbol: str, start_ms: int, strategies: Any, *,
                    settings: EngineSettings = EngineSettings(), futures: bool = False,
                    market_fill: MarketFill = MarketFill.NEXT_PRICE, base: Timeframe = Timeframe.M1,
                    windows: dict[Timeframe, int] | None = None,
                    decider: DecisionMaker | Callable[[SqliteStore, EventBus], DecisionMaker] | None = None,
                    decision_timeout_s: float = 10.0, reviews: ReviewSettings | None = None,
                    journal: Callable[[SqliteStore], DecisionLog] | None = None) -> LoopRig:
    """Return a started loop on symbol's candles, its clock at start_ms, paper balance 10,000 USDT.

    reviews: put each candle to the decider as a symbol review (an LLM decides); journal: the decision log
    over the rig's store (a factory, since the store opens here); decider may be such a factory too.
    """
    clock = ManualClock(start_ms)
    market = ReplayMarketData({symbol: candles}, clock, "test replay")
    instruments = await market.instruments()
    store = SqliteStore(folder / "trading.sqlite", clock)
    await store.open()
    events = EventBus(store)
    build = PaperBroker.futures if futures else PaperBroker.spot
    engine = TradingEngine(settings)
    gate = EntryGate(engine, clock)          # as bootstrap wires it: a resting entry passes the gate at its fill
    venue = PaperFeed(events, clock, lambda sink: build(instruments, STARTING_BALANCE, slippage=NO_SLIPPAGE,
                                                        market_fill=market_fill, on_event=sink, clock=clock,
                                                        entry_check=gate.vet_fill))
    broker = venue.broker
    notes = RecordingNotifier()
    events.attach(notes)
    if decider is not None and not hasattr(decider, "decide"):
        decider = decider(store, events)      # type: ignore[operator]
    loop_settings = LoopSettings(symbols=(symbol,), windows=windows or {base: 60}, base_timeframe=base,
                                 decision_timeframe=Timeframe.M15 if base is Timeframe.M1 else base,
                                 decision_timeout_s=decision_timeout_s, reviews=reviews)
    loop = TradingLoop(clock, market, broker, strategies, decider or RulesDecider(), engine, events, store,
                       instruments, loop_settings, venue=venue,
                       journal=journal(store) if journal is not None else None, plans=SqliteEntryPlans(store))
    await market.poll([symbol], [base])
    await loop.start()
    return LoopRig(clock, market, broker, store, notes, engine, loop, symbol, base)
