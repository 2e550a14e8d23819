"""The trading engine: the one gate between strategies and the broker, and the keeper of every open position.

Pure and synchronous (time comes in as epoch ms), so the paper loop, live trading and the backtester drive
the same rules. Entries pass the kill switch, the circuit breaker and the account limits, then sizing;
exits are never vetted. The loop carries out the plans and reports back what the broker did
(on_entry_placed, on_position_opened, on_exit_settled, on_position_closed).
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any, Mapping

from trading.domain.client_ids import entry_client_id
from trading.domain.decisions import Action, Decision
from trading.domain.frozen import changed
from trading.domain.instruments import Instrument
from trading.domain.market import Ticker
from trading.domain.orders import Order
from trading.domain.positions import Position
from trading.domain.signals import Signal
from trading.engine.engine_state import EngineSettings, EngineState, GuardedPosition, PendingEntry
from trading.engine.entry_pipeline import AccountView, EntryPlan, Rejection, plan_entry
from trading.engine.entry_gate import EntryOrigin, vet_new_position
from trading.engine.exit_pipeline import (AskDecision, ExitPlan, ForcedExit, exit_now, exit_settled,
                                          exits_for_bar, user_exit)
from trading.engine.risk_status import RiskStatus, risk_status, risk_status_at
from trading.risk import circuit_breaker as breaker
from trading.risk.circuit_breaker import BreakerTransition
from trading.risk.kill_switch import engage, release
from trading.risk.limits import (LimitBreach, RiskState, confirm_unknown_results, end_cooldown, mark_equity,
                                 record_entry, record_trade_result, record_unknown_result, resume_trading)
from trading.risk.protective_stops import PriceRange, open_stops
from trading.risk.verdicts import Verdict

ZERO = Decimal(0)
ADOPTED_STEP = Decimal("0.00000001")


class TradingEngine:
    """Holds the EngineState and applies the risk rules to it; every method is pure apart from that state."""

    def __init__(self, settings: EngineSettings = EngineSettings(), state: EngineState | None = None) -> None:
        self.settings = settings
        self.state = state if state is not None else EngineState()
        # the remembered setup ids counted, for a look-up in O(1) instead of a scan of up to 1,000 ids; kept
        # for the tuple it was counted from, so a state set from outside (a restore) is counted afresh
        self._counted_ids: tuple[str, ...] = ()
        self._id_counts: dict[str, int] = {}

    def snapshot(self) -> dict[str, Any]:
        """Return the state as JSON-able data for the store."""
        return self.state.snapshot()

    def restore(self, data: Mapping[str, Any]) -> None:
        """Replace the state with a snapshot() saved before a restart."""
        self.state = changed(EngineState.restore(data), entry_hold=self.state.entry_hold)   # holds are not saved

    # ---- entries ------------------------------------------------------------------------------

    def accept_signal(self, signal: Signal) -> bool:
        """Return True the first time a setup is seen (and remember it), False for a repeat."""
        ids, new = self.state.signal_ids, signal.setup_id
        if ids is not self._counted_ids:
            self._counted_ids, self._id_counts = ids, dict(Counter(ids))
        counts = self._id_counts
        if new in counts:
            return False
        keep = self.settings.remembered_signals
        drop = len(ids) + 1 - keep if keep > 0 else 0
        # one copy of the ids, not two (at 1,000 ids each copy is ~2 us, and this runs on every signal)
        kept = ids[drop:] + (new,) if drop > 0 else ids + (new,)
        counts[new] = 1
        for forgotten in ids[:max(drop, 0)]:
            left = counts[forgotten] - 1
            if left > 0:
                counts[forgotten] = left
            else:
                del counts[forgotten]
        self.state = changed(self.state, signal_ids=kept)
        self._counted_ids = kept
        return True

    def vet_new_position(self, ts_ms: int, origin: EntryOrigin, symbol: str | None = None,
                         equity: Decimal | None = None) -> Verdict:
        """Return whether a position in symbol may open or grow at ts_ms: the one entry gate (entry_gate.py).

        equity: the account's now; the limits judge it as the next mark will (a fall since the last mark counts),
        without recording it (the mark that records it tells the breach, once).
        """
        state = self.state
        if equity is not None and equity > 0 and state.risk.day:       # an account not read yet is not judged
            state = changed(state, risk=mark_equity(state.risk, equity, ts_ms, self.settings.limits)[0])
        return vet_new_position(state, self.settings, ts_ms, origin, symbol)

    def plan_entry(self, signal: Signal, decision: Decision, account: AccountView, ts_ms: int,
                   atr: Decimal | None = None, reference: Decimal | None = None) -> EntryPlan | Rejection:
        """Return the entry order for a decided signal, or why it is not traded (reference: the last price)."""
        return plan_entry(self.state, signal, decision, account, ts_ms, self.settings, atr, reference)

    def on_entry_placed(self, plan: EntryPlan, ts_ms: int) -> None:
        """Record an entry order the broker accepted: it counts against the entry rate and waits for its fill."""
        s = plan.signal
        pending = PendingEntry(plan.intent.client_order_id, s.symbol, s.side, plan.stop, plan.take_profit,
                               s.strategy, s.reason, plan.amount_step, ts_ms, plan.exit_cost_rate, plan.price_tick)
        self.state = changed(self.state, pending={**self.state.pending, pending.client_order_id: pending},
                             risk=record_entry(self.state.risk, ts_ms, self.settings.limits))

    def expired_entries(self, ts_ms: int) -> list[PendingEntry]:
        """Return the entries still waiting entry_timeout_ms after they were placed (none when it is 0)."""
        timeout = self.settings.entry_timeout_ms
        return [] if timeout <= 0 else [p for p in self.state.pending.values() if ts_ms - p.placed_ms >= timeout]

    def on_entry_ended(self, client_order_id: str) -> PendingEntry | None:
        """Forget an entry order that ended without a fill (rejected, cancelled); return it."""
        pending = self.state.pending.get(client_order_id)
        if pending is not None:
            self.state = changed(self.state, pending=_without(self.state.pending, client_order_id))
        return pending

    def on_position_opened(self, position: Position, ts_ms: int, client_order_id: str | None = None,
                           amount_step: Decimal = ADOPTED_STEP, price_tick: Decimal = ZERO) -> GuardedPosition:
        """Arm the stops of a position that has just opened: from its entry's signal, or adopt a stranger.

        An adopted position takes amount_step and price_tick, its market's (break-even and its notices use them).
        """
        pending = self.state.pending.get(client_order_id or "")
        if pending is not None:
            position = changed(position, stop_price=pending.stop, take_profit=pending.take_profit)
            key, strategy, reason, step = pending.client_order_id, pending.strategy, pending.reason, pending.amount_step
            costs, tick = pending.exit_cost_rate, pending.price_tick
        else:
            origin = f"adopt:{position.symbol}:{position.opened_ms}"
            key = entry_client_id(origin)
            strategy, reason, step = position.strategy or "manual", "adopted: opened outside the engine", amount_step
            costs, tick = ZERO, price_tick
        stops = open_stops(position, self.settings.protection_for(strategy), position.entry_price * costs, tick)
        guard = GuardedPosition(position.symbol, key, strategy, reason, stops, step, position.opened_ms or ts_ms,
                                position.amount * stops.risk_per_unit, position.amount, position.entry_price)
        self.state = changed(self.state, pending=_without(self.state.pending, client_order_id or ""),
                             positions={**self.state.positions, position.symbol: guard.seen(position)})
        return self.state.positions[position.symbol]

    # ---- exits --------------------------------------------------------------------------------

    def on_bar(self, symbol: str, bar: PriceRange, position: Position, instrument: Instrument | None = None
               ) -> list[ExitPlan | AskDecision]:
        """Return the protective exits a price (a tick, or a closed candle) calls for on symbol's position.

        instrument: the market's minimums a partial take-profit keeps to (None: the step only).
        """
        guard = self.state.positions.get(symbol)
        if guard is None:
            return []
        switch = self.state.kill_switch
        flat = f"kill switch (flat) by {switch.by}: {switch.reason}" if switch.closes_positions else None
        guard, plans = exits_for_bar(guard, bar, position, self.settings.protection_for(guard.strategy), flat,
                                     instrument)
        self._put(guard)
        return plans

    def exit_on_decision(self, ask: AskDecision, decision: Decision, position: Position) -> list[ExitPlan]:
        """Return the exit a decision maker asked for in a zone (none when it holds)."""
        guard = self.state.positions.get(ask.symbol)
        if guard is None or decision.action is not Action.EXIT:
            return []
        guard, plans = exit_now(guard, position, ForcedExit.DECISION,
                                f"{ask.zone.replace('_', '-')} zone, {decision.decided_by} exits: {decision.reason}",
                                ask.price)
        self._put(guard)
        return plans

    def exit_on_review(self, symbol: str, decision: Decision, position: Position, price: Decimal,
                       fraction: Decimal = Decimal(1), instrument: Instrument | None = None) -> list[ExitPlan]:
        """Return the reducing exit (fraction of the position) a decision maker asked for in a symbol review: all
        of it when the rest would be below instrument's smallest order, none when the part itself is."""
        guard = self.state.positions.get(symbol)
        if guard is None or decision.action is not Action.EXIT:
            return []
        guard, plans = exit_now(guard, position, ForcedExit.DECISION,
                                f"{decision.decided_by} exits: {decision.reason}", price, fraction, instrument)
        self._put(guard)
        return plans

    def exit_on_signal(self, signal: Signal, position: Position) -> list[ExitPlan]:
        """Return the market exit a strategy's exit signal calls for on the position it opened (none otherwise)."""
        guard = self.state.positions.get(signal.symbol)
        if guard is None or not signal.exits or guard.side is not signal.side or guard.strategy != signal.strategy:
            return []
        guard, plans = exit_now(guard, position, ForcedExit.EXIT_SIGNAL,
                                f"{signal.strategy} exit signal: {signal.reason}", signal.entry)
        self._put(guard)
        return plans

    def flatten(self, positions: Mapping[str, Position], reason: str, message: str,
                marks: Mapping[str, Decimal]) -> list[ExitPlan]:
        """Return market exits closing every guarded position in positions (kill flat, daily loss)."""
        plans: list[ExitPlan] = []
        for symbol, position in positions.items():
            guard = self.state.positions.get(symbol)
            if guard is None:
                continue
            guard, more = exit_now(guard, position, reason, message, marks.get(symbol, position.entry_price))
            self._put(guard)
            plans.extend(more)
        return plans

    def on_user_exit(self, symbol: str, client_order_id: str, command: str) -> None:
        """Note the user's own exit order (/sell, /close, /cover) so its fill is not mistaken for a stranger's."""
        guard = self.state.positions.get(symbol)
        if guard is not None:
            self._put(user_exit(guard, client_order_id, command))

    def on_position_seen(self, position: Position) -> None:
        """Record the broker's latest figures of a guarded position (amount after partial exits, fees, funding)."""
        guard = self.state.positions.get(position.symbol)
        if guard is not None:
            self._put(guard.seen(position))

    def on_exit_settled(self, symbol: str) -> None:
        """Record that the exit order of symbol is final, so later exits may be planned."""
        guard = self.state.positions.get(symbol)
        if guard is not None:
            self._put(exit_settled(guard))

    def on_position_closed(self, symbol: str, ts_ms: int, exit_order: Order | None = None,
                           mark: Decimal | None = None) -> tuple[GuardedPosition | None, Decimal, list[LimitBreach]]:
        """Stop guarding a closed position; return it, its net result and any loss-streak breach.

        The closing fill comes from our exit order when we sent one; otherwise (closed by hand, by the
        venue) the result is estimated at the last mark.
        """
        guard = self.state.positions.get(symbol)
        if guard is None:
            return None, ZERO, []
        result = guard.net_result(_closing_pnl(guard, exit_order, mark))
        risk, breaches = record_trade_result(self.state.risk, result, ts_ms, self.settings.limits)
        r_multiples = dict(self.state.r_multiples)
        if guard.initial_risk > 0:
            recent = (*r_multiples.get(guard.strategy, ()), result / guard.initial_risk)
            r_multiples[guard.strategy] = recent[-self.settings.kelly_window:]
        self.state = changed(self.state, risk=risk, r_multiples=r_multiples,
                             positions=_without(self.state.positions, symbol))
        return guard, result, list(breaches)

    def on_result_unknown(self, symbol: str,
                          ts_ms: int) -> tuple[GuardedPosition | None, Decimal, list[LimitBreach]]:
        """Stop guarding a position closed outside the bot whose fills were not found; count its worst case.

        The worst case is its loss at the stop (1R) when it had one, else its whole notional, net of what it
        already paid; it weighs on today's loss until /resume or midnight. The losing streak is left as it is.
        """
        guard = self.state.positions.get(symbol)
        if guard is None:
            return None, ZERO, []
        at_risk = guard.initial_risk if guard.initial_risk > 0 else guard.amount * guard.entry_price
        worst = -guard.net_result(-at_risk)
        risk, breaches = record_unknown_result(self.state.risk, worst, ts_ms, self.settings.limits)
        self.state = changed(self.state, risk=risk, positions=_without(self.state.positions, symbol))
        return guard, worst, list(breaches)

    # ---- account limits, circuit breaker, kill switch -----------------------------------------

    def mark_equity(self, equity: Decimal, ts_ms: int) -> list[LimitBreach]:
        """Record the account's equity; return the daily-loss and drawdown limits it has just hit."""
        risk, breaches = mark_equity(self.state.risk, equity, ts_ms, self.settings.limits)
        self.state = changed(self.state, risk=risk)
        return list(breaches)

    def observe_price(self, symbol: str, ts_ms: int, price: Decimal) -> list[BreakerTransition]:
        """Feed a price to the circuit breaker; return its transitions."""
        return self._breaker(breaker.observe_price(self.state.breaker, symbol, ts_ms, price,
                                                   self.settings.breaker))

    def observe_ticker(self, ticker: Ticker) -> list[BreakerTransition]:
        """Feed a ticker (price and spread) to the circuit breaker; return its transitions."""
        return self._breaker(breaker.observe_ticker(self.state.breaker, ticker, self.settings.breaker))

    def observe_latency(self, ts_ms: int, latency_ms: int) -> list[BreakerTransition]:
        """Feed an exchange round-trip time to the circuit breaker; return its transitions."""
        return self._breaker(breaker.observe_latency(self.state.breaker, ts_ms, latency_ms,
                                                     self.settings.breaker))

    def observe_error(self, ts_ms: int) -> list[BreakerTransition]:
        """Feed an exchange error to the circuit breaker; return its transitions."""
        return self._breaker(breaker.observe_error(self.state.breaker, ts_ms, self.settings.breaker))

    def observe_protection_failure(self, ts_ms: int, reason: str) -> list[BreakerTransition]:
        """Trip the circuit breaker because the protective exits keep failing; return its transitions."""
        return self._breaker(breaker.observe_protection_failure(self.state.breaker, ts_ms, reason,
                                                                self.settings.breaker))

    def advance(self, ts_ms: int) -> list[BreakerTransition]:
        """Let the circuit breaker resume when its calm cooldown has passed; return the transition."""
        return self._breaker(breaker.advance(self.state.breaker, ts_ms))

    def kill(self, flat: bool, by: str, reason: str, ts_ms: int) -> bool:
        """Engage the kill switch (flat: close every position too); return True when it changed."""
        switch, engaged = engage(self.state.kill_switch, flat, by, reason, ts_ms)
        self.state = changed(self.state, kill_switch=switch)
        return engaged

    def resume(self, by: str, ts_ms: int) -> list[str]:
        """Release the kill switch, a drawdown halt and a loss-streak cooldown; return what was lifted."""
        switch, released = release(self.state.kill_switch, by, ts_ms)
        lifted = ["kill switch"] if released else []
        risk = self.state.risk
        if risk.halted:
            risk, lifted = resume_trading(risk), [*lifted, "drawdown halt"]
        if risk.unconfirmed_loss > 0:
            risk = confirm_unknown_results(risk, ts_ms, self.settings.limits)
            lifted = [*lifted, "unconfirmed worst case of a position closed outside the bot"]
        self.state = changed(self.state, kill_switch=switch, risk=risk)
        return [*lifted, "loss-streak cooldown"] if self.lift_cooldown(ts_ms) else lifted

    def lift_cooldown(self, ts_ms: int) -> bool:
        """End a loss-streak cooldown running at ts_ms (/resume, /unlock); return True when one was running."""
        if ts_ms >= self.state.risk.cooldown_until_ms:
            return False
        self.state = changed(self.state, risk=end_cooldown(self.state.risk))
        return True

    def hold_entries(self, reason: str) -> None:
        """Hold every new entry for reason (live paused, the user's /pause) in the one gate; empty lifts it."""
        self.state = changed(self.state, entry_hold=reason)

    def reset_account(self) -> None:
        """Start the account's risk over (a reset paper account): limits, streaks, guards and entries forgotten.

        The kill switch, the circuit breaker and an entry hold stay as they are: they are about the market and
        the human, not about the account's history.
        """
        self.state = changed(self.state, risk=RiskState(), positions={}, pending={}, r_multiples={})

    def risk_status(self, ts_ms: int, equity: Decimal | None = None) -> RiskStatus:
        """Return what /risk shows at ts_ms; with equity, its figures marked there as the next tick will."""
        if equity is None:
            return risk_status(self.state, self.settings, ts_ms)
        return risk_status_at(self.state, self.settings, equity, ts_ms)

    def _put(self, guard: GuardedPosition) -> None:
        self.state = changed(self.state, positions={**self.state.positions, guard.symbol: guard})

    def _breaker(self, update: breaker.Update) -> list[BreakerTransition]:
        if update[0] is not self.state.breaker:      # most observations leave the breaker as it was
            self.state = changed(self.state, breaker=update[0])
        return list(update[1])


def _without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def _closing_pnl(guard: GuardedPosition, exit_order: Order | None, mark: Decimal | None) -> Decimal:
    sign = guard.side.sign
    if exit_order is not None and exit_order.filled > 0 and exit_order.avg_price is not None:
        return (exit_order.avg_price - guard.entry_price) * exit_order.filled * sign - exit_order.fee \
            - exit_order.funding
    if mark is not None:
        return (mark - guard.entry_price) * guard.amount * sign
    return ZERO
