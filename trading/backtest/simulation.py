"""The trade simulation of a backtest: the trading engine, the rules and the paper broker on historical time.

The same TradingEngine, rules decider and PaperBroker as paper trading; what differs is the wiring. The
broker only ever sees price ticks: the entry at the open of the bar after the signal's close, each exit
at the level the engine says fired (the bar's open when price gapped past it), funding at its times. The
engine sees the signals in order and, for an open position, only the bars where its stops can change
(see position_watch); with 1m bars inside coarser ones, those event bars are replayed minute by minute,
so a bar touching both the stop and the target is resolved in the order it really happened, and
without them the engine's rule applies: the stop first. A decision to exit in a zone is taken on the
bar's close and fills at the next bar's open. This module is the walk over time (which bar, which signal,
what the rules read); trade_execution the orders it leads to and what they leave behind.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Callable, Iterator, Sequence

import numpy as np

from trading.backtest.config import BacktestConfig
from trading.backtest.history import MarketHistory
from trading.backtest.limit_watch import limit_stops
from trading.backtest.position_watch import Triggers, first_event, triggers
from trading.backtest.trade_execution import TradeExecution, price_at, price_from
from trading.domain.candles import Candles, Timeframe
from trading.domain.decisions import DecisionRequest
from trading.domain.signals import Signal
from trading.engine.engine_state import GuardedPosition
from trading.engine.entry_pipeline import Rejection, account_view
from trading.engine.exit_pipeline import AskDecision
from trading.engine.rules_decider import decide_by_rules
from trading.engine.simulator import PriceBar
from trading.indicators.classic import atr

Progress = Callable[[float], None]


class TradeSimulation(TradeExecution):
    """One strategy's signals traded over bars [first, end) of a history."""

    def __init__(self, history: MarketHistory, config: BacktestConfig, first: int, end: int) -> None:
        super().__init__(history, config, first, end)
        self._fed_ms = 0                     # the close time of the last bar fed to the circuit breaker
        breaker = config.engine.breaker      # the bars whose closes could trip it, and its move limit
        self._breaker_window = (math.ceil((breaker.move_window_ms + breaker.cooldown_ms) / self.step),
                                float(breaker.move_pct))
        # no window of closes moves more than the whole history (float - and / are monotone): when even that
        # stays within the breaker's limit (NO_BREAKER), no close can trip it and none need be fed
        low = float(self.bars.close.min()) if len(self.bars) else 0.0
        self._prices_calm = low > 0 and (float(self.bars.close.max()) - low) / low * 100 <= float(breaker.move_pct)
        self._frames: dict[Timeframe, Candles] = {}
        self._atrs: dict[Timeframe, np.ndarray] = {}
        self._triggers: tuple[object, object, Triggers] | None = None    # for (stops, settings), as last built

    # ---- the walk -------------------------------------------------------------------------------

    def run(self, signals: Sequence[Signal], progress: Progress | None = None) -> None:
        """Trade the signals in time order, then close what is open at the last bar's close."""
        open_ms = self.bars.open_ms
        every = max(1, len(signals) // 20)
        for n, signal in enumerate(signals):
            fill = int(open_ms.searchsorted(signal.known_at_ms, side="left"))   # 0.4 us; np.searchsorted: 1.9
            if signal.known_at_ms >= open_ms[self.first] and 0 < fill < self.end:
                self._walk(fill - 1)
                self._consider(signal, fill)
            if progress is not None and n % every == 0:
                progress(n / len(signals))
        self._walk(self.end - 1)
        self._close_at_end()

    def _walk(self, until: int) -> None:
        """Hand the engine every event bar of the open position up to bar until (inclusive).

        Between two event bars the closes where the account limits can change (limit_watch) are marked too.
        """
        while self._open is not None and self.cursor <= until:
            event = self._next_event(until)
            bound = None if self._limits_inert else self._limit_bar(until + 1 if event is None else event)
            if bound is not None:
                self._mark(bound)
                self.cursor = bound + 1
            elif event is None:
                self.cursor = until + 1
            else:
                self._event_bar(event)
                self.cursor = event + 1

    def _next_event(self, until: int) -> int | None:
        """Return the first bar from the cursor to until where the position's stops or funding act, or None."""
        guard = self.engine.state.positions.get(self.symbol)
        funding_bar = self._funding_bar()
        event = None
        if guard is not None:
            event = first_event(self.bars, self.cursor, min(until + 1, funding_bar), self._triggers_of(guard))
        if event is None and funding_bar <= until:
            event = funding_bar
        return event

    def _triggers_of(self, guard: GuardedPosition) -> Triggers:
        """Return the triggers of the guard's stops, built again only when its stops or settings changed."""
        stops, settings = guard.stops, self.engine.settings.protection_for(guard.strategy)
        known = self._triggers
        if known is None or known[0] is not stops or known[1] is not settings:
            # both are frozen values: the same objects give the same thresholds
            known = self._triggers = (stops, settings, triggers(stops, settings))
        return known[2]

    def _limit_bar(self, stop: int) -> int | None:
        """Mark the best close before the cursor's first bar where a limit can change (returned), or before stop."""
        position, start = self._position(), self.cursor
        if position is None or stop <= start:
            return None
        held, close = float(position.amount) * position.side.sign, float(self.bars.close[start])
        level = float(self.broker.equity({self.symbol: price_from(close)})) - held * close
        found = limit_stops(self.bars.close[start:stop], self.bars.open_ms[start:stop], self.step, level, held,
                            self.engine.state.risk, self.engine.settings.limits)
        if found.peak is not None:
            peak = start + found.peak
            self._mark_equity(int(self.bars.open_ms[peak]) + self.step, price_at(self.bars.close, peak))
        return None if found.bar is None else start + found.bar

    def _event_bar(self, k: int) -> None:
        self._fund_until(int(self.bars.open_ms[k]), price_at(self.bars.open, k))
        for bar, after in self._inside(k):
            if self._open is None:
                break
            self._protect(bar, after)
        self._mark(k)

    def _inside(self, k: int) -> Iterator[tuple[PriceBar, tuple[int, Decimal]]]:
        """Yield the bar, or its 1m bars when known, each with the time and price of the next open."""
        minutes, bars = self.history.minutes, self.bars
        if minutes is not None and self.history.timeframe is not Timeframe.M1:
            start = int(bars.open_ms[k])
            lo, hi = np.searchsorted(minutes.open_ms, [start, start + self.step])
            if hi > lo:
                for m in range(int(lo), int(hi)):
                    yield PriceBar.from_candle(minutes.at(m)), self._next_open(minutes, m)
                return
        yield PriceBar.from_candle(bars.at(k)), self._next_open(bars, k)

    @staticmethod
    def _next_open(candles: Candles, k: int) -> tuple[int, Decimal]:
        if k + 1 < len(candles):
            return int(candles.open_ms[k + 1]), price_at(candles.open, k + 1)
        step = int(candles.open_ms[k] - candles.open_ms[k - 1]) if k > 0 else 0
        return int(candles.open_ms[k]) + step, price_at(candles.close, k)

    # ---- entries --------------------------------------------------------------------------------

    def _consider(self, signal: Signal, fill: int) -> None:
        ts, mark = signal.known_at_ms, price_at(self.bars.close, fill - 1)
        self._observe_prices(fill - 1, ts)
        summary = None if self._limits_inert else self._mark_equity(ts, mark)
        if not self.engine.accept_signal(signal):
            return
        if signal.exits:
            self._exit_on_signal(signal, fill)
            return
        decision = decide_by_rules(DecisionRequest(ts, signal=signal, context=signal.reason), self.config.rules)
        exchange, marks = self.broker.exchange, {self.symbol: mark}
        summary = summary or exchange.summary(marks)
        account = account_view(summary, exchange.positions(marks), marks,
                               {self.symbol: self.config.instrument}, futures=exchange.account.kind == "futures")
        # the order goes out at the signal's close and meets the next bar's open: the price it is checked at
        plan = self.engine.plan_entry(signal, decision, account, ts, self._atr(signal), price_at(self.bars.open, fill))
        if isinstance(plan, Rejection):
            self.rejections[plan.rule] += 1
            return
        self._enter(plan, ts, mark, fill, summary.equity)

    # ---- exits ----------------------------------------------------------------------------------

    def _protect(self, bar: PriceBar, after: tuple[int, Decimal]) -> None:
        position = self._position()
        if position is None:
            return
        for plan in self.engine.on_bar(self.symbol, bar, position, self.config.instrument):
            if isinstance(plan, AskDecision):
                self._ask(plan, bar.ts_ms, after)
            else:
                self._exit(plan, bar.ts_ms, plan.price, bar.volume)
            if self._open is None:
                return

    def _ask(self, ask: AskDecision, ts: int, after: tuple[int, Decimal]) -> None:
        position = self._position()
        if position is None:
            return
        candles = self._decision_candles(after[0])
        request = DecisionRequest(ts, position=position, context=ask.message, zone=ask.zone, candles=candles)
        for plan in self.engine.exit_on_decision(ask, decide_by_rules(request, self.config.rules), position):
            self._exit(plan, after[0], after[1], None)

    # ---- the circuit breaker and what the rules read -------------------------------------------

    def _observe_prices(self, i: int, ts: int) -> None:
        """Feed the circuit breaker the closes that could have tripped it by ts (only when they moved enough)."""
        self.engine.advance(ts)
        if self._prices_calm:
            return
        bars, limit = self._breaker_window
        lo = max(0, i - bars + 1)
        if self._fed_ms:
            lo = max(lo, int(self.bars.open_ms.searchsorted(self._fed_ms - self.step + 1)))
        closes = self.bars.close[lo:i + 1]
        if closes.size == 0:
            return
        low = closes.min()
        if (closes.max() - low) / low * 100 <= limit:
            return
        for b in range(lo, i + 1):
            self.engine.observe_price(self.symbol, int(self.bars.open_ms[b]) + self.step, price_at(self.bars.close, b))
        self._fed_ms = int(self.bars.open_ms[i]) + self.step

    def _frame(self, timeframe: Timeframe) -> Candles:
        if timeframe not in self._frames:
            self._frames[timeframe] = self.history.view().candles_on(timeframe)
        return self._frames[timeframe]

    def _decision_candles(self, now_ms: int) -> Candles:
        timeframe = max(self.config.decision_timeframe, self.history.timeframe, key=lambda tf: tf.ms)
        closed = self._frame(timeframe).closed_before(now_ms - timeframe.ms + 1)
        return closed[max(0, len(closed) - self.config.decision_bars):]

    def _atr(self, signal: Signal) -> Decimal | None:
        if self.engine.settings.sizing.atr_stop_multiple is None:
            return None
        timeframe = Timeframe.parse(signal.timeframe)
        if timeframe not in self._atrs:
            self._atrs[timeframe] = atr(self._frame(timeframe))    # causal: each value uses closed bars only
        candles = self._frame(timeframe)
        seen = int(np.searchsorted(candles.open_ms + timeframe.ms, signal.known_at_ms, side="right")) - 1
        value = self._atrs[timeframe][seen] if seen >= 0 else math.nan
        return price_from(value) if np.isfinite(value) else None
