"""The trading loop's state and the controls around it: the kill switch, /resume, the breaker's inputs, the user's
own exits, and the steps every job of the loop shares (the account, equity marks, exits, saving the state).

TradingLoop (trading_loop.py) adds the jobs: candles in, signals decided, entries placed, positions protected.
One lock keeps the engine's steps in order; every method here takes it, or is called under it.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence

from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import TradingError
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.market import Ticker
from trading.domain.positions import Position
from trading.engine.entry_pipeline import AccountView, account_view
from trading.engine.exit_pipeline import ExitPlan, ForcedExit
from trading.engine.risk_status import RiskStatus
from trading.engine.trading_engine import TradingEngine
from trading.logs import get_logger
from trading.ports import Broker, Clock, DecisionLog, DecisionMaker, MarketData, StateStore
from trading.risk.circuit_breaker import BreakerTransition
from trading.risk.limits import LimitBreach
from trading.risk.sizing import trade_leverage
from trading.services import loop_notices as notices
from trading.services.account_keys import KILL_SWITCH_KEY as KILL_SWITCH_KEY  # paper's, for trading_loop's importers
from trading.services.account_keys import LIVE_ACCOUNT_PREFIX, PAPER_ACCOUNT_KEY, STATE_KEY, engine_state_key
from trading.services.account_keys import kill_switch_key
from trading.services.event_bus import EventBus
from trading.services.exchange_stops import ExchangeStops
from trading.services.guard_levels import GuardLevels, guard_levels
from trading.services.own_entries import OwnEntries
from trading.services.position_sync import EntryPlans, PositionSync, Venue
from trading.services.resting_entries import RestingEntries
from trading.services.signal_source import SignalSource, as_signal_source
from trading.services.symbol_reviews import ReviewSettings, SymbolReviews, batch_picture
from trading.services.timed_decisions import TimedDecisions
from trading.strategies.base import Strategy
from trading.strategies.book import StrategyBook

log = get_logger(__name__)
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
    mode: str = "paper"             # paper or live: each keeps its own engine state in the shared database


class LoopControls:
    """The loop's state, the controls the chat and the risk rules work, and the steps the loop's jobs share."""

    def __init__(self, clock: Clock, market: MarketData, broker: Broker,
                 strategies: StrategyBook | Iterable[Strategy], decider: DecisionMaker, engine: TradingEngine,
                 events: EventBus, store: StateStore, instruments: Mapping[str, Instrument], settings: LoopSettings,
                 *, venue: Venue | None = None, journal: DecisionLog | None = None,
                 exchange_stops: ExchangeStops | None = None, plans: EntryPlans | None = None) -> None:
        self.clock, self.market, self.broker, self.engine = clock, market, broker, engine
        self.events, self.store, self.settings = events, store, settings
        self.state_key = engine_state_key(settings.mode)
        self.instruments = dict(instruments)
        self._signals: SignalSource = as_signal_source(strategies)
        self._decisions = TimedDecisions(decider, settings.decision_timeout_s, events)
        self._venue = venue
        self._exchange_stops = exchange_stops      # live futures: each guard's stop and target on the exchange too
        self._marks: dict[str, Decimal] = {}
        self._ticked_ms: dict[str, int] = {}
        self._frames: dict[str, dict[Timeframe, Candles]] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._saved: dict[str, Any] | None = None
        self._sync = PositionSync(broker, engine, events, self.instruments, venue, plans)
        self._entries = OwnEntries(self._sync)      # at once, or as cards for the owner (ask_approval)
        self._resting = RestingEntries(self._sync, engine, events, self.instruments)
        # reviews read the book's live analysis (kept up each tick) rather than recomputing the windows
        picture = strategies.zones if isinstance(strategies, StrategyBook) else batch_picture
        self._reviews = None if settings.reviews is None else SymbolReviews(
            engine, market, self._sync, events, self.instruments, settings.reviews, journal, picture, self._entries)
        self._reviewing: set[str] = set()

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
            cancelled, failed = await self._sync.cancel_entries(now)
            # the ones cancelled are done; the ones whose cancel failed were told: the pass below tries them again
            # without telling it twice
            self._resting.forget(cancelled, failed=failed)
            if cancelled:       # pushed even after a chat /kill: its reply does not list them
                await self.events.emit(notices.entries_cancelled(cancelled, now, self.instruments))
            switch = self.engine.state.kill_switch
            if switch.closes_positions:
                positions = await self._sync.run(now, self._marks)
                message = f"kill switch (flat) by {switch.cause}"
                await self._send_exits(self.engine.flatten(positions, ForcedExit.KILL_SWITCH, message, self._marks),
                                       fill_now=True)
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
            # the new account's day starts at the reset balance: marked at the next tick, a buy before it put
            # its fee into the day's start and the daily-loss limit gave that fee away until midnight
            await self._mark_equity(self.clock.now_ms())
            await self.events.emit(notices.account_reset(self.clock.now_ms()))
            await self._finish()

    async def user_order_filled(self) -> None:
        """Take in what the user's filled order changed now, not at the next tick: the gate counts its position,
        and the limits its fee and result (a limit it broke is told now, and refuses the next entry)."""
        async with self._lock:
            try:
                await self._took_fills(self.clock.now_ms())
            finally:        # a failed read (the wallet, the orders) must not leave the new guard unsaved, unarmed
                await self._finish()

    async def trip_on_protection_failures(self, failures: int, error: str) -> None:
        """Pause new entries: the protective exits failed failures times in a row, positions may be unguarded."""
        reason = f"the protective-exit job failed {failures} times in a row ({error})"
        await self._observed(lambda now: self.engine.observe_protection_failure(now, reason))

    def guard_levels(self, symbol: str) -> GuardLevels | None:
        """Return the stop and target the engine guards symbol's position with (None: it guards none there)."""
        guard = self.engine.state.positions.get(symbol)
        return None if guard is None else guard_levels(guard, self.engine.settings.protection_for(guard.strategy))

    def entry_leverage(self, instrument: Instrument) -> int:
        """Return the leverage the engine opens a new position in instrument at now (/set changes it)."""
        return trade_leverage(instrument, self.engine.settings.sizing)

    def equity_now(self) -> Decimal | None:
        """Return the account's equity at the loop's marks now (the entry gate judges the limits on it); None
        while a live wallet was read before the last fill: cash plus the book is off by that fill's proceeds
        (a false loss after a sell) until the next mark, so the gate judges at the last mark."""
        summary = self.broker.summary(self._marks)
        return summary.equity if summary.settled else None

    def risk_status(self) -> RiskStatus:
        """Return what /risk shows now, its equity figures as of now (a fill since the last tick counts), with the
        traded perpetuals whose exchange maximum holds new positions below the leverage setting."""
        status = self.engine.risk_status(self.clock.now_ms(), self.equity_now())
        sizing = self.engine.settings.sizing
        wanted = min(sizing.futures_leverage, sizing.max_leverage)
        capped = {symbol: leverage for symbol in self.settings.symbols
                  if (i := self.instruments.get(symbol)) is not None and i.kind is MarketKind.PERP
                  and (leverage := trade_leverage(i, sizing)) < wanted}
        return replace(status, leverage_capped=capped) if capped else status

    # ---- shared steps -------------------------------------------------------------------------

    async def _account(self, positions: Iterable[Position]) -> AccountView:
        await self.broker.balances()         # a live broker refreshes the balances its summary reads
        sizing = self.engine.settings.sizing
        return account_view(self.broker.summary(self._marks), list(positions), self._marks, self.instruments,
                            await self.broker.open_orders(), min(sizing.futures_leverage, sizing.max_leverage),
                            self.broker.kind == "futures")

    async def _took_fills(self, now: int) -> None:
        """Take in the positions orders just changed and mark the equity they left: every fill, whoever sent it,
        is judged by the limits at once, so no entry after it passes a limit it broke."""
        await self._sync.run(now, self._marks)
        await self._mark_equity(now)

    async def _mark_equity(self, now: int) -> None:
        positions = await self.broker.positions()
        account = await self._account(positions)
        for breach in self.engine.mark_equity(account.equity, now):
            await self._breach(breach, {p.symbol: p for p in positions})

    async def _breach(self, breach: LimitBreach, positions: Mapping[str, Position]) -> None:
        await self.events.emit(notices.limit_hit(breach))
        if breach.close_positions:
            await self._send_exits(self.engine.flatten(positions, ForcedExit.DAILY_LOSS, breach.reason, self._marks))

    async def _send_exits(self, plans: list[ExitPlan], fill_now: bool = False) -> None:
        """Send plans' exits; fill_now: a paper venue fills them at the marks now, so /positions, asked right
        after /kill flat, no longer lists what was closed (as a manual /close fills at once)."""
        now = self.clock.now_ms()
        sent = [await self._sync.place_exit(plan, now) for plan in plans]
        if fill_now and self._venue is not None and self.settings.mode != "live":
            for plan, went in zip(plans, sent):
                if went:
                    await self._fill_at_mark(plan.symbol)
        if any(sent):      # an exit's fee and result count against the limits now (a breach there is latched)
            try:
                await self._took_fills(now)
            except TradingError as exc:     # the exits went out: the step saves them; the next tick marks again
                log.warning("exits sent, taking in their fills failed", error=str(exc))

    async def _fill_at_mark(self, symbol: str) -> None:
        assert self._venue is not None
        mark = self._marks.get(symbol)
        if mark is None:       # before the loop's first tick: the market's last price
            try:
                mark = (await self.market.ticker(symbol)).last
            except TradingError:
                return         # the next tick fills it
        await self._venue.trade_at(symbol, mark)

    async def _breaker(self, transitions: list[BreakerTransition]) -> None:
        cooldown = self.engine.settings.breaker.cooldown_ms // 60_000
        for transition in transitions:
            await self.events.emit(notices.breaker_changed(transition, cooldown))

    async def enforce_entry_gate(self) -> None:
        """Apply the entry gate to the resting entry orders now (a hold set outside the loop: /pause, /live off)."""
        async with self._lock:
            await self._finish()

    async def _apply_gate(self) -> None:
        """Close what opened while a kill switch (flat) refused it; cancel the resting entries the gate refuses.

        Every step ends here, so a brake engaged in it (a daily loss, a trip, a halt, a cooldown, /kill) reaches
        the resting orders in the same step.
        """
        now = self.clock.now_ms()
        raced, switch = self._sync.take_raced(), self.engine.state.kill_switch
        if raced and switch.closes_positions:
            positions = await self._sync.run(now, self._marks)
            held = {symbol: positions[symbol] for symbol in raced if symbol in positions}
            await self._send_exits(self.engine.flatten(held, ForcedExit.KILL_SWITCH,
                                                       f"kill switch (flat) by {switch.cause}", self._marks),
                                   fill_now=True)
        await self._resting.enforce(now)

    async def _finish(self) -> None:
        await self._apply_gate()
        # the guards are saved before the exchange's legs follow them: a bot killed in between knows its
        # position at the restart (and arms the legs then); killed after, it also finds the legs
        await self._save()
        if self._exchange_stops is not None:     # every step ends with the exchange's legs matching the guards
            await self._exchange_stops.follow(self.clock.now_ms())
            await self._save()

    async def _saved_state(self) -> object | None:
        """Return the engine state this mode saved; a live bot with none takes the state saved before live had
        its own key when live was the mode that ran last (its account written after paper's), and moves it."""
        saved = await self.store.load_state(self.state_key)
        if saved is not None or self.state_key == STATE_KEY:
            return saved
        legacy = await self.store.load_state(STATE_KEY)
        last = await self.store.written_last((LIVE_ACCOUNT_PREFIX, PAPER_ACCOUNT_KEY))
        if not isinstance(legacy, Mapping) or last is None or not last.startswith(LIVE_ACCOUNT_PREFIX):
            return None        # paper's (or nothing ran live): live starts its own
        # the whole state is live's: its kill switch, day and streak too, and positions closed meanwhile are
        # recorded by the restart's sync; paper no longer reads it as its own
        await self.store.save_state(self.state_key, legacy)
        await self.store.delete_state(STATE_KEY)
        return legacy

    async def _save(self) -> None:
        snapshot = self.engine.snapshot()
        if snapshot != self._saved:
            await self.store.save_state(self.state_key, snapshot)
            switch = self.engine.state.kill_switch
            await self.store.save_state(kill_switch_key(self.settings.mode),
                                        {"active": switch.engaged, **switch.snapshot()})
            self._saved = snapshot
        await self._sync.state_saved()       # the journaled plans of the entries it holds are no longer needed

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
