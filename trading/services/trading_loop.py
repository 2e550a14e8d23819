"""The autonomous trading loop: candles in, signals decided, entries placed, every open position protected.

The only place with awaits around the pure engine. One lock keeps the engine's steps in order; nothing
slow happens under it: decisions are awaited outside it, and a position entering a zone is put to the
decision maker in a background task, so protective exits never wait for an LLM or a human.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence

from trading.domain.candles import Candle, Candles, Timeframe
from trading.domain.decisions import Action, DecisionRequest
from trading.domain.errors import TradingError
from trading.domain.instruments import Instrument
from trading.domain.market import Ticker
from trading.domain.positions import Position
from trading.domain.signals import Signal
from trading.engine.entry_pipeline import AccountView, Rejection, account_view
from trading.engine.exit_pipeline import AskDecision, ExitPlan, ForcedExit
from trading.engine.risk_status import RiskStatus
from trading.engine.simulator import PriceBar
from trading.engine.trading_engine import TradingEngine
from trading.ports import Broker, Clock, DecisionLog, DecisionMaker, MarketData, StateStore
from trading.risk.circuit_breaker import BreakerTransition
from trading.risk.limits import LimitBreach
from trading.risk.protective_stops import PriceRange
from trading.services import loop_notices as notices
from trading.services.event_bus import EventBus
from trading.services.position_sync import PositionSync, Venue
from trading.services.signal_source import SignalSource, as_signal_source, signal_atr
from trading.services.symbol_reviews import ReviewSettings, SymbolReviews, batch_picture
from trading.services.timed_decisions import TimedDecisions
from trading.strategies.base import MarketView, Strategy
from trading.strategies.book import StrategyBook

STATE_KEY = "engine"
KILL_SWITCH_KEY = "kill_switch"      # read by Assistant.status
DEFAULT_WINDOWS = {Timeframe.M1: 1500, Timeframe.M15: 500, Timeframe.H1: 500, Timeframe.D1: 300}


@dataclass(frozen=True, slots=True)
class LoopSettings:
    """What the loop trades and how it looks at the market."""

    symbols: tuple[str, ...]
    windows: Mapping[Timeframe, int] = field(default_factory=lambda: dict(DEFAULT_WINDOWS))
    base_timeframe: Timeframe = Timeframe.M1    # its close triggers the strategy scan
    decision_timeout_s: float = 10.0
    decision_timeframe: Timeframe = Timeframe.M15   # candles handed to the decision maker in a zone
    decision_bars: int = 50
    quote: str = "USDT"
    # a signal older than this many base bars at the newest close is stale (after a gap, or a fast replay's batch)
    signal_max_age_bars: int = 3
    # while an LLM decides, every symbol's candle is put to it whole (signals are its evidence), not each signal
    reviews: ReviewSettings | None = None


class TradingLoop:
    """Drives the TradingEngine with market data, the decision maker and the broker; reports every step."""

    def __init__(self, clock: Clock, market: MarketData, broker: Broker,
                 strategies: StrategyBook | Iterable[Strategy], decider: DecisionMaker, engine: TradingEngine,
                 events: EventBus, store: StateStore, instruments: Mapping[str, Instrument], settings: LoopSettings,
                 *, venue: Venue | None = None, journal: DecisionLog | None = None) -> None:
        self.clock, self.market, self.broker, self.engine = clock, market, broker, engine
        self.events, self.store, self.settings = events, store, settings
        self.instruments = dict(instruments)
        self._signals: SignalSource = as_signal_source(strategies)
        self._decisions = TimedDecisions(decider, settings.decision_timeout_s, events)
        self._venue = venue
        self._marks: dict[str, Decimal] = {}
        self._ticked_ms: dict[str, int] = {}
        self._frames: dict[str, dict[Timeframe, Candles]] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._saved: dict[str, Any] | None = None
        self._sync = PositionSync(broker, engine, events, self.instruments, venue)
        # reviews read the book's live analysis (kept up each tick) rather than recomputing the windows
        picture = strategies.zones if isinstance(strategies, StrategyBook) else batch_picture
        self._reviews = None if settings.reviews is None else SymbolReviews(
            engine, market, self._sync, events, self.instruments, settings.reviews, journal, picture)
        self._reviewing: set[str] = set()

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Restore the engine state saved before a restart and reconcile it with the broker."""
        async with self._lock:
            saved = await self.store.load_state(STATE_KEY)
            if saved is not None:
                self.engine.restore(saved)
            now = self.clock.now_ms()
            await self._sync.reconcile_on_start(now)
            switch = self.engine.state.kill_switch
            if switch.engaged:
                await self.events.emit(notices.kill_still_engaged(switch, now))
            await self._finish()

    async def settle(self) -> None:
        """Wait for the zone decisions still under way (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    # ---- the candle job -----------------------------------------------------------------------

    async def on_candles_closed(self, batches: Sequence[tuple[str, Timeframe, Candles]]) -> None:
        """Protect on each newly closed base candle, then act on the signals known at the newest close."""
        fresh: dict[str, list[Signal]] = {}
        async with self._lock:
            now = self.clock.now_ms()
            for symbol, timeframe, candles in batches:
                if timeframe != self.settings.base_timeframe or symbol not in self.settings.symbols:
                    continue
                for i in range(len(candles)):
                    await self._on_candle(symbol, candles.at(i), now)
                fresh[symbol] = await self._fresh_signals(symbol, int(candles.open_ms[-1]) + timeframe.ms)
            await self._mark_equity(now)
            await self._finish()
        if self._reviews is not None:
            for symbol, signals in fresh.items():
                self._spawn(self._review(symbol, tuple(signals)))
            return
        for signal in (s for signals in fresh.values() for s in signals):
            await self._consider(signal)

    async def _on_candle(self, symbol: str, candle: Candle, now: int) -> None:
        close_ms = candle.open_ms + self.settings.base_timeframe.ms
        bar = PriceBar.from_candle(candle)
        if self._venue is not None and self._ticked_ms.get(symbol, 0) > candle.open_ms:
            # Ticks already walked the venue through this candle: its open would be a stale fill price.
            await self._venue.trade_at(symbol, bar.close)
        elif self._venue is not None:
            await self._venue.on_candles([(symbol, self.settings.base_timeframe, Candles.from_rows([candle]))])
        self._marks[symbol] = bar.close
        await self._breaker(self.engine.observe_price(symbol, close_ms, bar.close))
        positions = await self._sync.run(now, self._marks)
        guard = self.engine.state.positions.get(symbol)
        # A candle that began before the fill saw prices the position never lived through.
        if symbol in positions and guard is not None and candle.open_ms >= guard.opened_ms:
            await self._protect_position(symbol, bar, positions[symbol], now)

    async def _fresh_signals(self, symbol: str, newest_close_ms: int) -> list[Signal]:
        # Only what became known in the last few bars: after a gap the older signals are stale.
        since = newest_close_ms - self.settings.signal_max_age_bars * self.settings.base_timeframe.ms
        frames = {tf: await self.market.candles(symbol, tf, n) for tf, n in self.settings.windows.items()}
        self._frames[symbol] = frames
        # the scan is CPU work: in a worker thread the chat is answered meanwhile (the lock still orders the steps)
        found = await asyncio.to_thread(self._signals.latest_signals, symbol, frames, since)
        return [s for s in found if s.known_at_ms <= newest_close_ms and self.engine.accept_signal(s)]

    async def _consider(self, signal: Signal) -> None:
        if signal.exits:
            await self._exit_on_signal(signal)
            return
        now = self.clock.now_ms()
        instrument = self.instruments.get(signal.symbol)
        await self.events.emit(notices.signal_seen(signal.on_tick(instrument) if instrument else signal, now))
        request = DecisionRequest(now, signal=signal, context=signal.reason)
        decision = await self._decisions.decide(request, Action.SKIP, f"signal {signal.setup_id}")
        async with self._lock:
            now = self.clock.now_ms()
            account = await self._account(await self.broker.positions())
            atr = signal_atr(self._frames.get(signal.symbol, {}), signal, self.engine.settings.sizing)
            plan = self.engine.plan_entry(signal, decision, account, now, atr, self._marks.get(signal.symbol))
            if isinstance(plan, Rejection):
                await self.events.emit(notices.entry_skipped(plan, now))
            elif await self._sync.place_entry(plan, now):
                await self._sync.run(now, self._marks)
            await self._finish()

    async def _exit_on_signal(self, signal: Signal) -> None:
        # a strategy's own exit (the EMA-cross yardstick's cross back) is an exit: never vetted, never decided
        async with self._lock:
            positions = await self._sync.run(self.clock.now_ms(), self._marks)
            if signal.symbol in positions:
                await self._send_exits(self.engine.exit_on_signal(signal, positions[signal.symbol]))
            await self._finish()

    # ---- the fast protective job --------------------------------------------------------------

    async def protect(self, prices: Mapping[str, Decimal]) -> None:
        """Evaluate every open position's exits on the latest prices and send the exits at once."""
        async with self._lock:
            now = self.clock.now_ms()
            await self._breaker(self.engine.advance(now))
            for symbol, price in prices.items():
                self._marks[symbol] = price
                if self._venue is not None:
                    await self._venue.trade_at(symbol, price)
                    self._ticked_ms[symbol] = now
                await self._breaker(self.engine.observe_price(symbol, now, price))
            positions = await self._sync.run(now, self._marks)
            for symbol, position in positions.items():
                if symbol in prices:
                    await self._protect_position(symbol, PriceBar.tick(now, prices[symbol]), position, now)
            await self._mark_equity(now)
            await self._finish()

    async def _protect_position(self, symbol: str, bar: PriceRange, position: Position, now: int) -> None:
        sent = False
        for plan in self.engine.on_bar(symbol, bar, position):
            if isinstance(plan, AskDecision):
                self._spawn(self._ask(plan, position) if self._reviews is None else self._review(symbol, (), plan))
            else:
                sent = await self._sync.place_exit(plan, now) or sent
        if sent:
            await self._sync.run(now, self._marks)

    async def _ask(self, ask: AskDecision, position: Position) -> None:
        candles = await self._zone_candles(ask.symbol)     # None: the rules hold; the hard stop still guards it
        request = DecisionRequest(self.clock.now_ms(), position=position, context=ask.message, zone=ask.zone,
                                  candles=candles)
        decision = await self._decisions.decide(request, Action.HOLD, f"{ask.symbol} {ask.zone} zone")
        async with self._lock:
            await self._send_exits(self.engine.exit_on_decision(ask, decision, position))
            await self._finish()

    async def _review(self, symbol: str, signals: tuple[Signal, ...], ask: AskDecision | None = None) -> None:
        # one review per symbol at a time (a zone question still goes through); the LLM call runs unlocked
        key = symbol if ask is None else f"{symbol}:{ask.zone}"
        if key in self._reviewing or self._reviews is None:
            return
        self._reviewing.add(key)
        try:
            regime = await self._reviews.btc_regime(self.clock.now_ms())
            frames = self._frames.get(symbol) or await self._load_frames(symbol)
            zone_candles = await self._zone_candles(symbol) if ask is not None else None
            picture = await asyncio.to_thread(self._reviews.picture, MarketView(symbol, frames))   # CPU work
            async with self._lock:
                now = self.clock.now_ms()
                positions = {p.symbol: p for p in await self.broker.positions()}
                account = await self._account(positions.values())
                request = self._reviews.request(symbol, signals, ask, positions, account, self._marks, frames, regime,
                                                now, zone_candles, picture)
            decision = await self._decisions.decide(request, Action.HOLD, f"{symbol} review")
            async with self._lock:
                now = self.clock.now_ms()
                if await self._reviews.act(request, decision, self._broker_account, self._marks, now):
                    await self._sync.run(now, self._marks)
                await self._finish()
        finally:
            self._reviewing.discard(key)

    async def _load_frames(self, symbol: str) -> dict[Timeframe, Candles]:
        return {tf: await self.market.candles(symbol, tf, n) for tf, n in self.settings.windows.items()}

    async def _zone_candles(self, symbol: str) -> Candles | None:
        try:
            return await self.market.candles(symbol, self.settings.decision_timeframe, self.settings.decision_bars)
        except TradingError:
            return None

    async def _broker_account(self) -> AccountView:
        return await self._account(await self.broker.positions())

    # ---- circuit breaker inputs ---------------------------------------------------------------

    async def observe_ticker(self, ticker: Ticker) -> None:
        """Feed a ticker's price and spread to the circuit breaker."""
        await self._observed(lambda now: self.engine.observe_ticker(ticker))

    async def observe_latency(self, latency_ms: int) -> None:
        """Feed an exchange round-trip time to the circuit breaker."""
        await self._observed(lambda now: self.engine.observe_latency(now, latency_ms))

    async def observe_error(self) -> None:
        """Feed an exchange error to the circuit breaker (a burst of them trips it)."""
        await self._observed(self.engine.observe_error)

    async def _observed(self, observe: Callable[[int], list[BreakerTransition]]) -> None:
        async with self._lock:
            await self._breaker(observe(self.clock.now_ms()))
            await self._finish()

    # ---- kill switch and /risk ----------------------------------------------------------------

    async def kill(self, flat: bool, by: str, reason: str, notify: bool = True) -> bool:
        """Stop every new order at once (flat: also close every position); return True when it changed.

        notify: push the news (a KILL file, a signal); a chat command answers in its own reply instead.
        """
        async with self._lock:
            now = self.clock.now_ms()
            changed = self.engine.kill(flat, by, reason, now)
            if changed:
                await self.events.emit(notices.kill_engaged(self.engine.state.kill_switch, notify))
            await self._sync.cancel_entries(now)
            switch = self.engine.state.kill_switch
            if switch.closes_positions:
                positions = await self._sync.run(now, self._marks)
                message = f"kill switch (flat) by {switch.cause}"
                await self._send_exits(self.engine.flatten(positions, ForcedExit.KILL_SWITCH, message, self._marks))
            await self._finish()
            return changed

    async def resume(self, by: str, notify: bool = True) -> list[str]:
        """Release the kill switch, a drawdown halt and a loss-streak cooldown; return what was lifted."""
        async with self._lock:
            now = self.clock.now_ms()
            lifted = self.engine.resume(by, now)
            if lifted:
                await self.events.emit(notices.trading_resumed(lifted, now, notify))
            await self._finish()
            return lifted

    async def lift_cooldown(self, by: str) -> bool:
        """End a loss-streak cooldown now (/unlock, audited); return True when one was running."""
        async with self._lock:
            now = self.clock.now_ms()
            lifted = self.engine.lift_cooldown(now)
            if lifted:
                await self.events.emit(notices.cooldown_lifted(by, now))
            await self._finish()
            return lifted

    def set_symbols(self, symbols: Sequence[str]) -> None:
        """Trade these symbols from the next candle on (a new symbol universe); open positions stay guarded."""
        self.settings = replace(self.settings, symbols=tuple(symbols))

    # ---- the user's own orders (PortfolioService) ---------------------------------------------

    async def user_exit(self, symbol: str, client_order_id: str, command: str) -> None:
        """Note the user's exit order before it goes out: its fill is then the user's, told by their reply."""
        async with self._lock:
            self.engine.on_user_exit(symbol, client_order_id, command)
            await self._finish()

    async def user_exit_failed(self, symbol: str) -> None:
        """Forget a noted user exit that the venue refused."""
        async with self._lock:
            self.engine.on_exit_settled(symbol)
            await self._finish()

    async def reset_account(self, reset_venue: Callable[[], Awaitable[None]]) -> None:
        """Reset the venue (a paper account) and start the engine's limits, streaks and guards over with it."""
        async with self._lock:
            await reset_venue()
            self.engine.reset_account()
            await self.events.emit(notices.account_reset(self.clock.now_ms()))
            await self._finish()

    async def trip_on_protection_failures(self, failures: int, error: str) -> None:
        """Pause new entries: the protective exits failed failures times in a row, positions may be unguarded."""
        reason = f"the protective-exit job failed {failures} times in a row ({error})"
        await self._observed(lambda now: self.engine.observe_protection_failure(now, reason))

    def risk_status(self) -> RiskStatus:
        """Return what /risk shows now."""
        return self.engine.risk_status(self.clock.now_ms())

    # ---- shared steps -------------------------------------------------------------------------

    async def _account(self, positions: Iterable[Position]) -> AccountView:
        await self.broker.balances()         # a live broker refreshes the balances its summary reads
        sizing = self.engine.settings.sizing
        return account_view(self.broker.summary(self._marks), list(positions), self._marks, self.instruments,
                            await self.broker.open_orders(), min(sizing.futures_leverage, sizing.max_leverage),
                            self.broker.kind == "futures")

    async def _mark_equity(self, now: int) -> None:
        positions = await self.broker.positions()
        account = await self._account(positions)
        for breach in self.engine.mark_equity(account.equity, now):
            await self._breach(breach, {p.symbol: p for p in positions})

    async def _breach(self, breach: LimitBreach, positions: Mapping[str, Position]) -> None:
        await self.events.emit(notices.limit_hit(breach))
        if breach.close_positions:
            await self._send_exits(self.engine.flatten(positions, ForcedExit.DAILY_LOSS, breach.reason, self._marks))

    async def _send_exits(self, plans: list[ExitPlan]) -> None:
        now = self.clock.now_ms()
        sent = [await self._sync.place_exit(plan, now) for plan in plans]
        if any(sent):
            await self._sync.run(now, self._marks)

    async def _breaker(self, transitions: list[BreakerTransition]) -> None:
        cooldown = self.engine.settings.breaker.cooldown_ms // 60_000
        for transition in transitions:
            await self.events.emit(notices.breaker_changed(transition, cooldown))

    async def _finish(self) -> None:
        snapshot = self.engine.snapshot()
        if snapshot != self._saved:
            await self.store.save_state(STATE_KEY, snapshot)
            switch = self.engine.state.kill_switch
            await self.store.save_state(KILL_SWITCH_KEY, {"active": switch.engaged, **switch.snapshot()})
            self._saved = snapshot

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
