"""From a decided signal to an order intent: the entry gate (entry_gate.py), then sizing within the cash.

Every gate answers with a Rejection naming its rule and a reason a human reads, so a skipped trade is
always explained in the audit log. Nothing here sends anything: the loop places what the plan says.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Mapping, Sequence

# CLIENT_ID_PREFIX is read from here by the ccxt broker and the position sync
from trading.domain.client_ids import CLIENT_ID_PREFIX as CLIENT_ID_PREFIX, entry_client_id
from trading.domain.decisions import Action, Decision
from trading.domain.frozen import changed, quick_init
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import Order, OrderIntent, OrderType, entry_reason
from trading.domain.positions import Position, PositionSide
from trading.engine.account import AccountSummary
from trading.domain.signals import Signal
from trading.engine.engine_state import ZERO, EngineSettings, EngineState
from trading.engine.entry_costs import cost_problem, exit_cost_rate, fee_problem
from trading.engine.entry_gate import EntryOrigin, vet_new_position
from trading.risk.sizing import PositionSize, SizingRequest, size_entry
from trading.risk.verdicts import Verdict

HUNDRED = Decimal(100)


class EntryRule(StrEnum):
    """Reasons to skip an entry that are the engine's own, beside the risk rules (RiskRule)."""

    DECISION = "decision"
    SYMBOL_BUSY = "symbol_busy"
    NO_MARKET = "no_market"
    SPOT_SHORT = "spot_short"
    CASH = "cash"
    FEES = "fees"
    NET_REWARD_RISK = "net_reward_risk"     # reward:risk after fees and slippage at the expected fill
    STOP_ON_TICK = "stop_on_tick"           # the stop, on the tick toward the entry, would reach the entry


@quick_init
@dataclass(frozen=True, slots=True)
class AccountView:
    """The account as sizing needs it: equity, the cash free for a new entry, and what is already open."""

    equity: Decimal
    cash: Decimal
    open_notional: Mapping[str, Decimal]
    instruments: Mapping[str, Instrument]


@quick_init
@dataclass(frozen=True, slots=True)
class Rejection:
    """A signal not traded: the rule that stopped it and why."""

    signal: Signal
    rule: str              # a RiskRule or an EntryRule value
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class EntryPlan:
    """An entry that passed every gate: the order to send and the stop and target to arm once it fills."""

    signal: Signal
    decision: Decision
    intent: OrderIntent
    size: PositionSize
    stop: Decimal | None           # the signal's levels on the market's price tick, armed once filled
    take_profit: Decimal | None
    amount_step: Decimal
    exit_cost_rate: Decimal = ZERO      # entry fee, exit fee and exit slippage as a fraction: break-even's offset
    price_tick: Decimal = ZERO          # the market's price tick: break-even's stop sits on it

    @property
    def message(self) -> str:
        """Return the one line that says what is entered and why."""
        s = self.signal
        target = f", target {self.take_profit}" if self.take_profit is not None else ""
        stop = f"stop {self.stop}" if self.stop is not None else "no stop"
        return (f"{s.side} {self.size.amount.normalize():f} {s.symbol} ({s.strategy}, {s.timeframe}) "
                f"near {s.entry}, {stop}{target}; risk {self.size.risk:.2f} "
                f"({self.size.limited_by}): {s.reason}")


def plan_entry(state: EngineState, signal: Signal, decision: Decision, account: AccountView, ts_ms: int,
               settings: EngineSettings, atr: Decimal | None = None,
               reference: Decimal | None = None) -> EntryPlan | Rejection:
    """Return the order to send for a decided signal, or the Rejection of the first gate that stops it.

    reference is the last price when the order would be sent (default: the signal's entry): the fill is
    expected there plus the modelled slippage, and the reward:risk after costs is checked at that fill.
    """
    blocked = _gates(state, signal, decision, account, ts_ms, settings)
    if blocked is not None:
        return blocked
    instrument = account.instruments[signal.symbol]
    request = SizingRequest.for_signal(signal, instrument, account.equity, account.open_notional, atr,
                                       state.r_multiples.get(signal.strategy, ()))
    sized = size_entry(request, settings.sizing)
    if isinstance(sized, Verdict):
        return Rejection(signal, str(sized.rule), sized.reason)
    size = _within_cash(sized, instrument, signal.entry, account.cash, settings.cash_buffer_pct)
    if isinstance(size, str):
        return Rejection(signal, EntryRule.CASH, size)
    price = reference if reference is not None and reference > 0 else signal.entry
    costly = cost_problem(signal, instrument, settings.slippage, price, size.amount, settings.min_reward_risk)
    if costly is not None:
        return Rejection(signal, EntryRule.NET_REWARD_RISK, costly)
    budget = size.quote_budget      # all in on spot: spend the quote, the amount set at the fill price
    intent = OrderIntent(signal.symbol, signal.side.entry_order_side, OrderType.MARKET,
                         amount=size.amount if budget is None else None, quote_amount=budget,
                         leverage=size.leverage if instrument.kind is MarketKind.PERP else None,
                         client_order_id=entry_client_id(signal.setup_id),
                         reason=entry_reason(signal.strategy, signal.side, signal.reason))
    target = instrument.round_price(signal.take_profit) if signal.take_profit is not None else None
    # the stop goes onto the tick toward the entry: the risk taken is at most the risk sized, never more
    stop = signal.stop_on_tick(instrument)
    return EntryPlan(signal, decision, intent, size, stop, target, instrument.amount_step,
                     exit_cost_rate(instrument, settings.slippage, size.amount, price), instrument.price_tick)


def _gates(state: EngineState, signal: Signal, decision: Decision, account: AccountView, ts_ms: int,
           settings: EngineSettings) -> Rejection | None:
    if signal.exits:
        return Rejection(signal, EntryRule.DECISION, f"an exit signal of {signal.strategy} opens nothing")
    if decision.action is not Action.ENTER:
        return Rejection(signal, EntryRule.DECISION, f"{decision.decided_by} chose {decision.action}: "
                                                     f"{decision.reason}")
    if state.busy(signal.symbol):
        return Rejection(signal, EntryRule.SYMBOL_BUSY, f"{signal.symbol} already has a position or an entry "
                                                        f"on its way")
    verdict = vet_new_position(state, settings, ts_ms, EntryOrigin.ENGINE, signal.symbol)
    if not verdict.allowed:
        return Rejection(signal, str(verdict.rule), verdict.reason)
    instrument = account.instruments.get(signal.symbol)
    if instrument is None:
        return Rejection(signal, EntryRule.NO_MARKET, f"{signal.symbol} is not a known market here")
    if instrument.kind is MarketKind.SPOT and signal.side is PositionSide.SHORT:
        return Rejection(signal, EntryRule.SPOT_SHORT, f"cannot short {signal.symbol} on spot; "
                                                       f"trade futures to take short signals")
    too_close = _stop_off_tick(signal, instrument)
    if too_close is not None:
        return Rejection(signal, EntryRule.STOP_ON_TICK, too_close)
    costly = fee_problem(signal, instrument, settings.slippage, settings.max_fee_to_risk_pct)
    return None if costly is None else Rejection(signal, EntryRule.FEES, costly)


def _stop_off_tick(signal: Signal, instrument: Instrument) -> str | None:
    """Return why the stop cannot go on the tick: toward the entry it would reach it (None: it fits)."""
    stop, sign = signal.stop_on_tick(instrument), signal.side.sign
    if stop is None or signal.stop is None or sign * (signal.entry - signal.stop) <= 0:
        return None          # no stop, or one on the wrong side: sizing says what is wrong with it
    if sign * (signal.entry - stop) > 0:
        return None
    tick, below = instrument.price_tick, "below" if sign > 0 else "above"
    return (f"the stop {signal.stop} is less than one price tick ({tick}) from the entry {signal.entry}: on the "
            f"tick toward the entry it would be {stop}, at or past the entry, with nothing left to risk. Put the "
            f"stop at least one tick ({tick}) {below} the entry")


def _within_cash(size: PositionSize, instrument: Instrument, entry: Decimal, cash: Decimal,
                 buffer_pct: Decimal) -> PositionSize | str:
    # Sizing caps notional at equity x leverage; the margin plus the entry fee must also fit the free cash,
    # with a buffer for slippage, or the broker refuses the order.
    usable = cash * (1 - buffer_pct / HUNDRED)
    if size.quote_budget is not None:
        return _budget_within_cash(size, instrument, entry, usable)
    per_unit = entry / size.leverage + entry * instrument.taker_fee
    if size.amount * per_unit <= usable:
        return size
    amount = instrument.round_amount(max(usable, ZERO) / per_unit)
    problem = instrument.check_order(amount, entry)
    if problem is not None:
        return f"{instrument.symbol} skipped: {problem} (sized by the free cash {cash:.2f})"
    notional = amount * entry
    risk = size.risk * amount / size.amount
    return changed(size, amount=amount, notional=notional, margin=notional / size.leverage, risk=risk,
                   limited_by="cash")


def _budget_within_cash(size: PositionSize, instrument: Instrument, entry: Decimal,
                        usable: Decimal) -> PositionSize | str:
    # a quote budget pays the fee out of itself: it only has to fit the usable cash
    if size.quote_budget is None or size.quote_budget <= usable:
        return size
    amount = instrument.round_amount(max(usable, ZERO) / (entry * (1 + instrument.taker_fee)))
    problem = instrument.check_order(amount, entry)
    if problem is not None:
        return f"{instrument.symbol} skipped: {problem} (sized by the free cash {usable:.2f})"
    return changed(size, amount=amount, notional=amount * entry, margin=amount * entry,
                   risk=size.risk * amount / size.amount, limited_by="cash", quote_budget=usable)


def account_view(summary: AccountSummary, positions: Sequence[Position], marks: Mapping[str, Decimal],
                 instruments: Mapping[str, Instrument], open_orders: Sequence[Order] = (), leverage: int = 1,
                 futures: bool = False) -> AccountView:
    """Return equity, free cash and open notional from the account's own summary, its positions and orders.

    Equity is the account's summary (what /balance shows), whatever kind the instruments are: sizing,
    exposure caps, the daily loss and the drawdown all read this one figure. futures: the account is a
    futures account, where an open entry order claims its margin, not its notional.
    """
    notional = {p.symbol: p.notional(marks.get(p.symbol, p.entry_price)) for p in positions}
    cash = summary.cash
    # entries still waiting to fill have claimed their cash (margin) already: several signals in one tick
    # must not all size against the same free balance
    for order in open_orders:
        if order.reduce_only:
            continue
        price = order.price or marks.get(order.symbol) or Decimal(0)
        claim = order.remaining * price
        cash -= claim / leverage if futures else claim
    return AccountView(summary.equity, cash, notional, instruments)
