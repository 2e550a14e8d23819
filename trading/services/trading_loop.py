"""The autonomous trading loop: candles in, signals decided, entries placed, every open position protected.

The only place with awaits around the pure engine. One lock keeps the engine's steps in order; nothing
slow happens under it: decisions are awaited outside it, and a position entering a zone is put to the
decision maker in a background task, so protective exits never wait for an LLM or a human.
"""
from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Awaitable, Mapping, Sequence

from trading.domain.candles import Candle, Candles, Timeframe
from trading.domain.decisions import Action, DecisionRequest
from trading.domain.errors import EntryRefused, InvalidInput, TradingError, VenueUnavailable
from trading.domain.orders import Order
from trading.domain.positions import Position
from trading.domain.signals import Signal
from trading.engine.entry_gate import EntryOrigin
from trading.engine.entry_pipeline import AccountView, EntryPlan, Rejection
from trading.engine.exit_pipeline import AskDecision
from trading.engine.simulator import PriceBar
from trading.risk.protective_stops import PriceRange
from trading.ports import EntryApprovals
from trading.services import loop_notices as notices
from trading.services.loop_controls import DEFAULT_WINDOWS, KILL_SWITCH_KEY, LoopControls, LoopSettings
from trading.services.own_entries import EntryOutcome
from trading.services.order_outcomes import Unanswered
from trading.services.signal_source import signal_atr
from trading.strategies.base import MarketView
from trading.logs import get_logger

log = get_logger(__name__)

__all__ = ["DEFAULT_WINDOWS", "KILL_SWITCH_KEY", "LoopSettings", "TradingLoop"]


class TradingLoop(LoopControls):
    """Drives the TradingEngine with market data, the decision maker and the broker; reports every step."""

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Restore the engine state saved before a restart and reconcile it with the broker."""
        async with self._lock:
            saved = await self._saved_state()
            if saved is not None:
                if not isinstance(saved, Mapping):      # never overwrite a saved engine state that cannot be read
                    raise TypeError(f"the saved engine state ({self.state_key}) is a {type(saved).__name__}, "
                                    "not a mapping")
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
            await self._followed(self._venue.trade_at(symbol, bar.close))
        elif self._venue is not None:
            await self._followed(self._venue.on_candles([(symbol, self.settings.base_timeframe,
                                                          Candles.from_rows([candle]))]))
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
            mark = self._marks.get(signal.symbol)
            plan = self.engine.plan_entry(signal, decision, account, now, atr, mark)
            if isinstance(plan, Rejection):
                await self.events.emit(notices.entry_skipped(plan, now))
            elif await self._entries.enter(plan, now, mark) is EntryOutcome.PLACED:
                await self._took_fills(now)
            await self._finish()

    # ---- the owner's approvals (live, LIVE_AUTONOMY=approve) ------------------------------------

    def ask_approval(self, approvals: EntryApprovals) -> None:
        """Put the bot's own entries to approvals as cards instead of sending them (chosen by the bootstrap)."""
        self._entries.approvals = approvals

    async def enter_approved(self, plan: EntryPlan, client_order_id: str) -> Order:
        """Send an entry the owner approved, under the approval's client id; its fill arms the plan's exits.

        Raise InvalidInput (EntryRefused naming the rule) when the entry gate or a taken symbol refuses it now.
        """
        symbol = plan.signal.symbol
        async with self._lock:
            now = self.clock.now_ms()
            verdict = self.engine.vet_new_position(now, EntryOrigin.ENGINE, symbol, self.equity_now())
            if not verdict.allowed:
                raise EntryRefused(f"Not opened: {verdict.reason}", str(verdict.rule))
            if self.engine.state.busy(symbol):
                raise InvalidInput(f"{symbol} already has a position or an entry on its way; nothing was placed")
            approved = replace(plan, intent=replace(plan.intent, client_order_id=client_order_id))
            # of unknown outcome, the approval's reply says so (EntryProposals: OrderOutcomeUnknown): not a push too
            order = await self._sync.place_entry(approved, now, tell_unknown=False)
            if order is None:
                raise InvalidInput(f"the exchange did not take the {symbol} entry (the alert says why)")
            if isinstance(order, Unanswered):       # waiting as a pending entry: saved with its plan
                await self._finish()
                raise VenueUnavailable(f"the {symbol} entry {client_order_id} MAY have reached the exchange: no "
                                       "answer, and looking it up failed too")
            await self._took_fills(now)      # a market order's fill arms the stop and target now, its fee counts
            await self._finish()
        return await self.broker.find_by_client_id(client_order_id, symbol) or order

    async def resume_approved(self, plan: EntryPlan, client_order_id: str) -> str:
        """Arm the plan's exits on an approved entry placed before a restart but never recorded; say what was done.

        Start-up adopted its position with the default exits; the plan becomes its entry again, so the next
        sync arms the plan's stop, target, partial and trailing and carries its strategy (none is placed).
        """
        symbol = plan.signal.symbol
        async with self._lock:
            guard = self.engine.state.positions.get(symbol)
            if client_order_id in self.engine.state.pending or (guard is not None and guard.key == client_order_id):
                return "its plan's exits were already armed"
            now = self.clock.now_ms()
            self.engine.on_entry_placed(replace(plan, intent=replace(plan.intent, client_order_id=client_order_id)),
                                        now)
            await self._sync.run(now, self._marks)
            await self._finish()
            guard = self.engine.state.positions.get(symbol)
        if guard is not None and guard.key == client_order_id:
            return f"its position is guarded by the plan's exits ({guard.strategy}: stop {guard.stops.stop}, " \
                   f"target {guard.stops.take_profit})"
        if client_order_id in self.engine.state.pending:
            return "the plan's exits are armed when it fills"
        return "its position is gone: no exits to arm"

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
                    await self._followed(self._venue.trade_at(symbol, price))
                    self._ticked_ms[symbol] = now
                await self._breaker(self.engine.observe_price(symbol, now, price))
            positions = await self._sync.run(now, self._marks)
            for symbol, position in positions.items():
                if symbol in prices:
                    await self._protect_position(symbol, PriceBar.tick(now, prices[symbol]), position, now)
            await self._mark_equity(now)
            await self._finish()

    async def _followed(self, follow: Awaitable[None]) -> None:
        """Let the venue follow its orders; a failure (an exchange call that keeps failing) is logged and the step
        goes on with what is known, so the positions' own stops are still checked (the sync treats what it cannot
        look up as unknown)."""
        try:
            await follow
        except TradingError as exc:
            log.warning("following the orders on the exchange failed; the step goes on with what is known",
                        error=str(exc))

    async def _protect_position(self, symbol: str, bar: PriceRange, position: Position, now: int) -> None:
        sent = False
        for plan in self.engine.on_bar(symbol, bar, position, self.instruments.get(symbol)):
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
                    await self._took_fills(now)
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
