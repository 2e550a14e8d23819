"""The events of the trading loop: one clear notification per entry, exit, trip and switch; the rest audit-only."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Mapping

from trading.domain.actors import in_words
from trading.domain.client_ids import exit_number, is_approved_order
from trading.domain.decisions import Decision
from trading.domain.events import TOLD_IN_REPLY, Event, EventKind, Severity
from trading.domain.instruments import Instrument, amount_text, price_text
from trading.domain.orders import Order, OrderType, closed_how
from trading.domain.positions import Position
from trading.domain.signals import Signal
from trading.engine.engine_state import GuardedPosition, PendingEntry
from trading.engine.entry_pipeline import Rejection
from trading.engine.exit_pipeline import ExitPlan
from trading.risk.circuit_breaker import BreakerChange, BreakerTransition
from trading.risk.kill_switch import KillSwitch
from trading.risk.limits import LimitBreach
from trading.risk.verdicts import RiskRule, Verdict


def _tick(guard: GuardedPosition) -> Decimal | None:
    return guard.stops.price_tick if guard.stops.price_tick > 0 else None


def signal_seen(signal: Signal, ts_ms: int) -> Event:
    """Return the audit event of a new signal."""
    stop = f"stop {price_text(signal.stop)}" if signal.stop is not None else "no stop"
    return Event(EventKind.SIGNAL, ts_ms, f"Signal {signal.strategy} {signal.side} {signal.symbol} at "
                                          f"{price_text(signal.entry)}, {stop}: {signal.reason}",
                 {"setup_id": signal.setup_id, "symbol": signal.symbol, "strategy": signal.strategy,
                  "side": signal.side.value, "entry": str(signal.entry), "stop": str(signal.stop),
                  "take_profit": str(signal.take_profit), "confidence": signal.confidence}, notify=False)


def entry_skipped(rejection: Rejection, ts_ms: int) -> Event:
    """Return the audit event of a signal not traded, with the rule and the reason."""
    s = rejection.signal
    return Event(EventKind.RISK_LIMIT, ts_ms, f"Skipped {s.strategy} {s.side} {s.symbol}: {rejection.reason}",
                 {"setup_id": s.setup_id, "symbol": s.symbol, "rule": rejection.rule}, notify=False)


def decided(subject: str, decision: Decision, ts_ms: int) -> Event:
    """Return the audit event of a decision maker's answer."""
    return Event(EventKind.DECISION, ts_ms, f"{decision.decided_by} decided {decision.action} on {subject}: "
                                           f"{decision.reason}",
                 {"subject": subject, "action": decision.action.value, "confidence": decision.confidence,
                  "decided_by": decision.decided_by}, notify=False)


def position_entered(guard: GuardedPosition, position: Position, ts_ms: int,
                     instrument: Instrument | None = None) -> Event:
    """Return the notification of an entry filled: what, where (on the market's tick), the levels armed and why."""
    stops = guard.stops
    tick = instrument.price_tick if instrument else _tick(guard)
    levels = (f"stop {price_text(stops.stop, tick)}" if stops.stop is not None
              else "hard stop only" if stops.risk_per_unit > 0 else "no stop: the strategy's own signal exits")
    if stops.take_profit is not None:
        levels += f", target {price_text(stops.take_profit, tick)}"
    lever = f" {position.leverage}x" if position.leverage > 1 else ""
    entry = price_text(position.entry_price, tick or Decimal("0.01"))
    line = (f"ENTRY {guard.side} {amount_text(position.amount, guard.amount_step)} {guard.symbol} at {entry}{lever} "
            f"[{guard.strategy}]: {guard.reason}. {levels.capitalize()}, risk {guard.initial_risk:,.2f}.")
    return Event(EventKind.POSITION_OPENED, ts_ms, line, _guard_data(guard))


def position_exited(guard: GuardedPosition, result: Decimal, ts_ms: int) -> Event:
    """Return the notification of a position closed, with the rule that closed it and the net result.

    The user's own exit is answered by its command's reply, so it is only recorded here. A position that
    vanished without an order of ours and whose trades were not read (closed on the exchange's site,
    liquidated) is pushed without an R multiple, as its stop was ours, not the user's.
    """
    why = guard.exit_reason or "closed outside the bot (no exit order of ours)"
    r = f" ({result / guard.initial_risk:+.2f}R)" if guard.initial_risk > 0 and guard.exit_reason else ""
    line = f"EXIT {guard.side} {guard.symbol} [{guard.strategy}]: {why}. Result {result:+,.2f}{r}."
    return Event(EventKind.POSITION_CLOSED, ts_ms, line, _guard_data(guard) | {"result": str(result)},
                 notify=not guard.exit_by_user)


def exchange_leg_filled(leg: Order, tick: Decimal | None = None) -> str:
    """Return why a position closed when its stop or target on the exchange filled (the exit reason)."""
    what = "stop" if leg.type is OrderType.STOP_MARKET else "target"
    price = f" at {price_text(leg.avg_price, tick)}" if leg.avg_price is not None else ""
    return f"its {what} on the exchange filled{price}"


def closed_outside(found: Order, tick: Decimal | None = None) -> str:
    """Return why a position closed when it was closed outside the bot (by hand, or by the exchange: liquidated,
    auto-deleveraged) and its fills were found on the exchange: its price, fees and funding."""
    price = f" at {price_text(found.avg_price, tick)}" if found.avg_price is not None else ""
    return f"{closed_how(found)}{price} ({found.reason}; no order of ours)"


def own_exit_filled(order: Order, tick: Decimal | None = None) -> str:
    """Return why a position closed when the bot's own exit order filled before the bot saved that it was in
    flight (killed meanwhile): the order, what sent it (from its client id and reason) and its price."""
    price = f" at {price_text(order.avg_price, tick)}" if order.avg_price is not None else ""
    return (f"closed by the bot's exit order {order.client_order_id} ({exit_origin(order)}) while the bot was "
            f"down{price}")


def exit_origin(order: Order) -> str:
    """Return what sent an exit of the bot, read from its client id and the reason it was sent with."""
    cid, head = order.client_order_id, order.reason.split(":", 1)[0].strip()
    if exit_number(cid) is not None:      # the engine's exits: reason '<rule>: <message>'
        return _ENGINE_EXITS.get(head, head.replace("_", " ") or "the engine's exit")
    if is_approved_order(cid):
        return "an order you approved"
    return "your own exit order (/close, /sell)"


_ENGINE_EXITS = {"kill_switch": "the kill switch", "daily_loss": "the daily loss limit",
                 "decision": "a decision to exit", "exit_signal": "the strategy's exit signal"}


def result_unknown(guard: GuardedPosition, worst: Decimal, why: str, ts_ms: int) -> Event:
    """Return the warning of a position closed outside the bot whose result could not be found."""
    basis = "its loss at the stop" if guard.initial_risk > 0 else "its whole notional"
    line = (f"EXIT {guard.side} {guard.symbol} [{guard.strategy}]: closed outside the bot; its RESULT IS UNKNOWN: "
            f"{why}. Check the exchange's trade history for {guard.symbol}. Until you confirm with /resume (or "
            f"midnight) its worst case, {basis} of {worst:,.2f}, counts against today's loss limit.")
    return Event(EventKind.POSITION_CLOSED, ts_ms, line, _guard_data(guard) | {"result": "unknown",
                                                                                "worst_case": str(worst)},
                 Severity.WARNING)


def position_reduced(guard: GuardedPosition, position: Position, ts_ms: int) -> Event:
    """Return the notification of a partial exit, with what is left (recorded only for the user's own)."""
    line = (f"PARTIAL EXIT {guard.side} {guard.symbol} [{guard.strategy}]: {guard.exit_reason}. "
            f"{amount_text(position.amount, guard.amount_step)} left.")
    return Event(EventKind.POSITION_UPDATED, ts_ms, line, _guard_data(guard), notify=not guard.exit_by_user)


def position_adopted(guard: GuardedPosition, ts_ms: int) -> Event:
    """Return the audit event of a position found at the broker and guarded from now on."""
    amount = amount_text(guard.amount, guard.amount_step)
    return Event(EventKind.POSITION_UPDATED, ts_ms, f"Guarding {guard.side} {amount} {guard.symbol} opened outside "
                                                    f"the engine", _guard_data(guard), notify=False)


def plan_resumed(entered: Event) -> Event:
    """Return an entry's notification for an entry found at a restart through the plan journaled before it left."""
    return replace(entered, message=f"{entered.message} Found after a restart: the plan saved before its order "
                                    "left guards it (not the default exits).")


def unanswered_found(entered: Event) -> Event:
    """Return an entry's notification for an entry whose order went unanswered and was found later."""
    return replace(entered, message=f"{entered.message} Its order went unanswered, then was found by its client id: "
                                    "the bot's plan guards it (not the default exits).")


def entry_unanswered(symbol: str, client_order_id: str, ts_ms: int) -> Event:
    """Return the warning of an entry order that MAY have reached the exchange (no answer, no look-up either)."""
    line = (f"Entry order for {symbol} MAY have reached the exchange: it did not answer, and the look-up of the "
            f"order got no answer either. The bot looks it up by its client id {client_order_id} at each step: "
            f"found, its position is guarded by the bot's plan (stop and target); check /orders and /positions "
            f"before placing it again.")
    return Event(EventKind.ORDER_PLACED, ts_ms, line, {"symbol": symbol, "what": "Entry",
                                                       "client_order_id": client_order_id}, Severity.WARNING)


def exit_unanswered(plan: ExitPlan, ts_ms: int) -> Event:
    """Return the warning (told once) of an exit order whose outcome is unknown: no other exit goes out meanwhile."""
    symbol, client_id = plan.symbol, plan.intent.client_order_id
    line = (f"Exit order for {symbol} ({plan.message}): its outcome is UNKNOWN. It MAY have reached the exchange: "
            f"it did not answer, and the look-up of the order got no answer either. No other exit is sent for this "
            f"position until the bot finds the order by its client id {client_id} (it looks at each step); the "
            f"position and its protective stop are being checked. Type /orders to see whether it rests, /positions to "
            f"see the position, /close {symbol} to close it yourself.")
    # an error, not an exit: whether the position is still open is in doubt, so it goes through quiet hours
    return Event(EventKind.ERROR, ts_ms, line, {"symbol": symbol, "what": "Exit", "client_order_id": client_id,
                                                "reason": plan.reason}, Severity.WARNING)


def unanswered_never_placed(what: str, symbol: str, client_order_id: str, ts_ms: int) -> Event:
    """Return the notification of an order of unknown outcome the exchange says it never had."""
    then = "the position is free for a new exit" if what == "Exit" else "its plan is dropped"
    line = (f"{what} order for {symbol} ({client_order_id}) did not reach the exchange after all: it has no such "
            f"order. Nothing was changed by it; {then}.")
    return Event(EventKind.ORDER_FAILED, ts_ms, line, {"symbol": symbol, "what": what,
                                                       "client_order_id": client_order_id}, Severity.WARNING)


def order_failed(what: str, symbol: str, error: str, ts_ms: int) -> Event:
    """Return the notification of an entry or exit order the broker refused or lost."""
    return Event(EventKind.ORDER_FAILED, ts_ms, f"{what} order for {symbol} failed: {error}",
                 {"symbol": symbol, "what": what, "why": error}, Severity.WARNING)


def entry_rest_expired(guard: GuardedPosition, order: Order, why: str, ts_ms: int) -> Event:
    """Return the notification of the unfilled rest of a partly filled entry cancelled for its timeout."""
    step = guard.amount_step
    line = (f"Cancelled the unfilled rest of the {guard.symbol} entry ({amount_text(order.remaining, step)} of "
            f"{amount_text(order.amount, step)}, id {order.id}): {why}. The {amount_text(order.filled, step)} "
            f"filled stays open, guarded by its plan's exits [{guard.strategy}].")
    return Event(EventKind.ORDER_CANCELLED, ts_ms, line, _guard_data(guard) | {"order_id": order.id})


def entry_rest_orphaned(guard: GuardedPosition, order: Order, ts_ms: int) -> Event:
    """Return the notification of the unfilled rest of a partly filled entry cancelled as its position closed."""
    step = guard.amount_step
    line = (f"Cancelled the unfilled rest of the {guard.symbol} entry ({amount_text(order.remaining, step)} of "
            f"{amount_text(order.amount, step)}, id {order.id}): its position closed, and a fill now would open a "
            f"new one outside its plan.")
    return Event(EventKind.ORDER_CANCELLED, ts_ms, line, _guard_data(guard) | {"order_id": order.id})


def entry_order_ended(pending: PendingEntry, status: str, ts_ms: int, why: str = "") -> Event:
    """Return the notification of an entry order that ended without a fill (why: the gate's refusal, if any)."""
    return order_failed("Entry", pending.symbol, f"the order was {status} before it filled" + (f": {why}" if why
                                                                                               else ""), ts_ms)


def exit_sent(plan: ExitPlan, ts_ms: int) -> Event:
    """Return the audit event of an exit order sent."""
    return Event(EventKind.ORDER_PLACED, ts_ms, f"Exit sent: {plan.message}",
                 {"symbol": plan.symbol, "reason": plan.reason, "client_order_id": plan.intent.client_order_id,
                  "amount": str(plan.intent.amount), "level": str(plan.price)}, notify=False)


def breaker_changed(transition: BreakerTransition, cooldown_min: int) -> Event:
    """Return the notification of the circuit breaker tripping or resuming."""
    if transition.change is BreakerChange.TRIPPED:
        line = (f"CIRCUIT BREAKER tripped: {transition.reason}. New entries paused until "
                f"{cooldown_min} min pass without a trigger; exits still run.")
        severity = Severity.WARNING
    else:
        line, severity = f"Circuit breaker off, new entries allowed again: {transition.reason}.", Severity.INFO
    return Event(EventKind.CIRCUIT_BREAKER, transition.ts_ms, line,
                 {"change": transition.change.value, "trigger": transition.trigger.value}, severity)


def limit_hit(breach: LimitBreach) -> Event:
    """Return the notification of an account limit hit."""
    critical = breach.rule is RiskRule.MAX_DRAWDOWN
    closing = " Closing the open positions." if breach.close_positions else ""
    return Event(EventKind.RISK_LIMIT, breach.ts_ms, f"RISK LIMIT: {breach.reason}.{closing}",
                 {"rule": breach.rule.value, "close_positions": breach.close_positions},
                 Severity.CRITICAL if critical else Severity.WARNING)


def kill_engaged(switch: KillSwitch, notify: bool = True) -> Event:
    """Return the news of the kill switch engaged (pushed unless the user's own command already said it)."""
    flat = " Closing every position at market." if switch.closes_positions else " Open positions stay protected."
    return Event(EventKind.KILL_SWITCH, switch.since_ms, f"KILL SWITCH on by {switch.cause}. New positions are "
                                                         f"refused until /resume.{flat}",
                 {"mode": switch.mode.value, "by": switch.by, "reason": switch.reason}, Severity.CRITICAL,
                 notify=notify)


def entries_cancelled(orders: list[Order], ts_ms: int, instruments: Mapping[str, Instrument] | None = None) -> Event:
    """Return the news of the entry orders the kill switch cancelled (resting limits that would have opened)."""
    listed = "; ".join(order_line(o, (instruments or {}).get(o.symbol)) for o in orders)
    return Event(EventKind.KILL_SWITCH, ts_ms, f"Kill switch cancelled {len(orders)} open entry "
                                               f"order{'s' * (len(orders) != 1)}: {listed}.",
                 {"cancelled": [o.id for o in orders]}, Severity.WARNING)


def entries_refused(refused: list[tuple[Order, Verdict]], ts_ms: int,
                    instruments: Mapping[str, Instrument] | None = None) -> Event:
    """Return the news of the resting entry orders cancelled because the entry gate refuses them now: each with
    the rule's reason, which says how to lift it (lifting it places nothing again)."""
    by_reason: dict[str, list[str]] = {}
    for order, verdict in refused:
        by_reason.setdefault(verdict.reason, []).append(order_line(order, (instruments or {}).get(order.symbol)))
    why = " ".join(f"{'; '.join(lines)}: {reason}" for reason, lines in by_reason.items())
    n = len(refused)
    return Event(EventKind.RISK_LIMIT, ts_ms, f"Cancelled {n} resting entry order{'s' * (n != 1)} the entry gate "
                                              f"refuses now (left open, it could fill and open a position no rule "
                                              f"allowed; lifting the rule does not place it again). {why}",
                 {"cancelled": [o.id for o, _ in refused], "rules": sorted({str(v.rule) for _, v in refused})},
                 Severity.WARNING)


def filled_while_refused(guard: GuardedPosition, verdict: Verdict, stop: tuple[Decimal | None, str],
                         flattening: bool, ts_ms: int) -> Event:
    """Return the warning of a position that opened while the entry gate refused new positions (an entry order
    filled before it could be cancelled, or one opened outside the bot): the rule, its guard (stop: the level in
    force and its rule's name), what to do."""
    level, rule = stop
    held = f"its {rule} at {price_text(level, _tick(guard))}" if level is not None else "no stop in force"
    then = (" The kill switch (flat) closes it at market now." if flattening else
            f" It is guarded by the protective exits ({held}). Type /close {guard.symbol} to close it now.")
    line = (f"FILLED WHILE REFUSED: {guard.side} {amount_text(guard.amount, guard.amount_step)} {guard.symbol} "
            f"opened although new positions are refused ({verdict.rule}): {verdict.reason}{then}")
    return Event(EventKind.RISK_LIMIT, ts_ms, line, _guard_data(guard) | {"rule": str(verdict.rule)},
                 Severity.WARNING)


def order_line(order: Order, instrument: Instrument | None) -> str:
    """Return an open order as a notice lists it: what is left of it on the market's step, its limit on the tick."""
    step, tick = (instrument.amount_step, instrument.price_tick) if instrument is not None else (None, None)
    price = f" limit {price_text(order.price, tick)}" if order.price is not None else ""
    return f"{order.side} {amount_text(order.remaining, step)} {order.symbol}{price} (id {order.id})"


def kill_still_engaged(switch: KillSwitch, ts_ms: int) -> Event:
    """Return the notification, at start-up, that a kill switch from before the restart still holds."""
    return Event(EventKind.KILL_SWITCH, ts_ms, f"Kill switch still on (set by {switch.cause} before the restart). "
                                               f"New positions are refused until /resume.",
                 {"mode": switch.mode.value, "by": switch.by}, Severity.WARNING)


# what /resume names as lifted, and the rule whose alert that makes stale
LIFTED_RULES = {"drawdown halt": RiskRule.MAX_DRAWDOWN, "loss-streak cooldown": RiskRule.LOSS_STREAK}


def trading_resumed(lifted: list[str], ts_ms: int, notify: bool = True) -> Event:
    """Return the news of /resume (pushed unless the user's own command already said it)."""
    lifts = [rule.value for name, rule in LIFTED_RULES.items() if name in lifted]
    return Event(EventKind.KILL_SWITCH, ts_ms, f"Trading resumed: lifted the {' and the '.join(lifted)}.",
                 {"lifted": lifted, "lifts": lifts, TOLD_IN_REPLY: True}, notify=notify)


def account_reset(ts_ms: int) -> Event:
    """Return the audit event of a reset account: the risk state starts over with it."""
    return Event(EventKind.RISK_LIMIT, ts_ms, "Account reset: daily loss, drawdown peak, loss streak and guarded "
                                              "positions start over", notify=False)


def cooldown_lifted(by: str, ts_ms: int) -> Event:
    """Return the audit event of a loss-streak cooldown lifted by hand."""
    # "lifts": the cooldown's own alert, if still waiting to be pushed, is stale now and is not sent
    return Event(EventKind.RISK_LIMIT, ts_ms,
                 f"Loss-streak cooldown lifted by {in_words(by)}: new entries allowed again.",
                 {"rule": "cooldown", "by": by, "lifts": [RiskRule.LOSS_STREAK.value], TOLD_IN_REPLY: True})


def _guard_data(guard: GuardedPosition) -> dict[str, object]:
    return {"symbol": guard.symbol, "side": guard.side.value, "strategy": guard.strategy, "key": guard.key,
            "amount": str(guard.amount), "entry": str(guard.entry_price), "reason": guard.exit_reason or guard.reason}
